"""The seven steps ("Maar hoe pak ik dit concreet aan?") as a checklist, and a
recording's consent in one word (the service's list of recordings).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from formgen.rules.appearance import may_appear
from formgen.rules.camera import Advice, CameraAdvice
from formgen.rules.situations import Situation
from formgen.rules.status import Status
from formgen.words import N_, Word

# A person's consent is not settled while a clause of their current form is still
# requested or waits for review; refused, no answer and withdrawn are settled: the
# person stays out of frame.
UNSETTLED = frozenset({Status.REQUESTED, Status.REVIEW})


@dataclass(frozen=True)
class Step:
    key: str
    procedure_step: int  # the step's number in the procedure's "stappenplan"
    title: str
    by_person: bool  # only a person can confirm it; otherwise formgen derives it


# In the procedure's order. Step 3 has two parts: checking the footage, and (situation 3
# only) reminding participants afterwards of their right to withdraw.
STEPS: tuple[Step, ...] = (
    Step("consent", 1, N_("Check or obtain written consent"), False),
    Step("camera", 2, N_("Choose a camera set-up that fits the consents"), False),
    Step("footage_checked", 3, N_("Check the footage: no one without consent appears"), True),
    Step("reminded", 3, N_("Remind participants of their right to withdraw"), False),
    Step("transport", 4, N_("Move the footage to secure storage, destroy the local copy"), True),
    Step(
        "stored",
        5,
        N_("Store it on the video platform: strict settings, description, automatic deletion"),
        True,
    ),
    Step("destroyed", 6, N_("Destroy the recording on time"), False),
    Step("reconsent", 7, N_("Ask again for consent when the purpose or retention changes"), False),
)


def step_word(key: str) -> Word:
    """A step in a refusal: its key in the English line, its title on a page."""
    return Word(key, next((s.title for s in STEPS if s.key == key), key))


def footage_check_needed(situation: Situation, advice: CameraAdvice) -> bool:
    """Step 3: check the footage unless everyone present consented. Only in situation 3
    does the record hold every declaration; in 1 and 2 the institution's generic ones
    are not in it, so formgen cannot know that everyone consented."""
    return situation is not Situation.OUTSIDE or advice.level is not Advice.ALL


# --- A recording's consent in one word (the service's list of recordings) ---------------


class Summary(StrEnum):
    DESTROYED = "destroyed"
    DUE = "due"  # the deletion date has come and the recording was not destroyed
    EMPTY = "empty"  # no participants registered (yet)
    OPEN = "open"  # someone's consent is not settled: requested or to review
    PARTIAL = "partial"  # settled, but someone must not appear
    COMPLETE = "complete"  # everyone registered may appear


def consent_summary(
    people: Sequence[tuple[Mapping[str, Status], bool | None]],
    *,
    destroyed: bool,
    delete_by: dt.date,
    today: dt.date,
) -> Summary:
    """One word for a recording's consent (each person's clause statuses and signature):
    what needs doing first (destroy it: due on the deletion date itself, as the due
    list says; settle consent), then whether everyone may appear."""
    if destroyed:
        return Summary.DESTROYED
    if delete_by <= today:
        return Summary.DUE
    if not people:
        return Summary.EMPTY
    if any(s in UNSETTLED for statuses, _ in people for s in statuses.values()):
        return Summary.OPEN
    if all(may_appear(statuses, signed) for statuses, signed in people):
        return Summary.COMPLETE
    return Summary.PARTIAL
