"""Consent online, beside paper: what a person who opens a form's link may do, what
their answer does to a clause, and the e-mailed confirmation code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum

from formgen.rules.scanned import ScanOutcome
from formgen.rules.status import FINAL, Status
from formgen.words import N_


class OnlineMode(StrEnum):
    ANSWER = "answer"  # nothing decided yet: yes or no per clause, as on paper
    STRICTER = "stricter"  # answered before: only a given consent can still be taken back
    CLOSED = "closed"  # nothing left to answer or withdraw


# What a "no" online can still take back: a yes, or doubt about one (decide_online).
TAKE_BACK = frozenset({Status.GIVEN, Status.REVIEW})


def online_mode(statuses: Mapping[str, Status]) -> OnlineMode:
    """What a person who opens a form online may do. Once anything is decided (on paper
    or online), the form no longer asks afresh: a second answer could only disagree, and
    disagreement is for a person to settle (review). Then the link lets anyone holding the
    form (the person, the other parent) make it stricter: any "no" wins."""
    if all(s is Status.REQUESTED for s in statuses.values()):
        return OnlineMode.ANSWER
    if any(s in TAKE_BACK for s in statuses.values()):
        return OnlineMode.STRICTER
    return OnlineMode.CLOSED


def decide_online(answer: Status, current: Status | None, *, named: bool = True) -> ScanOutcome:
    """One clause answered online (confirmed by an e-mail code) against its current
    status. A refusal or withdrawal always wins over an earlier yes, or over doubt; a yes
    never overrides a decision already made (paper that said no stays no); an ended
    consent stays ended. ``answer`` is GIVEN, REFUSED or WITHDRAWN (taking a yes back)."""
    if current in FINAL:
        return ScanOutcome(None, f"already {current}; the online answer changes nothing")
    if answer is Status.WITHDRAWN:
        if current is Status.GIVEN:
            return ScanOutcome(Status.WITHDRAWN, "withdrawn online")
        if current is Status.REVIEW:  # not known to be given: a no, which ends the doubt
            return ScanOutcome(Status.REFUSED, "said no online while in review")
        return ScanOutcome(None, f"{current}: nothing to withdraw")
    if answer is Status.REFUSED:
        if current is Status.REFUSED:
            return ScanOutcome(None, "refused before")
        return ScanOutcome(Status.REFUSED, "refused online")
    if current in (None, Status.REQUESTED, Status.NO_ANSWER):
        return ScanOutcome(Status.GIVEN, "given online")
    if current is Status.GIVEN:
        return ScanOutcome(None, "given before")
    return ScanOutcome(None, f"{current} before; a yes online does not change it", flag=True)


# Confirming online: a code by e-mail, valid for a short while, with a few tries, and a
# limit on how many codes one form or one address can ask for.
CODE_VALID = dt.timedelta(minutes=15)
CODE_TRIES = 5
CODES_PER_HOUR = 5


def code_refused(tries: int, expires_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why a confirmation code can no longer be used (None: it can)."""
    if now >= expires_at:
        return N_("the code has expired: ask for a new one")
    if tries >= CODE_TRIES:
        return N_("too many wrong codes: ask for a new one")
    return None


def link_open(delete_by: dt.date, today: dt.date, destroyed: bool) -> bool:
    """A form's link works until the recording is destroyed or its deletion date comes:
    withdrawing must stay possible as long as the recording exists."""
    return not destroyed and today < delete_by
