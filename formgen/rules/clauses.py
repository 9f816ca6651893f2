"""Clauses: one yes/no per purpose and per processing. What a recording plans
(``Plan``) decides which pairs of boxes a declaration prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from formgen.errors import RecordError
from formgen.rules.retention import Purpose
from formgen.words import N_


class Media(StrEnum):
    VIDEO = "video"  # image only
    AUDIO = "audio"  # sound only
    BOTH = "both"  # image and sound


class Clause(StrEnum):
    RECORDING = "recording"  # recording for the stated purpose
    LIVESTREAM = "livestream"  # live streaming (says whether the stream is stored)
    VIEW360 = "360"  # 360-degree recording of the whole room


@dataclass(frozen=True)
class Plan:
    """What a recording will do, as far as consent is concerned."""

    purpose: Purpose
    media: Media = Media.BOTH
    livestream: bool = False
    livestream_stored: bool = False
    view360: bool = False

    def __post_init__(self) -> None:
        if self.livestream_stored and not self.livestream:
            raise RecordError(N_("a stream can only be stored when the recording is live-streamed"))
        if self.view360 and self.media is Media.AUDIO:
            raise RecordError(N_("a 360-degree recording records images; media cannot be audio"))


def clauses_for(plan: Plan) -> list[Clause]:
    """The yes/no pairs a declaration needs, in the order printed: recording for its
    purpose always; live streaming only when streamed ("ook toestemming benodigd");
    360 degrees only when planned, as it captures everyone present."""
    clauses = [Clause.RECORDING]
    if plan.livestream:
        clauses.append(Clause.LIVESTREAM)
    if plan.view360:
        clauses.append(Clause.VIEW360)
    return clauses
