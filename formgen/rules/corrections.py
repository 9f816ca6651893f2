"""Correcting mistakes: what can be removed outright, what a change to a recording
asks again, what review decision can be undone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from formgen.rules.clauses import Plan
from formgen.rules.retention import reconsent_reason
from formgen.rules.status import TRANSITIONS, Status


def removable_outright(statuses: Sequence[Status], *, scanned: bool, online: bool) -> bool:
    """A participant added by mistake leaves no trace only while nothing came back for
    their form: every event so far is the request, no page of it was scanned and no
    answer was started online. After that the form is voided (``invalidated``) with a
    reason and its history stays: it is proof of what happened."""
    return not scanned and not online and all(s is Status.REQUESTED for s in statuses)


def edit_reconsent_reason(
    old_date: dt.date,
    old_plan: Plan,
    old_until: dt.date,
    new_date: dt.date,
    new_plan: Plan,
    new_until: dt.date,
) -> str | None:
    """Whether changing a recording's date or live stream needs new consent (step 7),
    and the reason recorded on every consent it ends. The declarations name the date
    and whether the recording is streamed and the stream kept: consent given for one
    does not cover another. Streaming less, or keeping it for less time, needs none."""
    if new_date != old_date:
        return (
            f"recording date changed from {old_date.isoformat()} to {new_date.isoformat()}:"
            " new consent needed"
        )
    if new_plan.livestream and not old_plan.livestream:
        return "live streaming added: new consent needed"
    if new_plan.livestream_stored and not old_plan.livestream_stored:
        return "the live stream is now stored: new consent needed"
    return reconsent_reason(old_plan.purpose, old_until, new_plan.purpose, new_until)


def undoable_review(history: Sequence[tuple[Status, str | None]]) -> bool:
    """Whether a clause's last event (status, reason), oldest first, is a review
    decision that can be taken back to review: a withdrawal ends consent and is final
    (new consent needs a new form)."""
    last = history[-1][1] if history else None
    # "review resolved", or "review resolved: <the reviewer's reason>"
    if len(history) < 2 or not (
        last == REVIEW_RESOLVED or (last or "").startswith(REVIEW_RESOLVED + ": ")
    ):
        return False
    return history[-1][0] is not Status.WITHDRAWN and Status.REVIEW in TRANSITIONS[history[-1][0]]


REVIEW_RESOLVED = "review resolved"  # the reason of a reviewer's decision
REVIEW_UNDONE = "review decision undone"


def too_early(step: str, recorded_on: dt.date, today: dt.date) -> bool:
    """Step 3 checks footage that exists only from the recording date on."""
    return step == "footage_checked" and today < recorded_on


def destroy_needs_second_ask(recorded_on: dt.date, today: dt.date) -> bool:
    """Destroying before the recording date is most likely a slip: ask once more."""
    return today < recorded_on
