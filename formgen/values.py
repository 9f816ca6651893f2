"""The library's typed values that are neither a record's row nor a document: what a
caller hands ``Formgen`` (``NewRecording``, ``LetterRequest``) and what a few of its methods return
(``Sample``, ``Overview``). Light on purpose: importing them imports no
database, renderer or scanner. ``Import``, what a scan import did, is the scan reader's
(``formgen.scan.landing``): a scan import loads neither these nor their dataclasses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from formgen.documents.declarations import Written
    from formgen.errors import RecordError
    from formgen.record.consent_status import ConsentStatus, PersonStatus
    from formgen.record.records import Recording


@dataclass(frozen=True)
class NewRecording:
    """A recording to register (``Formgen.create_recording``), before the record checks
    it. ``situation``: 1 to 4 (docs/contract.md); ``purpose``: a key of the retention
    table; ``date``: the recording date. ``supervisor``: their name, or, for a signed-in
    student (``as_user``), the e-mail of their supervisor's account; ``student``: the
    student's name (a signed-in student is the student, whatever is given). ``lang``:
    the declarations' language (None: Dutch, or the signed-in student's own)."""

    title: str
    situation: str | int
    purpose: str
    date: dt.date
    student: str = ""
    supervisor: str | None = None
    institution: str | None = None
    media: str = "both"
    livestream: bool = False
    livestream_stored: bool = False
    view360: bool = False
    lang: str | None = None

    def stored(self, **more: Any) -> dict[str, Any]:
        """The values as the record's ``records.create_recording`` takes them."""
        return {
            "title": self.title,
            "student": self.student,
            "supervisor": self.supervisor or "",
            "situation": str(self.situation),
            "purpose": self.purpose,
            "recorded_on": self.date,
            "institution": self.institution,
            "media": self.media,
            "livestream": self.livestream,
            "livestream_stored": self.livestream_stored,
            "view360": self.view360,
            "lang": self.lang or "nl",
            **more,
        }


@dataclass(frozen=True)
class LetterRequest:
    """Situations 1 and 2: the supervisor's letter asking the institution's ``contact``
    for ``count`` pre-ID'd blank declarations (``Formgen.request``). ``institution``
    must be the recording's own (it may be left out); the signed pages go to
    ``supervisor_email`` (default: the e-mail of the supervisor's account) before
    ``return_by`` (default: the recording date); ``lang``: default the recording's."""

    contact: str
    count: int
    institution: str | None = None
    under_16: bool = True
    lang: str | None = None
    supervisor_email: str | None = None
    return_by: dt.date | None = None


@dataclass(frozen=True)
class Sample:
    recording: Recording
    written: Written

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.recording.id, **self.written.as_dict()}


@dataclass(frozen=True)
class Overview:
    """A recording as its page shows it (``Formgen.overview``)."""

    status: ConsentStatus
    checklist: dict[str, Any]
    description: dict[str, Any] | None
    description_problem: RecordError | None  # why there is no description yet
    earlier: list[PersonStatus]


def __getattr__(name: str) -> Any:
    # Import lived here once: still found here, loaded with the scan reader
    if name == "Import":
        from formgen.scan.landing import Import

        return Import
    raise AttributeError(f"module 'formgen.values' has no attribute {name!r}")
