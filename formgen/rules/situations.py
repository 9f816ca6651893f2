"""The three situations ("Welke verschillende situaties zijn er?"): who asks for
consent, who gets the signed page back, when a form is due back and when it counts as
not returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from enum import StrEnum

from formgen.errors import RecordError
from formgen.rules.status import Status
from formgen.words import N_


class Situation(StrEnum):
    PARTNER = "1"  # institution with a structural partnership and protocol
    INTERNSHIP = "2"  # other internship institution (school, childcare)
    OUTSIDE = "3"  # outside any institution


def consent_collector(situation: Situation) -> str:
    """Who asks for consent: in 1 and 2 the institution ("vraag dus niet zelf om
    toestemming"), only in 3 the student, who also archives the declarations."""
    return "student" if situation is Situation.OUTSIDE else "institution"


def may_request_from_institution(situation: Situation) -> bool:
    """Situations 1 and 2: the supervisor may ask the institution for additional
    declarations for this specific recording; in 3 there is no institution to ask."""
    return situation is not Situation.OUTSIDE


def may_invite(situation: Situation) -> bool:
    """Only in situation 3 does the student ask: in 1 and 2 the institution asks its
    people (the supervisor's request), so no invitation or online reminder goes out."""
    return situation is Situation.OUTSIDE


def reminder_required(situation: Situation) -> bool:
    """Step 3: after recording in situation 3, point participants to their right to
    withdraw."""
    return situation is Situation.OUTSIDE


def may_remind(recorded_on: dt.date, today: dt.date) -> bool:
    """Step 3 reminds "achteraf": from the day of the recording on, never before."""
    return today >= recorded_on


def signed_page_back_to(situation: Situation) -> str:
    """Who gets the signed page back: the student in situation 3; in 1 and 2 the
    institution collects its people's consent ("vraag dus niet zelf om toestemming")."""
    return "student" if situation is Situation.OUTSIDE else "institution"


# Days a person has to return a form that comes after the recording date (re-consent,
# a late form): the record is not settled until it is back.
LATE_RETURN_DAYS = 14


def return_before(recorded_on: dt.date, today: dt.date) -> dt.date:
    """The date the signed page must be back before: the recording date, so the student
    knows who may appear before filming; for a recording already made, two weeks from
    today."""
    if recorded_on > today:
        return recorded_on
    return today + dt.timedelta(days=LATE_RETURN_DAYS)


# A form that never came back: after its return date the student closes it as "not
# returned: no consent" (no_answer, never given); an unused blank form of an institution
# is discarded. The events' source says so: ``not_returned:<who marked it>``.
NOT_RETURNED = "not returned: no consent"
BLANK_UNUSED = "blank form not used: discarded"


def unreturned_clauses(
    clauses: Mapping[str, Status], return_by: dt.date, today: dt.date, form_id: str = "the form"
) -> list[str]:
    """The clauses to close as ``no_answer`` on a form that never came back: every one,
    for a form still fully requested once its return date has come. A form of which
    anything came back (a scan, an answer online, a decision) is not "not returned":
    ValueError, as for one whose return date is still ahead."""
    if today < return_by:
        raise RecordError(
            N_("form {form} is due back before {day}: mark it not returned from then on"),
            form=form_id,
            day=return_by.isoformat(),
        )
    if not clauses or any(s is not Status.REQUESTED for s in clauses.values()):
        raise RecordError(
            N_("form {form} came back or was decided: it is not unreturned"), form=form_id
        )
    return list(clauses)


def same_institution(a: str | None, b: str | None) -> bool:
    """Two spellings of one institution: case and spacing aside."""
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def situation_warning(situation: Situation, institution: str | None) -> str | None:
    """Situation 3 is recording outside any institution: a recording there that names an
    institution was probably given the wrong situation (in 1 and 2 the institution, not
    the student, asks for consent)."""
    if situation is Situation.OUTSIDE and institution:
        return (
            f"the recording is in situation 3 (outside any institution) but names"
            f" {institution}: if it is made there, the institution asks for consent"
            " (situation 1 or 2)"
        )
    return None
