"""A recording's documents and scans: the declarations, the request letter and the
reminders to print, invitations by e-mail, a withdrawal form, an online answer's text,
who must not appear; uploaded scans and the job that reads them."""

from __future__ import annotations

from pathlib import PurePath
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from formgen import rules
from formgen.api import NotAllowed
from formgen.documents import cache
from formgen.errors import Conflict, FormgenError, NotFound, RecordError
from formgen.record import jobs
from formgen.rules import Act
from formgen.web import declarations_ahead, i18n
from formgen.web.auth import Changing, Person, Posted, page_person
from formgen.web.ids import (
    OPTIONAL_ID,
    AnswerId,
    FormId,
    JobId,
    RecordingId,
)
from formgen.web.page_tools import (
    attachment,
    flag,
    parse_date,
    pdf,
    see_other,
    text,
    whole_number,
)
from formgen.web.page_words import (
    words,
)
from formgen.web.recording_page import (
    back,
    current_form,
    kept_out,
    reasons,
    recording_view,
    refused,
    show,
)
from formgen.web.templating import render, request_lang, said, translate
from formgen.words import N_, Word

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]


# --- Documents --------------------------------------------------------------------------


@router.get("/recordings/{recording_id}/declarations.pdf")
def declarations(
    request: Request, recording_id: RecordingId, person: Signed, round: int = 0
) -> Response:
    """Every current declaration, or (``round``) only those of one round: after a
    re-consent, the new forms to hand out."""
    fg = person.fg
    seen = fg.overview(recording_id)  # one reading of the record for the whole page
    status = seen.status
    rec = status.recording
    if status.destroyed is not None:
        raise Conflict(N_("recording {id} was destroyed: its documents are gone"), id=rec.id)
    # Kept by content (documents.cache): the page started its render before the click.
    if round:
        chosen = [p.form_id for p in status.participants if p.round == round]
        if not chosen:
            raise NotFound(
                N_("no declarations of round {round} in recording {recording}"),
                round=round,
                recording=rec.id,
            )
        selection = f"declarations-round{round}"
        want = cache.wanted(fg.engine, fg.config, rec.id, chosen, selection)
        data = declarations_ahead.ahead(request).pdf(person, want, chosen)
        return attachment(data, f"{rec.id}-{selection}.pdf")
    if not status.participants:
        raise RecordError(N_("recording {id} has no participants yet: add them first"), id=rec.id)
    want = cache.wanted(fg.engine, fg.config, rec.id)
    data = declarations_ahead.ahead(request).pdf(person, want, None)
    return attachment(data, f"{rec.id}-declarations.pdf")


@router.get("/recordings/{recording_id}/declarations/ready")
def declarations_ready(request: Request, recording_id: RecordingId, person: Signed) -> Response:
    """The download button, or "busy…" while the PDF is rendered ahead (polled)."""
    fg = person.fg
    rec = fg.recording(recording_id)  # 404 for a recording the person may not see
    ready = declarations_ahead.state(request, person, rec.id)
    return render(request, "_rec_declarations.html", rec=rec, declarations_ready=ready)


@router.post("/recordings/{recording_id}/request.pdf")
def request_letter(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    """Situations 1 and 2: the supervisor's letter to the institution with blank,
    pre-ID'd declarations."""
    values = {
        "contact": text(form, "contact"),
        "count": text(form, "count"),
        "who": text(form, "who"),
        "request_lang": text(form, "lang"),
        "return_by": text(form, "return_by"),
    }
    try:
        if not values["contact"]:
            raise RecordError(N_("Give the institution's contact person."))
        return_by = parse_date(values["return_by"]) if values["return_by"] else None
        if values["return_by"] and return_by is None:
            raise RecordError(N_("Give the date the signed pages must be back."))
        count = whole_number(values["count"])
        if count is None:
            raise RecordError(N_("Give the number of blank forms in digits (0-9)."))
        written = pdf(
            request,
            person,
            "request",
            recording_id,
            contact=values["contact"],
            return_by=return_by,
            count=count,
            under_16=values["who"] != "adults",
            lang=values["request_lang"] or None,
            save=False,
        )
    except FormgenError as exc:
        return refused(request, person, recording_id, "request", exc, values)
    rec_id = person.fg.recording(recording_id).id
    return attachment(written.data, f"{rec_id}-request.pdf")


@router.post("/recordings/{recording_id}/reminders-sent")
def reminders_sent(request: Request, recording_id: RecordingId, person: Changing) -> Response:
    """The letters went out: only now does the checklist count the people reminded."""
    try:
        done = person.fg.reminders_sent(recording_id)
    except FormgenError as exc:
        return refused(request, person, recording_id, "remind", exc)
    return back(done["id"], "reminded", "reminders")


@router.post("/recordings/{recording_id}/invitations")
def invitations(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    """Situation 3: e-mail the invitation to answer online (or a reminder to those who
    have not answered) to every participant with an address; only on this button."""
    try:
        done = person.fg.invite(recording_id, reminder=flag(form, "reminder"))
    except FormgenError as exc:
        return refused(request, person, recording_id, "invite", exc)
    return back(done["id"], "invited" if done["sent"] else "invited_none", "invitations")


@router.post("/recordings/{recording_id}/reminders.pdf")
def reminders(request: Request, recording_id: RecordingId, person: Changing) -> Response:
    """Situation 3, after recording: a letter to each person who consented about their
    right to withdraw, with their withdrawal form. The record notes it was made."""
    try:
        written = pdf(request, person, "remind", recording_id, save=False)
    except FormgenError as exc:
        return refused(request, person, recording_id, "remind", exc)
    rec_id = person.fg.recording(recording_id).id
    return attachment(written.data, f"{rec_id}-reminders.pdf")


@router.get("/recordings/{recording_id}/forms/{form_id}/withdrawal.pdf")
def withdrawal_form(
    request: Request, recording_id: RecordingId, form_id: FormId, person: Signed
) -> Response:
    if person.fg.status(recording_id).destroyed is not None:
        raise Conflict(N_("recording {id} was destroyed: its documents are gone"), id=recording_id)
    form = current_form(person, recording_id, form_id).form_id
    written = pdf(request, person, "withdrawal_form", form, save=False)
    return attachment(written.data, f"{form}-withdrawal.pdf")


@router.get("/recordings/{recording_id}/online-answers/{answer_id}")
def online_text(
    request: Request, recording_id: RecordingId, answer_id: AnswerId, person: Signed
) -> Response:
    """The page the person who answered online saw, exactly as it was kept. It is
    formgen's own rendering, but stored: it is served sandboxed, with nothing to run
    and nothing fetched."""
    page, matches = person.fg.online_text(recording_id, answer_id)
    return HTMLResponse(
        page,
        headers={
            "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline';"
            " img-src data:",
            "X-Formgen-Text-Matches-Hash": "yes" if matches else "no",
            "Cache-Control": "no-store",
        },
    )


@router.get("/recordings/{recording_id}/must-not-appear")
def must_not_appear(request: Request, recording_id: RecordingId, person: Signed) -> Response:
    lang = request_lang(request)
    status = person.fg.status(recording_id)
    say = i18n.translator(lang, i18n.user_dir(request))
    return render(
        request,
        "recording_must_not_appear.html",
        rec=status.recording,
        destroyed=status.destroyed is not None,
        absent=[(p, reasons(p, say)) for p in status.must_not_appear],
        kept_out=kept_out(status, say),
        collector=rules.consent_collector(status.recording.situation),
        **words(lang),
    )


# --- Scans ------------------------------------------------------------------------------


def sorted_uploads(request: Request, uploads: list[Any]) -> tuple[list[Any], list[Any]]:
    """The uploaded files that can be read, and the refusals of those that cannot. A bad
    file does not hold up the good ones: they land, and it is named; with no good file
    at all, the refusals are the page's one problem."""
    good: list[Any] = []
    bad: list[Any] = []
    for upload in uploads:
        try:
            name, data = uploaded(upload)
        except RecordError as exc:
            bad.append(exc)
            continue
        problem = jobs.refusal(name, data)
        if problem is None:
            good.append((name, data))
        else:
            bad.append(problem)
    if not good:
        raise RecordError("; ".join(said(request, b) for b in bad))
    return good, bad


@router.post("/recordings/{recording_id}/scans")
def upload_scans(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    """Store the files as a scan job and go back to the page, which follows the job.
    Starlette has streamed each file to a temporary file while the request arrived; a
    file is read (here, off the event loop) only once the person may add it."""
    uploads = [
        upload
        for upload in form.getlist("files")
        # a browser sends an empty part for no file
        if isinstance(upload, UploadFile) and (upload.filename or upload.size)
    ]
    try:
        rec = person.fg.recording(recording_id)
        if not person.fg.may(Act.CHANGE, rec.id):
            raise NotAllowed(
                N_("your role ({role}) may not add scans to {id}"),
                role=Word(person.user.role),
                id=rec.id,
            )
        if person.fg.status(rec.id).destroyed:
            raise Conflict(
                N_("recording {id} was destroyed: there is nothing to add scans to"), id=rec.id
            )
        if not uploads:
            raise RecordError(N_("Choose at least one file."))
        good, bad = sorted_uploads(request, uploads)
        job = person.fg.submit_scans(good)
    except FormgenError as exc:
        return refused(request, person, recording_id, "upload", exc)
    if bad:
        refusals = "; ".join(said(request, b) for b in bad)
        refused_words = translate(request)(N_("Not read (the other files are):"))
        return show(
            request,
            person,
            rec.id,
            job_id=job.id,
            problems={"upload": f"{refused_words} {refusals}"},
        )
    return see_other(f"/recordings/{rec.id}?job={job.id}#upload")


def uploaded(upload: UploadFile) -> tuple[str, BinaryIO]:
    """An uploaded file's name and its temporary file, which the library stores part by
    part; one larger than a scan job takes is refused before it is read."""
    name = PurePath((upload.filename or "").replace("\\", "/")).name or "upload"
    if upload.size is not None and upload.size > jobs.MAX_FILE_BYTES:
        raise RecordError(
            N_("{file} is larger than {n} MiB"), file=name, n=jobs.MAX_FILE_BYTES >> 20
        )
    upload.file.seek(0)
    return name, upload.file


@router.get("/jobs/{job_id}")
def job_fragment(
    request: Request,
    job_id: JobId,
    person: Signed,
    recording: Annotated[str, Query(pattern=OPTIONAL_ID)] = "",
) -> Response:
    """A scan job's progress (polled every second while it runs). Done, with the
    recording it was uploaded on, the page's status sections come along (out of band),
    so the person sees the new consent at once."""
    job = person.fg.job(job_id)
    lang = request_lang(request)
    rec_id = person.fg.recording(recording).id if recording else None
    finished = job.state in ("done", "failed")
    # The page's sections are rebuilt only once, when the job has finished.
    view = recording_view(person, rec_id, lang) if rec_id and finished else words(lang)
    return render(
        request,
        "_rec_job_response.html",
        job=job,
        rec_id=rec_id,
        oob=rec_id is not None and finished,
        problems={},
        v={},
        **view,
    )
