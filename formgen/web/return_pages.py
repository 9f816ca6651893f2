"""The return link, the institution's side (situations 1 and 2): the page a request
letter's link or QR code opens, where the contact person uploads the signed pages. No
account: the link's secret is the authority, and it lets its holder do one thing, add
files. The page shows nothing of the record (no recording, no names, no form numbers):
after an upload only how many pages came in and that the supervisor checks them.

The upload is checked as the recording page's is (PDFs and images, the same size
limits; a bad file is named and the good ones land); the form carries a CSRF token of
its own, kept in a signed cookie, as the sign-in form does before there is a session."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from formgen.aftercare.returns import ReturnLinkExpired, ReturnLinkRefused
from formgen.errors import FormgenError, RecordError
from formgen.record import jobs
from formgen.web.auth import Changing, Posted, keep_login_token, login_checked, login_token
from formgen.web.document_pages import sorted_uploads
from formgen.web.ids import ID, RecordingId
from formgen.web.page_words import date_words, words
from formgen.web.recording_page import refused
from formgen.web.templating import render, request_lang, said
from formgen.words import N_

router = APIRouter(default_response_class=Response)
RequestId = Annotated[str, PathParam(pattern=ID, description="A request's ID, e.g. Q-7KQ2M9")]


def _closed(request: Request, expired: bool) -> Response:
    return render(request, "return_closed.html", status=410 if expired else 404, expired=expired)


def _form(request: Request, secret: str, status: int = 200, problem: str | None = None) -> Response:
    link = request.app.state.fg.return_link(secret)
    token = login_token(request)
    page = render(
        request,
        "return_upload.html",
        status=status,
        secret=secret,
        form_csrf=token,
        until=date_words(link.open_until, request_lang(request), full=True),
        problem=problem,
    )
    return keep_login_token(request, page, token)


@router.get("/r/{secret}")
def return_page(request: Request, secret: str) -> Response:
    try:
        return _form(request, secret)
    except ReturnLinkExpired:
        return _closed(request, expired=True)
    except ReturnLinkRefused:
        return _closed(request, expired=False)


@router.post("/r/{secret}", dependencies=[Depends(login_checked)])
def return_upload(request: Request, secret: str, form: Posted) -> Response:
    fg = request.app.state.fg
    uploads = [
        upload
        for upload in form.getlist("files")
        if isinstance(upload, UploadFile) and (upload.filename or upload.size)
    ]
    try:
        fg.return_link(secret)
        if not uploads:
            raise RecordError(N_("Choose at least one file."))
        good, bad = sorted_uploads(request, uploads)
        pages = _pages(fg, good)
        fg.return_upload(secret, good)
    except ReturnLinkExpired:
        return _closed(request, expired=True)
    except ReturnLinkRefused:
        return _closed(request, expired=False)
    except FormgenError as exc:
        return _form(request, secret, 422, said(request, exc))
    not_read = "; ".join(said(request, b) for b in bad) if bad else None
    return render(request, "return_done.html", pages=pages, files=len(good), not_read=not_read)


def _pages(fg: Any, files: list[tuple[str, BinaryIO]]) -> int:
    """How many pages the files hold, counted from private copies (0700, opaque names,
    removed at once): the only thing the page tells about what came in."""
    folder = Path(tempfile.mkdtemp(prefix="formgen-return-"))
    try:
        paths = []
        for number, (_, data) in enumerate(files):
            path = folder / f"{number:03d}.{jobs.kind_of(data.read(8)) or 'bin'}"
            data.seek(0)
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(data, out)
            data.seek(0)
            paths.append(path)
        return int(fg.scan_page_count(paths))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- The supervisor's side --------------------------------------------------------------


@router.post("/recordings/{recording_id}/requests/{request_id}/link")
def renew_link(
    request: Request, recording_id: RecordingId, request_id: RequestId, person: Changing
) -> Response:
    """A new return link for a request, shown this once with its QR code (only its hash
    is kept); the old one stops working."""
    try:
        made = person.fg.renew_return_link(recording_id, request_id)
    except FormgenError as exc:
        return refused(request, person, recording_id, "request", exc)
    from formgen.documents.render import qr_data_uri

    return render(
        request,
        "return_link.html",
        req=made,
        rec_id=made.recording_id,
        qr=qr_data_uri(made.url),
        **words(request_lang(request)),
    )
