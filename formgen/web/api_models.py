"""The JSON API's models: the documents the library's ``as_dict()`` gives, described
for the OpenAPI document (open: more keys may follow), and the request bodies, which
check only the shape of what is sent (the CLI's option names without dashes). No rule is
decided here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator

from formgen import rules

# --- documents: what the library's as_dict() gives (open: more keys may follow) -------

Status = Literal[
    "requested", "given", "refused", "no_answer", "review", "withdrawn", "expired", "invalidated"
]


class Problem(BaseModel):
    """An error (RFC 9457), as ``application/problem+json``."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None


class RecordingOut(BaseModel):
    """A recording, as ``formgen recording create --json`` prints it."""

    model_config = ConfigDict(populate_by_name=True)
    id: str
    title: str
    student: str
    supervisor: str
    situation: Literal[1, 2, 3]
    institution: str | None
    date: dt.date
    media: Literal["video", "audio", "both"]
    purpose: Literal["reflection", "assessment", "final-level"]
    livestream: bool
    livestream_stored: bool
    view360: bool = Field(alias="360")
    lang: str
    delete_by: dt.date
    clauses: list[str]


class RecordingList(BaseModel):
    """The recordings you may see, as ``formgen recording list --json`` prints them."""

    recordings: list[RecordingOut]


class Destroyed(BaseModel):
    at: str
    by: str


class Camera(BaseModel):
    level: Literal["all", "most", "few", "none"]
    allow_360: bool
    consented: int
    present: int


class PersonStatus(BaseModel):
    id: str
    name: str | None
    form_id: str
    under_16: bool
    lang: str
    signed: bool | None
    round: int
    clauses: dict[str, Status]
    may_appear: dict[str, bool]  # per activity: recording, livestream, 360
    # situations 1 and 2: what the institution confirmed of them (or of the group)
    institution: Literal["covered", "not_covered", "requested"] | None = None


class Confirmation(BaseModel):
    """What the institution confirmed, with its source ``institution:<contact>, <date>``."""

    model_config = ConfigDict(populate_by_name=True)
    confirmed: Literal["covered", "not_covered", "requested"]
    about: Literal["group"] | list[str] = Field(alias="for")  # "group" or participant IDs
    source: str
    on: dt.date
    at: str


class Confirmations(BaseModel):
    group: Confirmation | None
    people: dict[str, Confirmation]  # by participant ID: the latest for each


class MustNotAppear(BaseModel):
    id: str
    name: str | None
    form_id: str
    not_in: list[str]  # the activities this person must be kept out of
    reasons: list[str]


class Withdrawn(BaseModel):
    id: str
    form_id: str
    clauses: list[str]
    action: str


class StatusOut(BaseModel):
    """The consent record of a recording, as ``formgen status --json`` prints it."""

    id: str
    title: str
    date: dt.date
    purpose: str
    delete_by: dt.date
    destroyed: Destroyed | None
    camera_advice: Literal["all", "most", "few", "none"]
    camera: Camera
    participants: list[PersonStatus]
    must_not_appear: list[MustNotAppear]
    withdrawn: list[Withdrawn]
    institution: Confirmations | None = None  # situations 1 and 2


class ParticipantOut(BaseModel):
    """A participant, as ``formgen participant add --json`` prints one."""

    id: str
    form_id: str
    name: str | None
    variant: Literal["adult", "parent"]
    lang: str


class ParticipantList(BaseModel):
    """Blank forms, as ``formgen participant add --blank --json`` prints them."""

    participants: list[ParticipantOut]


class Rect(BaseModel):
    rect_mm: list[float] = Field(min_length=4, max_length=4)


class Box(Rect):
    clause: str
    answer: Literal["yes", "no"]


class LayoutPage(BaseModel):
    page: int
    boxes: list[Box]
    signature: Rect | None


class LayoutOut(BaseModel):
    """Where a printed form's boxes and signature are, in mm from the top-left corner."""

    form_id: str
    page_size_mm: list[float] = Field(min_length=2, max_length=2)
    pages: list[LayoutPage]


class PageReport(BaseModel):
    """One page of a scan import, as ``formgen scan import --json`` reports it."""

    source: str
    page: int | None
    form_id: str | None
    status: Literal["ok", "review", "error"]
    reason: str | None = None
    blank: bool | None = None
    decisions: dict[str, str] | None = None
    signed: bool | None = None


class JobOut(BaseModel):
    """A scan import running in the background; ``pages`` is filled when it is done."""

    id: str
    state: Literal["queued", "running", "done", "failed"]
    done_pages: int
    total_pages: int
    pages: list[PageReport]
    error: str | None = None


class ReviewItemOut(BaseModel):
    item: str
    recording_id: str
    form_id: str
    clause: str
    name: str | None
    reason: str | None


class ReviewList(BaseModel):
    """What the scan reader was not sure about, as ``formgen review list --json``."""

    items: list[ReviewItemOut]


class ReviewDetailOut(ReviewItemOut):
    """One item with what the reader measured and the images it kept (names for
    ``GET /reviews/{item}/images/{name}``)."""

    needs_name: bool
    source: str
    ink: dict[str, float] | None
    signature_ink: float | None
    residual_mm: float | None
    page_image: str | None
    crops: dict[str, str]


class Resolved(BaseModel):
    """The decision, recorded as a manual event authored by you."""

    item: str
    status: Status


class WithdrawalOut(BaseModel):
    """The clauses withdrawn (as ``formgen withdraw --json``): the person must not appear."""

    form_id: str
    withdrawn: list[str]


class HistoryEvent(BaseModel):
    """One event: a clause's new status, or (clause ``signature``) whether the form was
    signed; the source is ``scan:SHA256#PAGE`` or ``manual:NAME``."""

    id: int
    form_id: str
    at: str
    clause: str | None
    status: str
    source: str
    reason: str | None
    detail: dict[str, Any] | None


class HistoryOut(BaseModel):
    """A form's events, oldest first (``formgen consent history --json``)."""

    form_id: str
    events: list[HistoryEvent]


class DueRecording(RecordingOut):
    overdue: bool


class DueProof(BaseModel):
    """A destroyed recording whose proof retention ends: then the worker erases what is
    personal in its record."""

    id: str
    title: str
    destroyed_on: dt.date
    erase_on: dt.date
    overdue: bool


class DueOut(BaseModel):
    """Recordings past (or near) their deletion date, and destroyed recordings whose
    proof retention ends, as ``formgen due --json``."""

    on: dt.date
    recordings: list[DueRecording]
    proofs: list[DueProof]


class DestructionOut(BaseModel):
    """What ``formgen destroy --json`` reports."""

    id: str
    destroyed_at: str
    by: str
    consents_expired: int
    scan_images_removed: int
    documents_removed: int
    proof_kept_until: dt.date


class ExportOut(BaseModel):
    """The consent record as one ISO/IEC TS 27560 record per form in W3C DPV terms
    (``formgen export --json``; schema/consent-record.schema.json in the sources)."""

    model_config = ConfigDict(populate_by_name=True)
    context: dict[str, Any] = Field(alias="@context")
    export_version: int
    exported_at: str
    recording: dict[str, Any]
    recording_log: list[dict[str, Any]]
    records: list[dict[str, Any]]


class UserOut(BaseModel):
    """An account, as ``formgen user add --json`` prints it."""

    id: str
    email: str
    name: str
    role: Literal["student", "supervisor", "officer"]
    lang: str | None
    disabled: bool


class UserList(BaseModel):
    """Every account, as ``formgen user list --json`` prints them."""

    users: list[UserOut]


# --- requests: the CLI's option names without dashes ----------------------------------
# Strict types: JSON says what a value is, and a value of another type is a mistake to
# refuse (422 naming the field), not to convert: 3.0 is no situation, "2" no count,
# "yes" no true. Only a date comes as a string (JSON has no dates).

Name = Annotated[str, Field(min_length=1, max_length=rules.MAX_NAME)]
STRICT = ConfigDict(extra="forbid", strict=True)
Day = Annotated[dt.date, Strict(False)]


def _exactly_one_two_or_three(value: Any) -> Any:
    """A Literal compares by equality, so 3.0 and true would pass as 3 and 1."""
    if type(value) not in (int, str):
        raise ValueError("situation is 1, 2 or 3")
    return value


class RecordingIn(BaseModel):
    """A new recording of the signed-in student (``formgen recording create``)."""

    model_config = STRICT
    title: Name
    supervisor: str = Field(
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+$",
        description="The supervisor's account e-mail; their name goes on the forms.",
    )
    situation: Annotated[
        Literal[1, 2, 3, "1", "2", "3"], BeforeValidator(_exactly_one_two_or_three)
    ] = Field(description="1 partner institution, 2 other internship institution, 3 outside any")
    purpose: Literal["reflection", "assessment", "final-level"] = Field(
        description="Sets the retention: 4 weeks, 1 year or 7 years (by configuration)."
    )
    date: Day = Field(description="Date of the recording.")
    institution: Name | None = Field(None, description="Required in situations 1 and 2.")
    media: Literal["video", "audio", "both"] = "both"
    livestream: bool = False
    livestream_stored: bool = False
    view360: bool = Field(False, alias="360", description="A 360-degree camera is used.")
    lang: Literal["nl", "en"] | None = Field(
        None, description="Language of the declarations (default: the student's, else nl)."
    )

    def values(self) -> dict[str, Any]:
        out = self.model_dump(exclude={"lang"})
        return out if self.lang is None else {**out, "lang": self.lang}


class ParticipantIn(BaseModel):
    """A participant (``formgen participant add``): a name, or ``blank`` forms whose
    names are written on the paper (``count`` of them)."""

    model_config = STRICT
    name: Name | None = Field(None, description="The participant's (for under-16s: the child's).")
    under_16: bool = Field(False, description="A parent or guardian consents.")
    lang: Literal["nl", "en"] | None = Field(None, description="Default: the recording's.")
    blank: bool = False
    count: int = Field(1, ge=1, le=500, description="How many blank forms (with blank).")

    @model_validator(mode="after")
    def name_or_blank(self) -> ParticipantIn:
        if self.blank == (self.name is not None):
            raise ValueError("give either name or blank")
        if not self.blank and self.count != 1:
            raise ValueError("count goes with blank")
        return self


class DecisionIn(BaseModel):
    """A person's decision on a review item (``formgen review resolve``)."""

    model_config = STRICT
    decision: Literal["given", "refused", "no_answer", "withdrawn"] = Field(
        description="withdrawn: for a given consent an unclear withdrawal form put in review"
    )
    name: Name | None = Field(None, description="The name as handwritten on a blank form.")


class WithdrawalIn(BaseModel):
    """A withdrawal of consent (``formgen withdraw``)."""

    model_config = STRICT
    clause: str | None = Field(
        None, max_length=40, description="Only this clause (default: every given clause)."
    )
    reason: Name | None = Field(None, description="How it reached you, e.g. 'e-mail of 3 March'.")
