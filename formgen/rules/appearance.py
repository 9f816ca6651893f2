"""Who may appear, and in which activity (step 3: checking footage, reminding of the
right to withdraw): each clause its own choice, only with a signature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from formgen.rules.clauses import Clause
from formgen.rules.status import Status
from formgen.words import N_


def needs_reminder(statuses: Mapping[str, Status]) -> bool:
    """Step 3, situation 3: only who gave consent can be in the footage and has
    something to withdraw."""
    return Status.GIVEN in statuses.values()


def given_clauses(statuses: Mapping[str, Status]) -> list[str]:
    """The clauses a reminder names and its withdrawal form asks about: only those
    answered yes (nothing else can be withdrawn)."""
    return [clause for clause, status in statuses.items() if status is Status.GIVEN]


def may_appear_in(statuses: Mapping[str, Status], signed: bool | None) -> dict[str, bool]:
    """Each activity its own choice (GDPR art. 7): a person may be in an activity (the
    recording, the live stream, the 360-degree camera) only with that clause given on a
    signed form; a no to one keeps them out of that one only. Silence, doubt and
    withdrawal keep them out ("wie zwijgt, stemt toe" does not apply)."""
    return {
        clause: signed is not False and status is Status.GIVEN
        for clause, status in statuses.items()
    }


def may_appear(statuses: Mapping[str, Status], signed: bool | None) -> bool:
    """In every activity of the recording: what a participant list's "may appear"
    column means."""
    allowed = may_appear_in(statuses, signed)
    return bool(allowed) and all(allowed.values())


def kept_out_of(statuses: Mapping[str, Status], signed: bool | None) -> list[str]:
    """The activities a person must be kept out of, in the clauses' order."""
    return [clause for clause, ok in may_appear_in(statuses, signed).items() if not ok]


def allow_360(appear: Sequence[Mapping[str, bool]]) -> bool:
    """The 360-degree camera records the whole room: only when everyone registered said
    yes to it. The student does not tell anyone who said no."""
    return bool(appear) and all(
        a.get(Clause.VIEW360, a.get(Clause.RECORDING, False)) for a in appear
    )


def blocking_clauses(statuses: Mapping[str, Status], signed: bool | None) -> list[str]:
    """Why a person must not appear: the clauses not given (or 'signature')."""
    reasons = [f"{k}: {s}" for k, s in statuses.items() if s is not Status.GIVEN]
    if signed is False:
        reasons.insert(0, N_("not signed"))
    return reasons
