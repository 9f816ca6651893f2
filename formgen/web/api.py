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
from typing import Annotated, Any

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
from pydantic import BaseModel

from formgen.record import jobs
from formgen.web.api_models import (
    DecisionIn,
    DestructionOut,
    DueOut,
    ExportOut,
    HistoryOut,
    JobOut,
    LayoutOut,
    ParticipantIn,
    ParticipantList,
    ParticipantOut,
    Problem,
    RecordingIn,
    RecordingList,
    RecordingOut,
    Resolved,
    ReviewDetailOut,
    ReviewList,
    StatusOut,
    UserList,
    UserOut,
    WithdrawalIn,
    WithdrawalOut,
)
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
