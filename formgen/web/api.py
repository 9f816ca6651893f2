"""The JSON API under /api/v1 for programs (docs/contract.md): bearer tokens, the CLI's
JSON shapes (docs/contract.md), problem+json errors, described by OpenAPI.

Every route asks the library as the caller (``person.fg``, ``Formgen.as_user``) and
returns what its ``as_dict()`` gives, unfiltered: the models below only describe those
documents for the OpenAPI document (and schemathesis checks that they stay true). No rule
is decided here; request models check only the shape of what is sent.

Status codes: 200 read or done, 201 made, 202 accepted for a worker; 400 a body that
cannot be read; 401 no or a bad token; 403 the caller's role may not do that to a
recording they see, or a list the role has no business with (or a browser session's
change without its CSRF token); 404 missing, or not the caller's to see; 409 the
record's state forbids it (destroyed, already decided, not printed yet); 411/413 an
upload without a length or too large; 422 a value the record refuses; 503 the store
cannot be used.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import (
    APIRouter,
    Body,
    Depends,
    FastAPI,
    File,
    Query,
    Request,
    Security,
    UploadFile,
)
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator

from formgen import rules
from formgen.record import jobs
from formgen.web.auth import Changing, Person, page_person
from formgen.web.ids import FormId, ImageName, ItemId, JobId, RecordingId
from formgen.web.templating import API

router = APIRouter()

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    bearerFormat="fg_…",
    description="An API token: `formgen user token EMAIL --json` gives one.",
)


def caller(
    request: Request,
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> Person:
    """The account of the bearer token (or of a browser session); 401 without."""
    return page_person(request)


def changer(
    person: Changing,
    token: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)] = None,
) -> Person:
    """As ``caller``, for changes: a browser session must also send its CSRF token."""
    return person


Caller = Annotated[Person, Depends(caller)]
Changer = Annotated[Person, Depends(changer)]

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


# --- how each route can answer ----------------------------------------------------------

WHY = {
    400: "The body cannot be read: not UTF-8 JSON, or a broken multipart upload",
    401: "No bearer token, or one that does not work (any more)",
    403: "Your role may not do this to the recording (or a browser change without CSRF)",
    404: "No such recording, form, job or item, or not yours to see",
    409: "The record's state forbids it (destroyed, already decided, not printed yet)",
    411: "An upload without Content-Length",
    413: "The upload is too large",
    422: "A value the record refuses, or a request of the wrong shape",
    503: "The store cannot be used right now; try again",
}


def answers(success: int, model: Any, *codes: int, **extra: Any) -> dict[str, Any]:
    """The route's ``responses``: its success document and its problems."""
    documented = isinstance(model, type) and issubclass(model, BaseModel)
    said = (model.__doc__ or "").strip().split("\n\n")[0] if documented else ""
    extra.setdefault("description", " ".join(said.split()) or "Done")
    out: dict[int | str, Any] = {success: {"model": model, **extra} if model else extra}
    for code in sorted({401, 503, *codes}):
        out[code] = {"model": Problem, "description": WHY[code]}
    return {"status_code": success, "responses": out}


def location(path: str) -> dict[str, Any]:
    return {
        "headers": {
            "Location": {"description": f"The URL of the new {path}", "schema": {"type": "string"}}
        }
    }


def document(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers=headers)


# --- routes -------------------------------------------------------------------------------


@router.get("/me", summary="The account the token belongs to", **answers(200, UserOut))
def me(person: Caller) -> JSONResponse:
    return document(person.user.as_dict())


@router.get("/recordings", summary="The recordings you may see", **answers(200, RecordingList))
def list_recordings(person: Caller) -> JSONResponse:
    return document({"recordings": [r.as_dict() for r in person.fg.recordings()]})


@router.post(
    "/recordings",
    summary="Register a recording of yours (students)",
    **answers(201, RecordingOut, 400, 403, 422, **location("recording")),
)
def create_recording(body: RecordingIn, person: Changer) -> JSONResponse:
    made = person.fg.create_recording(**body.values())
    return document(made.as_dict(), 201, {"Location": f"{API}/recordings/{made.id}"})


@router.get(
    "/recordings/{recording_id}",
    summary="A recording's consent record: who consented to what, camera advice, who "
    "must not appear",
    **answers(200, StatusOut, 404, 422),
)
def recording_status(recording_id: RecordingId, person: Caller) -> JSONResponse:
    return document(person.fg.status(recording_id).as_dict())


@router.post(
    "/recordings/{recording_id}/participants",
    summary="Add a participant (or blank forms), each with a declaration form ID",
    **answers(
        201,
        ParticipantOut | ParticipantList,
        *(400, 403, 404, 409, 422),
        description="The participant added (with a name), or the blank forms added",
    ),
)
def add_participants(
    recording_id: RecordingId, body: ParticipantIn, person: Changer
) -> JSONResponse:
    names: list[str | None] = [None] * body.count if body.blank else [body.name]
    added = person.fg.add_participants(recording_id, names, under_16=body.under_16, lang=body.lang)
    rows = [
        {"id": p.id, "form_id": p.form_id, "name": p.name, "variant": p.variant, "lang": p.lang}
        for p in added
    ]
    return document(rows[0] if not body.blank else {"participants": rows}, 201)


PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


@router.get(
    "/recordings/{recording_id}/declarations.pdf",
    summary="One PDF with every participant's declaration, ready to print",
    response_class=Response,
    **answers(200, None, 404, 409, 422, content=PDF, description="The declarations (PDF)"),
)
def declarations(request: Request, recording_id: RecordingId, person: Caller) -> Response:
    rec = person.fg.recording(recording_id)
    written = request.app.state.renderer(person.user, "forms", rec.id, save=False)
    return Response(
        written.data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{rec.id}-declarations.pdf"'},
    )


@router.get(
    "/recordings/{recording_id}/export",
    summary="The consent record as JSON (ISO/IEC TS 27560 in W3C DPV terms; the officer)",
    **answers(200, ExportOut, 403, 404, 422),
)
def export(recording_id: RecordingId, person: Caller) -> JSONResponse:
    return document(person.fg.export(recording_id))


@router.post(
    "/recordings/{recording_id}/destruction",
    summary="Record that the recording was destroyed; its scans and printed documents go",
    **answers(200, DestructionOut, 403, 404, 409, 422),
)
def destroy(recording_id: RecordingId, person: Changer) -> JSONResponse:
    return document(person.fg.destroy(recording_id))


@router.get(
    "/forms/{form_id}/layout",
    summary="Where a printed form's boxes and signature field are (mm)",
    **answers(200, LayoutOut, 404, 409, 422),
)
def layout(form_id: FormId, person: Caller) -> JSONResponse:
    return document(person.fg.layout(form_id))


@router.get(
    "/forms/{form_id}/history",
    summary="Every event of a form, oldest first: what was decided, when, from which "
    "scan page or by whom",
    **answers(200, HistoryOut, 404, 422),
)
def history(form_id: FormId, person: Caller) -> JSONResponse:
    return document(person.fg.history(form_id))


@router.post(
    "/forms/{form_id}/withdrawal",
    summary="Record that a person withdrew consent (every given clause, or one)",
    **answers(200, WithdrawalOut, 400, 403, 404, 409, 422),
)
def withdraw(
    form_id: FormId, person: Changer, body: Annotated[WithdrawalIn | None, Body()] = None
) -> JSONResponse:
    body = body or WithdrawalIn()
    return document(person.fg.withdraw(form_id, clause=body.clause, reason=body.reason))


SCANS = "PDF, PNG, JPEG or TIFF files: scanned declarations, many forms in any order"


@router.post(
    "/scans",
    summary="Upload signed scans or photos; a worker imports them (poll the job)",
    **answers(202, JobOut, 400, 403, 411, 413, 422, **location("job")),
)
def upload_scans(
    files: Annotated[list[UploadFile], File(description=SCANS)], person: Changer
) -> JSONResponse:
    job = person.fg.submit_scans([(f.filename or "upload", f.file) for f in files])
    return document(job.as_dict(), 202, {"Location": f"{API}/jobs/{job.id}"})


@router.get(
    "/jobs/{job_id}",
    summary="A scan import of yours: its state, progress and, when done, every page",
    **answers(200, JobOut, 404, 422),
)
def job(job_id: JobId, person: Caller) -> JSONResponse:
    return document(person.fg.job(job_id).as_dict())


@router.get(
    "/reviews",
    summary="What the scan reader was not sure about, of the recordings you may review",
    **answers(200, ReviewList),
)
def reviews(person: Caller) -> JSONResponse:
    return document({"items": [i.as_dict() for i in person.fg.review_items()]})


@router.get(
    "/reviews/{item}",
    summary="One review item: what the reader measured and the images it kept",
    **answers(200, ReviewDetailOut, 403, 404, 409, 422),
)
def review_item(item: ItemId, person: Caller) -> JSONResponse:
    return document(person.fg.review_item(item).as_dict())


IMAGES = {
    "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
    "image/png": {"schema": {"type": "string", "format": "binary"}},
}


@router.get(
    "/reviews/{item}/images/{name}",
    summary="An image kept for a review item (the page or a crop)",
    response_class=Response,
    **answers(200, None, 403, 404, 409, 422, content=IMAGES, description="The image"),
)
def review_image(item: ItemId, name: ImageName, person: Caller) -> Response:
    data = person.fg.review_image(item, name)
    return Response(data, media_type=f"image/{jobs.kind_of(data[:8]) or 'png'}")


@router.post(
    "/reviews/{item}",
    summary="Decide a review item (supervisor of the recording, or the officer)",
    **answers(200, Resolved, 400, 403, 404, 409, 422),
)
def resolve(item: ItemId, body: DecisionIn, person: Changer) -> JSONResponse:
    return document(person.fg.resolve(item, body.decision, name=body.name))


@router.get(
    "/due",
    summary="Recordings past their deletion date, or due within some days (supervisors, "
    "the officer)",
    **answers(200, DueOut, 403, 422),
)
def due(
    person: Caller,
    on: Annotated[dt.date | None, Query(description="Date to check (default today)")] = None,
    within: Annotated[int, Query(ge=0, le=3650, description="Also due within days")] = 0,
) -> JSONResponse:
    day = on or person.fg.today()
    return document(
        {
            "on": day.isoformat(),
            "recordings": person.fg.due(day, within),
            "proofs": person.fg.proofs_due(day, within),
        }
    )


@router.get("/users", summary="Every account (the officer)", **answers(200, UserList, 403))
def users(person: Caller) -> JSONResponse:
    return document({"users": [u.as_dict() for u in person.fg.users()]})


# --- the OpenAPI document -------------------------------------------------------------------


def openapi(app: FastAPI) -> dict[str, Any]:
    """The API's OpenAPI document: only the routes under /api/v1 (pages are for people)
    and the schemas they use, every problem as ``application/problem+json``."""
    if app.openapi_schema is None:
        doc = get_openapi(
            title="formgen API",
            version=app.version,
            summary=app.summary,
            description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
            routes=app.routes,
        )
        doc["paths"] = {k: v for k, v in doc.get("paths", {}).items() if k.startswith(API + "/")}
        for operations in doc["paths"].values():
            for operation in operations.values():
                for code, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if code[0] in "45" and "application/json" in content:
                        content["application/problem+json"] = content.pop("application/json")
        schemas = doc.get("components", {}).get("schemas", {})
        used = _referenced(doc["paths"], schemas)
        doc["components"]["schemas"] = {k: v for k, v in schemas.items() if k in used}
        app.openapi_schema = doc
    return app.openapi_schema


def _referenced(start: Any, schemas: dict[str, Any]) -> set[str]:
    """The component schemas reachable from ``start`` through $ref."""
    found: set[str] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in found:
                    found.add(name)
                    todo.append(schemas.get(name))
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
    return found
