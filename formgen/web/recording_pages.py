"""The recording pages: my recordings, a new recording, and one recording with its
participants, documents, scans, status, checklist, description, re-consent, withdrawal
and destruction.

Every route asks the library as the signed-in person (``person.fg``): a recording they
may not see answers 404 there, what their role may not do is refused there. This module
only decides what to show (``rules`` says what applies, ``fg.may`` who may) and how.
Changes are plain form posts (they work without JavaScript) that redirect back to the
page; a refusal shows the page again with the message beside the form and nothing lost.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Annotated, Any, BinaryIO

from babel.dates import format_date
from babel.units import format_unit
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from formgen import rules
from formgen import words as service_words
from formgen.api import NotAllowed
from formgen.errors import Conflict, FormgenError, NotFound, RecordError
from formgen.online import answers
from formgen.record import jobs
from formgen.rules import Act, Situation, Status
from formgen.web import i18n
from formgen.web.app import render, request_lang, said
from formgen.web.auth import Changing, Person, Posted, page_person
from formgen.web.ids import (
    OPTIONAL_ID,
    AnswerId,
    FormId,
    ItemId,
    JobId,
    ParticipantId,
    RecordingId,
    StepKey,
)
from formgen.words import N_, Word

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]

# --- Words (English message IDs, marked N_; Dutch in the service catalogue) --------------

# Each situation in one plain sentence: who collects consent (rules.consent_collector).
SITUATIONS: dict[str, tuple[str, str]] = {
    "1": (
        N_("At a partner institution"),
        N_(
            "An institution the faculty works with structurally (a training school, say), with"
            " a protocol: the institution asks for consent beforehand. Check with your"
            " supervisor or the contact person there who has given general consent, and"
            " discuss whether your supervisor should ask for extra declarations. Do not ask for"
            " consent yourself."
        ),
    ),
    "2": (
        N_("At another internship institution"),
        N_(
            "Another internship institution (a primary or secondary school, or childcare): the"
            " most common situation. Check with your supervisor or the contact person there"
            " what the institution has arranged and who has given general consent; if needed,"
            " your supervisor asks for extra declarations. Do not ask for consent yourself."
        ),
    ),
    "3": (
        N_("Outside any institution"),
        N_(
            "Outside any institution nothing is arranged beforehand: you arrange every"
            " declaration yourself, with the standard form, and keep them (a digital copy)"
            " until the recording is destroyed."
        ),
    ),
}
PURPOSES = {
    "reflection": N_("Reflection"),
    "assessment": N_("Direct evidence in an assessment"),
    "final-level": N_("Direct evidence of reaching the programme's final level"),
}
MEDIA = {"both": N_("Image and sound"), "video": N_("Image only"), "audio": N_("Sound only")}
CLAUSES = {"recording": "Recording", "livestream": "Live stream", "360": "360 degrees"}
STATUS_WORDS = {
    "requested": N_("requested: form not back yet"),
    "given": N_("consent given"),
    "refused": N_("refused"),
    "no_answer": N_("no answer: no consent"),
    "review": "to review",
    "withdrawn": "withdrawn",
    "expired": N_("expired"),
    "invalidated": N_("invalidated: asked again"),
}
SUMMARY_WORDS = {
    "destroyed": (N_("Destroyed"), N_("the recording was destroyed")),
    "due": (N_("Due"), N_("the deletion date has come: destroy it")),
    "empty": (N_("Empty"), N_("no participants registered yet")),
    "open": (N_("Open"), N_("someone's consent is not settled yet (form not back, or to review)")),
    "partial": (N_("Partial"), N_("settled, but someone must not appear")),
    "complete": (N_("Complete"), N_("everyone registered may appear")),
}
STEP_STATES = {"open": N_("to do"), "done": N_("done"), "not_needed": N_("not needed")}
LANG_NAMES = {"nl": N_("Dutch"), "en": N_("English")}
# How a withdrawal reached the student: recorded as the event's reason.
WITHDRAWAL_WAYS = {
    "email": (N_("By e-mail"), "by e-mail"),
    "person": (N_("In person"), "in person"),
    "phone": (N_("By phone"), "by phone"),
    "letter": (N_("By letter or on the withdrawal form"), "by letter or on the withdrawal form"),
    "other": (N_("Another way"), "in another way"),
}
NOTICES = {
    "created": N_("The recording is made. Add its participants next."),
    "added": N_("Added. Their declarations are in the PDF."),
    "withdrawn": N_("The withdrawal is recorded. The person must not appear any more."),
    "reconsent": N_("Changed. Earlier consent no longer counts: hand out the new declarations."),
    "destroyed": N_("The destruction is recorded."),
    "confirmed": "The step is confirmed.",
    "reminded": N_("Recorded: the reminders were sent."),
    "invited": N_("The invitations are sent."),
    "invited_none": N_("Nothing was sent: no one with an e-mail address is waiting for one."),
    "not_returned": N_("Recorded: the forms not returned count as no consent."),
    "edited": N_("The correction is saved."),
    "edited_reconsent": (
        N_(
            "The correction is saved. Earlier consent no longer counts: hand out the new"
            " declarations."
        )
    ),
    "renamed": N_("The name is corrected."),
    "removed": N_("The person is removed from this recording."),
    "voided": N_("The person's form is voided: their consent ended, its history stays."),
    "undone": N_("The confirmation is taken back."),
    "review_undone": N_("The decision is taken back: the answer is in the review queue again."),
}
LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def date_words(day: dt.date | str, lang: str, full: bool = False) -> str:
    """A date the language's way; a moment as the record keeps it (ISO) by its day."""
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return format_date(day, format="full" if full else "long", locale=LOCALES[lang])


def period_words(amount: int, unit: str, lang: str) -> str:
    return format_unit(amount, f"duration-{unit.rstrip('s')}", locale=LOCALES[lang], length="long")


# --- Small helpers ----------------------------------------------------------------------


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def translate(request: Request) -> Callable[[str], str]:
    """The page's words, in the language ``render`` chooses for the page around them."""
    return i18n.translator(request_lang(request), i18n.user_dir(request))


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def attachment(data: bytes, filename: str) -> Response:
    """A PDF to download, from memory: nothing is written to the server's disk."""
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def pdf(request: Request, person: Person, method: str, *args: Any, **kwargs: Any) -> Any:
    """``person.fg.METHOD(*args, **kwargs)`` for a method that renders a PDF, in a
    rendering process (``rendering.Renderer``): it holds no lock the server needs."""
    return request.app.state.renderer(person.user, method, *args, **kwargs)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def flag(form: FormData, name: str) -> bool:
    return text(form, name) in ("on", "true", "1", "yes")


def whole_number(value: str) -> int | None:
    """A count typed in a form: ASCII digits only ("²" and "٣" are digits to
    ``str.isdigit`` but not to ``int``); empty is 0."""
    if not value:
        return 0
    return int(value) if re.fullmatch(r"[0-9]{1,6}", value) else None


def parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def words(lang: str) -> dict[str, Any]:
    """What every recording template needs to say things."""
    return {
        "situations": SITUATIONS,
        "purpose_names": PURPOSES,
        "media_names": MEDIA,
        "clause_names": CLAUSES,
        "status_words": STATUS_WORDS,
        "summary_words": SUMMARY_WORDS,
        "step_states": STEP_STATES,
        "lang_names": LANG_NAMES,
        "withdrawal_ways": WITHDRAWAL_WAYS,
        "setup": rules.SETUP,
        "date_words": lambda day, full=False: date_words(day, lang, full),
        "period_words": lambda amount, unit: period_words(amount, unit, lang),
    }


def reasons(person: Any, say: Callable[[str], str], only: str | None = None) -> list[str]:
    """Why a person must not appear (``rules.blocking_clauses``), in words; ``only``:
    the reasons of that one activity."""
    out = []
    for reason in rules.blocking_clauses(person.clauses, person.signed):
        clause, _, status = reason.partition(": ")
        if only is not None and status and clause != only:
            continue
        if status:
            out.append(
                f"{say(CLAUSES.get(clause, clause))}: {say(STATUS_WORDS.get(status, status))}"
            )
        else:
            out.append(say(reason))
    return out


# Each activity its own choice: who must not appear is listed per activity, apart.
KEPT_OUT = (
    ("recording", N_("Not in frame")),
    ("livestream", N_("Not during the live stream")),
    ("360", N_("Not with the 360-degree camera")),
)


def kept_out(status: Any, say: Callable[[str], str]) -> list[tuple[str, list[Any]]]:
    """``[(heading, [(person, why)])]`` for each activity someone must be kept out of;
    ``why`` names only that activity's answer (and a missing signature)."""
    groups = []
    for activity, heading in KEPT_OUT:
        out = status.kept_out_of(activity)
        if out:
            groups.append(
                (
                    heading,
                    [(p, [r for r in reasons(p, say, only=activity)]) for p in out],
                )
            )
    return groups


# --- My recordings ----------------------------------------------------------------------


@router.get("/recordings")
def recordings(request: Request, person: Signed) -> Response:
    fg = person.fg
    today = fg.today()  # the organisation's day, not the server's
    rows = []
    for status in sorted(fg.statuses(), key=lambda s: s.recording.recorded_on, reverse=True):
        rec = status.recording
        summary = rules.consent_summary(
            [(p.clauses, p.signed) for p in status.participants],
            destroyed=status.destroyed is not None,
            delete_by=rec.delete_by,
            today=today,
        )
        rows.append((rec, str(summary)))
    lang = request_lang(request)
    return render(
        request,
        "recordings.html",
        rows=rows,
        may_create=rules.may_create_recordings(person.user.role),
        **words(lang),
    )


# --- New recording ----------------------------------------------------------------------


def new_form(
    request: Request, person: Person, values: dict[str, str], problem: str | None, status: int
) -> HTMLResponse:
    lang = request_lang(request)
    return render(
        request,
        "new_recording.html",
        status=status,
        v=values,
        problem=problem,
        purposes=person.fg.retention(),
        delete_by=delete_by_words(person, values.get("date", ""), values.get("purpose", ""), lang),
        first_date=rules.FIRST_DATE.isoformat(),
        last_date=rules.LAST_DATE.isoformat(),
        **words(lang),
    )


def delete_by_words(person: Person, date: str, purpose: str, lang: str) -> dict[str, str]:
    """The deletion date for what is filled in so far: {"date", "period"}, {"problem"}
    or {} (not enough filled in)."""
    day = parse_date(date)
    retention = person.fg.retention()
    if day is None or purpose not in retention:
        return {}
    try:
        until = person.fg.delete_by(day, purpose)
    except RecordError as exc:
        return {"problem": service_words.problem(exc, lang, person.fg.config.templates_dir)}
    return {
        "date": date_words(until, lang, full=True),
        "period": period_words(*retention[purpose], lang),
    }


def only_students(person: Person) -> None:
    if not rules.may_create_recordings(person.user.role):
        raise NotAllowed(f"your role ({person.user.role}) may not create recordings")


@router.get("/recordings/new")
def new_recording_page(request: Request, person: Signed) -> Response:
    only_students(person)
    return new_form(request, person, {"lang": person.user.lang or request_lang(request)}, None, 200)


@router.get("/recordings/new/delete-by")
def delete_by_fragment(
    request: Request, person: Signed, date: str = "", purpose: str = ""
) -> Response:
    lang = request_lang(request)
    return render(
        request,
        "_rec_delete_by.html",
        delete_by=delete_by_words(person, date, purpose, lang),
    )


@router.post("/recordings/new")
def create_recording(request: Request, person: Changing, form: Posted) -> Response:
    only_students(person)
    names = (
        "title", "date", "situation", "institution", "purpose", "media", "supervisor", "lang",
    )  # fmt: skip
    values = {name: text(form, name) for name in names}
    for name in ("livestream", "livestream_stored", "view360"):
        values[name] = "on" if flag(form, name) else ""
    problem = None
    day = parse_date(values["date"])
    situation = values["situation"] if values["situation"] in SITUATIONS else None
    if not values["title"]:
        problem = "Give the recording a title."
    elif day is None:
        problem = "Give the date of the recording."
    elif situation is None:
        problem = N_("Choose where the recording takes place (situation 1, 2 or 3).")
    elif (
        rules.consent_collector(Situation(situation)) == "institution" and not values["institution"]
    ):
        problem = N_("Give the institution: in situations 1 and 2 it collects consent.")
    elif values["purpose"] not in person.fg.retention():
        problem = N_("Choose the purpose of the recording.")
    if problem is not None:
        return new_form(request, person, values, translate(request)(problem), 422)
    assert day is not None
    try:
        rec = person.fg.create_recording(
            title=values["title"],
            date=day,
            situation=values["situation"],
            purpose=values["purpose"],
            institution=values["institution"] or None,
            media=values["media"] or "both",
            livestream=bool(values["livestream"]),
            livestream_stored=bool(values["livestream_stored"]),
            view360=bool(values["view360"]),
            supervisor=values["supervisor"] or None,
            lang=values["lang"] or "nl",
        )
    except FormgenError as exc:
        return new_form(request, person, values, said(request, exc), 422)
    return see_other(f"/recordings/{rec.id}?done=created")


# --- The recording page -----------------------------------------------------------------


def _blank_and_out(person: Any) -> bool:
    """A blank form (its name is written on the paper) of which nothing came back."""
    return (
        person.name is None
        and person.signed is None
        and all(status == "requested" for status in person.clauses.values())
    )


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


def recording_view(person: Person, recording_id: str, lang: str) -> dict[str, Any]:
    """Everything the recording page and its fragments show; raises NotFound for a
    recording the person may not see."""
    fg = person.fg
    seen = fg.overview(recording_id)  # one reading of the record for the whole page
    status = seen.status
    rec = status.recording
    today = fg.today()
    may = {act: fg.may(act, rec.id) for act in (Act.CHANGE, Act.REQUEST, Act.DESTROY, Act.REVIEW)}
    destroyed = status.destroyed is not None
    change = not destroyed and may[Act.CHANGE]
    collector = rules.consent_collector(rec.situation)
    people = status.participants
    say = i18n.translator(lang, fg.config.templates_dir)
    return {
        "consent": status,
        "rec": rec,
        "people": people,
        # An institution's blank forms stand for no one until one comes back: one line
        # for those still out, not a row each ("name on the paper form" 25 times).
        "listed": [p for p in people if not _blank_and_out(p)],
        # who withdrew: the student must keep them out, also of what was recorded already
        "withdrew": [p for p in people if not destroyed and "withdrawn" in p.clauses.values()],
        "blanks_out": sum(1 for p in people if _blank_and_out(p)),
        "clause_keys": [str(c) for c in rules.clauses_for(rec.plan)],
        "destroyed": destroyed,
        "collector": collector,
        "checklist": seen.checklist,
        "description": seen.description,
        "description_problem": (
            service_words.problem(seen.description_problem, lang, fg.config.templates_dir)
            if seen.description_problem
            else None
        ),
        "earlier": seen.earlier,
        # situation 3 naming a school: probably the wrong situation (rules.situation_warning)
        "wrong_situation": rules.situation_warning(rec.situation, rec.institution) is not None,
        "absent": [(p, reasons(p, say)) for p in status.must_not_appear],
        "kept_out": kept_out(status, say),
        "latest_round": max((p.round for p in people), default=1),
        "platform": fg.config.org.platform,
        "purposes": fg.retention(),
        "can": {
            "change": change,
            "add": change and collector == "student",
            "declarations": not destroyed
            and bool(people)
            and (collector == "student" or may[Act.REQUEST]),
            "request": not destroyed
            and may[Act.REQUEST]
            and rules.may_request_from_institution(rec.situation),
            "upload": change,
            "remind": change
            and rules.reminder_required(rec.situation)
            and today >= rec.recorded_on,
            "withdraw": change and bool(people),
            "reconsent": change,
            "destroy": not destroyed and may[Act.DESTROY],
            "review": may[Act.REVIEW],
        },
        "online": fg.online and change and collector == "student",
        "emails": fg.emails(rec.id) if fg.online and change and collector == "student" else {},
        # Removed after an answer came back: every clause of the current form voided.
        "voided": {
            p.id
            for p in people
            if p.clauses and all(s is Status.INVALIDATED for s in p.clauses.values())
        },
        "early": rules.destroy_needs_second_ask(rec.recorded_on, today),
        "undoable": fg.undoable_reviews(rec.id) if may[Act.REVIEW] and not destroyed else [],
        # Situations 1 and 2: the requests, their return links and what came back.
        "requests": (
            fg.institution_requests(rec.id)
            if may[Act.REQUEST] and rules.may_request_from_institution(rec.situation)
            else []
        ),
        "return_links": bool(fg.config.public_url),  # a link needs formgen's public address
        # What each online answer proves (who, which address, any flag, the text seen):
        # for the supervisor and the officer, who check consent.
        "online_answers": fg.online_answers(rec.id) if may[Act.REVIEW] else [],
        "names_by_form": {p.form_id: p.name for p in people},
        "flag_parts": answers.flag_parts,
        "to_review": any(s is Status.REVIEW for p in people for s in p.clauses.values()),
        "unreturned": unreturned(people, rec, change, today),
        "given": {
            p.form_id: [c for c, s in p.clauses.items() if s is Status.GIVEN] for p in people
        },
        **words(lang),
    }


def show(
    request: Request,
    person: Person,
    recording_id: str,
    *,
    status: int = 200,
    problems: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    job_id: str | None = None,
    done: str | None = None,
) -> HTMLResponse:
    lang = request_lang(request)
    view = recording_view(person, recording_id, lang)
    job = person.fg.job(job_id) if job_id else None
    return render(
        request,
        "recording.html",
        status=status,
        problems=problems or {},
        v=values or {},
        job=job,
        notice=NOTICES.get(done or ""),
        **view,
    )


@router.get("/recordings/{recording_id}")
def recording_page(
    request: Request, recording_id: RecordingId, person: Signed, job: str = "", done: str = ""
) -> Response:
    return show(request, person, recording_id, job_id=job or None, done=done or None)


def refused(
    request: Request,
    person: Person,
    recording_id: str,
    section: str,
    exc: FormgenError,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page again, with the library's refusal beside the form that caused it. A
    recording the person may not see stays not found."""
    if isinstance(exc, NotFound):
        raise exc
    problems = {section: said(request, exc)}
    return show(request, person, recording_id, status=422, problems=problems, values=values)


def back(recording_id: str, done: str, anchor: str) -> RedirectResponse:
    return see_other(f"/recordings/{recording_id}?done={done}#{anchor}")


# --- Participants -----------------------------------------------------------------------


def participant_lang(form: FormData) -> str | None:
    lang = text(form, "lang")
    return lang or None


@router.post("/recordings/{recording_id}/participants")
def add_participant(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    values = {
        "name": text(form, "name"),
        "one_lang": text(form, "lang"),
        "email": text(form, "email"),
    }
    try:
        if not values["name"]:
            raise RecordError(translate(request)(N_("Give the name.")))
        added = person.fg.add_participant(
            recording_id,
            values["name"],
            under_16=flag(form, "under_16"),
            lang=participant_lang(form),
            email=text(form, "email") or None,
        )
    except FormgenError as exc:
        return refused(request, person, recording_id, "one", exc, values)
    return back(added.recording_id, "added", "participants")


@router.post("/recordings/{recording_id}/participants/list")
def add_participant_list(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    """A class list as pasted: from a spreadsheet or typed, with an under-16 column or
    birth dates if the list has them (``rules.parse_class_list``). A wrong line is
    named and nothing is added (one transaction); duplicate names need a tick."""
    say = translate(request)
    pasted = text(form, "names")
    values = {"names": pasted, "duplicates_ok": "on" if flag(form, "duplicates_ok") else ""}
    try:
        rec = person.fg.recording(recording_id)
        found = rules.parse_class_list(pasted, rec.recorded_on)
        if found.errors:
            raise RecordError(
                "; ".join(
                    say("line {n}: {problem}").format(n=n, problem=said(request, problem))
                    for n, problem in found.errors
                )
            )
        if not found.people:
            raise RecordError(say("Paste at least one name."))
        if found.duplicates and not flag(form, "duplicates_ok"):
            values["duplicates"] = ", ".join(found.duplicates)
            raise RecordError(
                say(
                    "These names occur more than once: {names}. Tick the box to add them all."
                ).format(names=values["duplicates"])
            )
        default = flag(form, "under_16")
        added = person.fg.add_participants(
            rec.id,
            [p.name for p in found.people],
            under_16=[default if p.under_16 is None else p.under_16 for p in found.people],
            lang=participant_lang(form),
        )
    except FormgenError as exc:
        return refused(request, person, recording_id, "list", exc, values)
    return back(added[0].recording_id, "added", "participants")


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
    if round:
        chosen = [p.form_id for p in status.participants if p.round == round]
        if not chosen:
            raise NotFound(f"no declarations of round {round} in recording {rec.id}")
        written = pdf(request, person, "forms", rec.id, participants=chosen, save=False)
        return attachment(written.data, f"{rec.id}-declarations-round{round}.pdf")
    if not status.participants:
        raise RecordError(N_("recording {id} has no participants yet: add them first"), id=rec.id)
    written = pdf(request, person, "forms", rec.id, save=False)
    return attachment(written.data, f"{rec.id}-declarations.pdf")


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
    say = translate(request)
    try:
        if not values["contact"]:
            raise RecordError(say("Give the institution's contact person."))
        return_by = parse_date(values["return_by"]) if values["return_by"] else None
        if values["return_by"] and return_by is None:
            raise RecordError(say("Give the date the signed pages must be back."))
        count = whole_number(values["count"])
        if count is None:
            raise RecordError(say("Give the number of blank forms in digits (0-9)."))
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


def current_form(person: Person, recording_id: str, form_id: str) -> Any:
    """A current declaration of this recording (404 otherwise)."""
    wanted = form_id.strip().upper()
    status = person.fg.status(recording_id)
    for p in status.participants:
        if p.form_id == wanted:
            return p
    raise NotFound(f"no form {form_id!r} in recording {status.recording.id}")


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
            raise RecordError(translate(request)(N_("Choose at least one file.")))
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


# --- Checklist --------------------------------------------------------------------------


@router.post("/recordings/{recording_id}/steps/{step}")
def confirm_step(
    request: Request, recording_id: RecordingId, step: StepKey, person: Changing
) -> Response:
    problem = None
    try:
        person.fg.confirm_step(recording_id, step)
    except NotFound:
        raise
    except FormgenError as exc:
        problem = said(request, exc)
    if not is_htmx(request):
        if problem is not None:
            return show(request, person, recording_id, status=422, problems={"checklist": problem})
        return back(person.fg.recording(recording_id).id, "confirmed", "checklist")
    # htmx swaps the checklist (and the description, which names the check's date);
    # a refusal is shown inside it, so it answers 200 (htmx swaps no 4xx).
    lang = request_lang(request)
    view = recording_view(person, recording_id, lang)
    return render(
        request,
        "_rec_checklist_response.html",
        problems={"checklist": problem} if problem else {},
        confirmed=None if problem else step,
        oob=True,
        **view,
    )


@router.post("/recordings/{recording_id}/steps/{step}/undo")
def undo_step(
    request: Request, recording_id: RecordingId, step: StepKey, person: Changing
) -> Response:
    """Take the last confirmation of a step back: a new log entry, both kept."""
    try:
        done = person.fg.undo_step(recording_id, step)
    except FormgenError as exc:
        return refused(request, person, recording_id, "checklist", exc)
    return back(done["id"], "undone", "checklist")


# --- Correcting mistakes -----------------------------------------------------------------


@router.post("/recordings/{recording_id}/review/{item}/undo")
def undo_review(
    request: Request, recording_id: RecordingId, item: ItemId, person: Changing
) -> Response:
    """Take a reviewer's last decision back: the item is in the review queue again."""
    try:
        if item not in person.fg.undoable_reviews(recording_id):
            raise NotFound(f"no review decision {item!r} to undo in {recording_id}")
        person.fg.undo_review(item)
    except FormgenError as exc:
        return refused(request, person, recording_id, "undo-review", exc)
    return back(person.fg.recording(recording_id).id, "review_undone", "status")


@router.post("/recordings/{recording_id}/edit")
def edit_recording(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    """Correct the title, date or live stream. What the declarations do not cover (another
    date, a stream added or kept) asks again, as a purpose change does, and needs the
    same acknowledgement."""
    say = translate(request)
    values = {name: text(form, name) for name in ("title", "date")}
    for name in ("livestream", "livestream_stored"):
        values[name] = "on" if flag(form, name) else ""
    try:
        rec = person.fg.recording(recording_id)
        day = parse_date(values["date"])
        if not values["title"]:
            raise RecordError(say("Give the recording a title."))
        if day is None:
            raise RecordError(say("Give the date of the recording."))
        stream, stored = bool(values["livestream"]), bool(values["livestream_stored"])
        try:
            plan = rules.Plan(rec.plan.purpose, rec.plan.media, stream, stored, rec.plan.view360)
        except ValueError as exc:
            raise RecordError.of(exc) from exc
        asks_again = rules.edit_reconsent_reason(
            rec.recorded_on, rec.plan, rec.delete_by, day, plan, rec.delete_by
        )
        if asks_again and not flag(form, "understood"):
            raise RecordError(say("Confirm that you understand that all earlier consent ends."))
        edit = pdf(
            request,
            person,
            "edit_recording",
            rec.id,
            title=values["title"] if values["title"] != rec.title else None,
            date=day if day != rec.recorded_on else None,
            livestream=stream if stream != rec.plan.livestream else None,
            livestream_stored=stored if stored != rec.plan.livestream_stored else None,
            save=False,
        )
    except FormgenError as exc:
        return refused(request, person, recording_id, "edit", exc, values)
    anchor = "documents" if edit.issued else "main"
    return back(edit.recording.id, "edited_reconsent" if edit.issued else "edited", anchor)


def own_participant(person: Person, recording_id: str, participant_id: str) -> Any:
    """A current participant of this recording (404 otherwise)."""
    status = person.fg.status(recording_id)
    for p in status.participants:
        if p.id == participant_id.strip().upper():
            return p
    raise NotFound(f"no participant {participant_id!r} in recording {status.recording.id}")


@router.post("/recordings/{recording_id}/participants/{participant_id}/name")
def rename_participant(
    request: Request,
    recording_id: RecordingId,
    participant_id: ParticipantId,
    person: Changing,
    form: Posted,
) -> Response:
    try:
        who = own_participant(person, recording_id, participant_id)
        if not text(form, "name"):
            raise RecordError(translate(request)(N_("Give the name.")))
        person.fg.rename_participant(who.id, text(form, "name"))
    except FormgenError as exc:
        return refused(request, person, recording_id, f"person-{participant_id}", exc)
    return back(person.fg.recording(recording_id).id, "renamed", "status")


@router.post("/recordings/{recording_id}/participants/{participant_id}/removal")
def remove_participant(
    request: Request,
    recording_id: RecordingId,
    participant_id: ParticipantId,
    person: Changing,
    form: Posted,
) -> Response:
    try:
        who = own_participant(person, recording_id, participant_id)
        done = person.fg.remove_participant(who.id, reason=text(form, "reason") or None)
    except FormgenError as exc:
        return refused(request, person, recording_id, f"person-{participant_id}", exc)
    return back(done["recording_id"], done["outcome"].replace("deleted", "removed"), "status")


# --- Withdrawal, re-consent, destruction -------------------------------------------------


@router.post("/recordings/{recording_id}/withdrawal")
def withdraw(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    form_id = text(form, "form")
    clause = text(form, "clause") or None
    way = WITHDRAWAL_WAYS.get(text(form, "how"), WITHDRAWAL_WAYS["other"])[1]
    note = text(form, "note")
    reason = f"withdrawal received {way}" + (f": {note}" if note else "")
    try:
        form_id = current_form(person, recording_id, form_id).form_id
        person.fg.withdraw(form_id, clause=clause, reason=reason)
    except FormgenError as exc:
        return refused(request, person, recording_id, f"withdraw-{form_id}", exc)
    return back(person.fg.recording(recording_id).id, "withdrawn", "status")


@router.post("/recordings/{recording_id}/reconsent")
def reconsent(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    """A new purpose or a later deletion date: every earlier consent ends and new
    declarations are issued (their PDF is offered on the page)."""
    say = translate(request)
    change = text(form, "change")
    values = {"new_purpose": text(form, "purpose"), "extend_to": text(form, "extend_to")}
    try:
        if not flag(form, "understood"):
            raise RecordError(say("Confirm that you understand that all earlier consent ends."))
        if change == "purpose":
            if not values["new_purpose"]:
                raise RecordError(say("Choose the new purpose."))
            done = pdf(
                request,
                person,
                "change_recording",
                recording_id,
                purpose=values["new_purpose"],
                save=False,
            )
        else:
            until = parse_date(values["extend_to"])
            if until is None:
                raise RecordError(say("Give the new deletion date."))
            done = pdf(
                request, person, "change_recording", recording_id, extend_to=until, save=False
            )
    except FormgenError as exc:
        return refused(request, person, recording_id, f"reconsent-{change}", exc, values)
    return back(done.recording.id, "reconsent", "documents")


@router.post("/recordings/{recording_id}/destruction")
def destruction(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    typed = text(form, "confirm")
    try:
        rec = person.fg.recording(recording_id)
        if typed.upper() != rec.id:
            raise RecordError(
                translate(request)(
                    N_("Type the recording's ID exactly to confirm; nothing was destroyed.")
                )
            )
        if rules.destroy_needs_second_ask(rec.recorded_on, person.fg.today()) and not flag(
            form, "early"
        ):
            raise RecordError(
                translate(request)(
                    N_(
                        "The recording date has not come yet: confirm that you destroy it before"
                        " then; nothing was destroyed."
                    )
                )
            )
        person.fg.destroy(rec.id)
    except FormgenError as exc:
        return refused(request, person, recording_id, "destroy", exc, {"confirm": typed})
    return back(rec.id, "destroyed", "main")


# --- Forms that never come back ----------------------------------------------------------


def unreturned(people: list[Any], rec: Any, change: bool, today: dt.date) -> list[Any]:
    """Whom the page offers to mark "not returned: no consent": people whose form is
    still fully requested, from the recording date on (a form's return date: the library
    refuses one handed out later whose own date has not come, and says so)."""
    if not change or today < rec.recorded_on:
        return []
    return [
        p for p in people if p.clauses and all(s is Status.REQUESTED for s in p.clauses.values())
    ]


@router.post("/recordings/{recording_id}/not-returned")
def not_returned(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    """One person's form (``participant``) or every open form (``all``) closed as not
    returned; an institution's unused blank forms are discarded."""
    chosen = text(form, "participant")
    try:
        if not chosen and not flag(form, "all"):
            raise RecordError(translate(request)(N_("Choose whose form did not come back.")))
        done = person.fg.close_unreturned(recording_id, participants=[chosen] if chosen else None)
    except FormgenError as exc:
        return refused(request, person, recording_id, "not-returned", exc)
    return back(done["id"], "not_returned", "status")
