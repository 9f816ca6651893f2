"""Camera set-up (step 2): the advice that follows from how many people consented."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from formgen.words import N_


class Advice(StrEnum):
    ALL = "all"  # everyone consented: no restriction, ideal set-up, 360 allowed
    MOST = "most"  # most consented: position the others out of frame
    FEW = "few"  # only a few: set up so that only you are in frame
    NONE = "none"  # no one (or no one known yet): only you in frame


@dataclass(frozen=True)
class CameraAdvice:
    level: Advice
    allow_360: bool
    consented: int
    present: int


def camera_advice(consented: int, present: int, everyone_360: bool | None = None) -> CameraAdvice:
    """Procedure step 2. "Het merendeel" is read as a strict majority: exactly half is not
    most. With no participants known, nobody is known to have consented: advice NONE.
    360 degrees only when everyone present consented to it (``everyone_360``, counted
    apart from the recording: ``allow_360``); unknown, when everyone consented."""
    if not 0 <= consented <= present:
        raise ValueError(N_("consented must be between 0 and the number present"))
    if present and consented == present:
        level = Advice.ALL
    elif consented * 2 > present:
        level = Advice.MOST
    elif consented:
        level = Advice.FEW
    else:
        level = Advice.NONE
    wide = level is Advice.ALL if everyone_360 is None else bool(present) and everyone_360
    return CameraAdvice(level, wide, consented, present)


# Step 2 in words: the set-up each advice asks of the student.
SETUP: Mapping[Advice, str] = {
    Advice.ALL: N_("everyone consented: no restriction, 360 degrees allowed"),
    Advice.MOST: N_("most consented: position the others out of frame (e.g. at the back)"),
    Advice.FEW: N_("few consented: set up so that only you are in frame"),
    Advice.NONE: N_("no one consented: set up so that only you are in frame"),
}

# Everyone may be in frame, but not everyone said yes to the 360-degree camera (or some
# are in frame only through an institution's consent, which does not cover it).
ALL_BUT_360 = N_("everyone may appear: no restriction in frame, but no 360 degrees")


def setup_words(advice: CameraAdvice) -> str:
    """The set-up in words; "360 degrees allowed" only when it is."""
    if advice.level is Advice.ALL and not advice.allow_360:
        return ALL_BUT_360
    return SETUP[advice.level]
