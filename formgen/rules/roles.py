"""Who may do what in the service (docs/contract.md): roles, acts on a recording, and
sign-in throttling.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    STUDENT = "student"  # makes recordings and collects consent for them
    SUPERVISOR = "supervisor"  # supervises students' recordings, asks institutions
    OFFICER = "officer"  # the privacy officer: sees everything, keeps the users


class Act(StrEnum):
    """What a person can do to a recording (or its forms)."""

    SEE = "see"  # status, documents, checklist, description
    CHANGE = "change"  # participants, printing, scans, withdrawals, checklist, re-consent
    REQUEST = "request"  # ask an institution for declarations (situations 1 and 2)
    REVIEW = "review"  # decide what the scan reader was unsure about
    DESTROY = "destroy"
    EXPORT = "export"


@dataclass(frozen=True)
class Relation:
    """How a person stands to a recording."""

    role: Role
    owns: bool  # the student who makes it
    supervises: bool  # the supervisor named on it


def may(act: Act, who: Relation) -> bool:
    """The student of a recording does everything for it but ask institutions and
    resolve reviews; its supervisor does everything the procedure gives supervisors
    (and may destroy it on time); the officer may do anything, and alone exports.
    Anyone else may not even know it exists."""
    if who.role is Role.OFFICER:
        return True
    if act is Act.EXPORT:
        return False
    if who.owns and who.role is Role.STUDENT:
        return act in (Act.SEE, Act.CHANGE, Act.DESTROY)
    return who.supervises and who.role is Role.SUPERVISOR


def may_list_due(role: Role) -> bool:
    return role in (Role.SUPERVISOR, Role.OFFICER)


def may_manage_users(role: Role) -> bool:
    return role is Role.OFFICER


def may_create_recordings(role: Role) -> bool:
    """A recording is made by a student; the service names the signed-in student on it."""
    return role is Role.STUDENT


# Sign-in throttling: this many failures for one address (or from one client) within the
# window lock it out until the window has passed.
SIGN_IN_FAILURES = 5
SIGN_IN_WINDOW = dt.timedelta(minutes=15)


def sign_in_blocked(failures: Sequence[dt.datetime], now: dt.datetime) -> dt.datetime | None:
    """Until when sign-in is refused after these failures, or None."""
    recent = sorted(t for t in failures if t > now - SIGN_IN_WINDOW)
    if len(recent) < SIGN_IN_FAILURES:
        return None
    return recent[-SIGN_IN_FAILURES] + SIGN_IN_WINDOW
