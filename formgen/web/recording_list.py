"""My recordings and a new recording: the list of the recordings a person may see, and
the form a student makes one with (the deletion date shown as it is filled in)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from formgen import rules
from formgen import words as service_words
from formgen.api import NotAllowed
from formgen.errors import FormgenError, RecordError
from formgen.rules import Situation
from formgen.web.auth import Changing, Person, Posted, page_person
from formgen.web.page_tools import (
    flag,
    parse_date,
    see_other,
    text,
)
from formgen.web.page_words import (
    SITUATIONS,
    date_words,
    period_words,
    words,
)
from formgen.web.templating import render, request_lang, said, translate
from formgen.words import N_

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]


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
        raise NotAllowed(N_("your role ({role}) may not create recordings"), role=person.user.role)


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
