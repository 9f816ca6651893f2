"""One recording's page: everything it shows (``recording_view``), the page again with a
refusal beside the form that caused it (``refused``), and the redirect back after a
change.

Every route asks the library as the signed-in person (``person.fg``): a recording they
may not see answers 404 there, what their role may not do is refused there. These
modules only decide what to show (``rules`` says what applies, ``fg.may`` who may) and
how. Changes are plain form posts (they work without JavaScript) that redirect back to
the page; a refusal shows the page again with the message beside the form and nothing
lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from formgen import rules
from formgen import words as service_words
from formgen.errors import FormgenError, NotFound
from formgen.online import answers
from formgen.rules import Act, Status
from formgen.web import declarations_ahead, i18n
from formgen.web.auth import Person, page_person
from formgen.web.ids import (
    RecordingId,
)
from formgen.web.page_tools import (
    see_other,
)
from formgen.web.page_words import (
    CLAUSES,
    NOTICES,
    STATUS_WORDS,
    words,
)
from formgen.web.templating import render, request_lang, said
from formgen.words import N_

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]


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


# --- The recording page -----------------------------------------------------------------


def _blank_and_out(person: Any) -> bool:
    """A blank form (its name is written on the paper) of which nothing came back."""
    return (
        person.name is None
        and person.signed is None
        and all(status == "requested" for status in person.clauses.values())
    )


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
        "kept_out_words": KEPT_OUT,
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
        # Situations 1 and 2: what the institution confirmed (_rec_institution.html)
        "confirmed_words": rules.CONFIRMED_WORDS,
        "camera_setup": rules.setup_words(status.camera),
        "today": today,
        "given": {
            p.form_id: [c for c, s in p.clauses.items() if s is Status.GIVEN] for p in people
        },
        **words(lang),
    }


# --- What to do now ------------------------------------------------------------------------


def step_numbers(steps: list[dict[str, Any]]) -> dict[str, str]:
    """Each step's number as the procedure has it; its step 3 has two parts (check the
    footage, remind afterwards): 3a and 3b, so no number shows twice."""
    numbers = [s["procedure_step"] for s in steps]
    out = {}
    for i, step in enumerate(steps):
        n = step["procedure_step"]
        shared = numbers.count(n) > 1
        out[step["step"]] = f"{n}{'abcd'[numbers[:i].count(n)]}" if shared else str(n)
    return out


# The one action that moves an open step on: a link to the part of the page that does
# it ("#anchor"), or "confirm" (the step's own confirmation).
CONSENT_ACTIONS = {
    "add": ("#participants", N_("Add the participants")),
    "declarations": ("#documents", N_("Print the declarations")),
    "review": ("/review", N_("Open the review queue")),
    "upload": ("#upload", N_("Upload the signed scans")),
    "request": ("#documents", N_("Ask the institution for declarations")),
}
STEP_ACTIONS = {
    "reminded": ("#reminders", N_("Remind participants of their right to withdraw")),
    "destroyed": ("#destruction", N_("Record the destruction")),
}


def now_step(view: dict[str, Any], today: dt.date) -> dict[str, Any] | None:
    """The first step of the seven still open, with its one action (None: nothing left
    to do, or a destroyed recording). A step no one may act on yet says why instead."""
    if view["destroyed"]:
        return None
    steps = view["checklist"]["steps"]
    current = next((s for s in steps if s["state"] == "open"), None)
    if current is None:
        return None
    can, rec = view["can"], view["rec"]
    action: tuple[str, str] | None = None
    key = current["step"]
    if key in ("consent", "camera"):
        if view["to_review"] and can["review"]:
            action = CONSENT_ACTIONS["review"]
        elif not view["people"] and can["add"]:
            action = CONSENT_ACTIONS["add"]
        elif not view["people"] and can["request"]:
            action = CONSENT_ACTIONS["request"]
        elif (
            view["people"]
            and can["declarations"]
            and not any(
                s is not Status.REQUESTED for p in view["people"] for s in p.clauses.values()
            )
        ):
            action = CONSENT_ACTIONS["declarations"]  # nothing came back: hand them out
        elif can["upload"]:
            action = CONSENT_ACTIONS["upload"]
    elif current["by_person"]:
        if can["change"] and not rules.too_early(key, rec.recorded_on, today):
            action = ("confirm", N_("Confirm: done"))
    elif (
        key in STEP_ACTIONS
        and (key != "reminded" or can["remind"])
        and (key != "destroyed" or can["destroy"])
    ):
        action = STEP_ACTIONS[key]
    return {
        **current,
        "number": step_numbers(steps)[key],
        "href": action[0] if action else None,
        "label": action[1] if action else None,
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
    ready = (
        declarations_ahead.state(request, person, view["rec"].id)
        if view["can"]["declarations"]
        else ""
    )
    return render(
        request,
        "recording.html",
        now=now_step(view, person.fg.today()),
        declarations_ready=ready,
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


def current_form(person: Person, recording_id: str, form_id: str) -> Any:
    """A current declaration of this recording (404 otherwise)."""
    wanted = form_id.strip().upper()
    status = person.fg.status(recording_id)
    for p in status.participants:
        if p.form_id == wanted:
            return p
    raise NotFound(
        N_("no form {form_id!r} in recording {recording}"),
        form_id=form_id,
        recording=status.recording.id,
    )


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
