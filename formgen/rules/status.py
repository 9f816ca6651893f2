"""The consent lifecycle (docs/contract.md): a clause's statuses and the moves
allowed between them.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from formgen.words import N_, Message


class Status(StrEnum):
    REQUESTED = "requested"
    GIVEN = "given"
    REFUSED = "refused"
    NO_ANSWER = "no_answer"
    REVIEW = "review"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    INVALIDATED = "invalidated"


DECIDED = frozenset({Status.GIVEN, Status.REFUSED, Status.NO_ANSWER, Status.REVIEW})
FINAL = frozenset({Status.WITHDRAWN, Status.EXPIRED, Status.INVALIDATED})

# Allowed moves. A decision may be corrected (a later scan, a reviewer) until the
# consent ends; only a given consent can be withdrawn; expiry and invalidation end
# any consent that has not ended. Nothing leaves a final status: new consent needs a
# new form.
TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.REQUESTED: DECIDED | {Status.EXPIRED, Status.INVALIDATED},
    **{s: DECIDED | {Status.EXPIRED, Status.INVALIDATED} for s in DECIDED - {Status.GIVEN}},
    Status.GIVEN: DECIDED | FINAL,
    # An unclear withdrawal form puts a given consent in review; the reviewer may then
    # record the withdrawal (by_hand.set_consent checks it was given before).
    Status.REVIEW: DECIDED | {Status.EXPIRED, Status.INVALIDATED, Status.WITHDRAWN},
    **{s: frozenset() for s in FINAL},
}


class TransitionError(ValueError):
    pass


def transition(current: Status, new: Status) -> Status:
    if new not in TRANSITIONS[current]:
        raise TransitionError(
            Message(N_("consent cannot go from {current} to {new}"), current=current, new=new)
        )
    return new
