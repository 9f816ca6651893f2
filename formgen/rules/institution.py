"""Situations 1 and 2: what the institution confirmed. The institution asks its people for
consent; the student checks with the contact person on site "voor welke personen een
generieke toestemmingsverklaring is afgegeven" and records the answer, per person or for
the whole group, with the contact's name and the date as its source. The camera set-up
(step 2) follows from it.

A confirmation is not a declaration: it never turns a form's clause into ``given``. It
only lets a person the institution's consent covers count as in frame where their own
form says nothing (still requested, or not returned); their own no, a withdrawal, a
doubt or an ended consent still keeps them out. It covers being in frame only: the live
stream and the 360-degree camera each need the person's own yes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from enum import StrEnum

from formgen.errors import RecordError
from formgen.rules.camera import Advice, CameraAdvice, camera_advice
from formgen.rules.checks import FIRST_DATE, check_name
from formgen.rules.clauses import Clause
from formgen.rules.situations import Situation
from formgen.rules.status import Status
from formgen.words import N_


class Confirmed(StrEnum):
    COVERED = "covered"  # covered by the institution's consent
    NOT_COVERED = "not_covered"  # not covered: must not appear
    REQUESTED = "requested"  # an extra declaration was requested: its answer decides


# What each confirmation means, in words (the recording page's choices).
CONFIRMED_WORDS: Mapping[Confirmed, str] = {
    Confirmed.COVERED: N_("covered by the institution's consent"),
    Confirmed.NOT_COVERED: N_("not covered by the institution's consent"),
    Confirmed.REQUESTED: N_("extra declaration requested"),
}

# A form's own answer that leaves room for the institution's consent: nothing said yet,
# or the extra declaration never came back. Anything else is the person's own word.
SILENT_FORM = frozenset({Status.REQUESTED, Status.NO_ANSWER})


def institution_source(contact: str, day: dt.date) -> str:
    """The source a confirmation carries: who at the institution confirmed it, when."""
    return f"institution:{contact}, {day.isoformat()}"


def check_confirmation(
    situation: Situation, confirmed: str, contact: str, day: dt.date, today: dt.date
) -> tuple[Confirmed, str, dt.date]:
    """A confirmation as the student records it: only where an institution collects
    consent (situations 1 and 2), one of the three answers, the contact's name, and a
    date that has come (a confirmation is recorded after it was given)."""
    if situation is Situation.OUTSIDE:
        raise RecordError(
            N_(
                "the recording is in situation 3 (outside any institution): there is no"
                " institution to confirm consent"
            )
        )
    try:
        answer = Confirmed(confirmed)
    except ValueError:
        raise RecordError(
            N_("{answer} is not an answer of the institution: covered, not_covered or requested"),
            answer=repr(confirmed),
        ) from None
    contact = check_name(contact, N_("the contact's name"))
    if not FIRST_DATE <= day <= today:
        raise RecordError(
            N_("the date of the confirmation ({day}) must be between {first} and today"),
            day=day.isoformat(),
            first=FIRST_DATE.isoformat(),
        )
    return answer, contact, day


def confirmation_for(own: Confirmed | None, group: Confirmed | None) -> Confirmed | None:
    """What applies to one person: what the institution said of them, else of the group."""
    return own if own is not None else group


def in_frame(
    statuses: Mapping[str, Status], signed: bool | None, confirmed: Confirmed | None
) -> bool:
    """May the person be in frame: their own yes on a signed form, or, where their form
    says nothing, the institution's consent covering them."""
    own = statuses.get(Clause.RECORDING)
    if own is None or signed is False:
        return False
    if own is Status.GIVEN:
        return True
    return confirmed is Confirmed.COVERED and own in SILENT_FORM


def appear_with_institution(
    statuses: Mapping[str, Status], signed: bool | None, confirmed: Confirmed | None
) -> dict[str, bool]:
    """``may_appear_in`` with the institution's confirmation: it changes only whether the
    person may be in frame (``recording``), never the live stream or the 360 camera."""
    allowed = {c: signed is not False and s is Status.GIVEN for c, s in statuses.items()}
    if Clause.RECORDING in allowed:
        allowed[Clause.RECORDING] = in_frame(statuses, signed, confirmed)
    return allowed


def institution_camera_advice(
    appear: Sequence[bool],
    group: Confirmed | None,
    everyone_360: bool | None = None,
    *,
    through_institution: bool = False,
) -> CameraAdvice:
    """Step 2 with the institution's confirmations: ``appear`` says for each person known
    by name (or by a form that came back) whether they may be in frame. A group the
    institution's consent covers, with no one known apart, is everyone consenting. The
    360-degree camera needs everyone's own yes: never allowed when anyone is in frame
    only through the institution (``through_institution``) or the group is covered."""
    if not appear and group is Confirmed.COVERED:
        return CameraAdvice(Advice.ALL, False, 0, 0)
    advice = camera_advice(sum(appear), len(appear), everyone_360)
    if everyone_360 is None and (through_institution or group is Confirmed.COVERED):
        return CameraAdvice(advice.level, False, advice.consented, advice.present)
    return advice
