"""What a scanned page does to a clause: a declaration's or withdrawal sheet's reading
against the clause's current status, and what a reviewer may choose from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from formgen.rules.marks import Decision
from formgen.rules.status import FINAL, Status
from formgen.words import N_

# "withdrawal form unclear (both yes and no are marked)": a page translates both parts
# (formgen/words.py, reason).
UNCLEAR_WITHDRAWAL = N_("withdrawal form unclear")


def decide_withdrawal(read: Decision, current: Status | None) -> Decision | None:
    """A withdrawal sheet is read with ``decide_pair`` ("yes" = I withdraw). A clear
    yes ends a given consent; a clear no or nothing keeps it; doubt (a faint mark, both
    boxes, no signature) about a given consent sends it to review, which keeps the
    person out of frame until someone has looked. A consent that was not given has
    nothing to withdraw: None, nothing changes."""
    if current is not Status.GIVEN:
        return None
    if read.status is Status.GIVEN:
        return Decision(Status.WITHDRAWN, N_("withdrawn on the withdrawal form"))
    if read.status is Status.REVIEW:
        return Decision(Status.REVIEW, f"{UNCLEAR_WITHDRAWAL} ({read.reason})")
    return None


def review_confirms_signature(decision: Status, signed: bool | None) -> bool:
    """A reviewer who decides "given" looked at the page: consent needs a signature, so
    that decision says the signature is there, even where the reader saw none (a short
    one, a faint pen). Any other decision says nothing about the signature."""
    return decision is Status.GIVEN and signed is not True


@dataclass(frozen=True)
class ScanOutcome:
    """What one clause read from a scanned page does to the record: append ``status``
    (None: nothing), and whether the page needs a person's look although nothing is
    appended (an ended consent the paper tries to change)."""

    status: Status | None
    reason: str | None = None
    flag: bool = False


def decide_scanned(
    read: Decision, current: Status | None, *, withdrawal: bool, named: bool
) -> ScanOutcome:
    """The reading of a declaration's (or withdrawal sheet's) box pair against the
    clause's current status. A name written by hand is typed in by a person, so a yes on
    a blank form waits for review; an ended consent stays ended; a scan that disagrees
    with an earlier decision never overrides it: a person decides."""
    status, reason = read.status, read.reason
    if withdrawal:
        outcome = decide_withdrawal(read, current)
        if outcome is None:
            return ScanOutcome(None, f"{current}; " + N_("the withdrawal form changes nothing"))
        status, reason = outcome.status, outcome.reason
    elif status is Status.GIVEN and not named:
        status, reason = Status.REVIEW, N_("name written by hand: type it when resolving")
    if current in FINAL:
        return ScanOutcome(
            None, f"already {current}; " + N_("this scan changes nothing"), flag=True
        )
    if current in (Status.GIVEN, Status.REFUSED, Status.NO_ANSWER) and status not in (
        current,
        Status.REVIEW,
        Status.WITHDRAWN,
    ):
        status, reason = Status.REVIEW, N_("conflicts with the earlier decision") + f" ({current})"
    return ScanOutcome(status, reason)


def review_decisions(history: Sequence[Status]) -> tuple[Status, ...]:
    """What a reviewer chooses from for a clause in review, given its statuses oldest
    first. Consent that was given before the doubt (an unclear withdrawal form, or a
    later page that disagrees with it) is either withdrawn or kept given, the only
    case in which a withdrawal can be recorded; otherwise the reviewer reads the boxes
    as the reader would have: given, refused or no answer."""
    before = [s for s in history if s is not Status.REVIEW]
    if history and history[-1] is Status.REVIEW and before and before[-1] is Status.GIVEN:
        return (Status.WITHDRAWN, Status.GIVEN)
    return (Status.GIVEN, Status.REFUSED, Status.NO_ANSWER)


def reviewable_after_unreadable(current: Status | None, *, withdrawal: bool) -> bool:
    """A page that could not be read puts a clause in review only if it could still
    change: an ended consent stays ended, and a withdrawal sheet only threatens a given
    consent."""
    if withdrawal:
        return current is Status.GIVEN
    return current not in FINAL
