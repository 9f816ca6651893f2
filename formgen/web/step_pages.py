"""What happens to a recording after printing: the checklist's steps, correcting a
mistake (a review decision, the description), withdrawal, re-consent, destruction, and
forms that never come back."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from formgen import rules
from formgen.errors import FormgenError, NotFound, RecordError
from formgen.web.auth import Changing, Person, Posted, page_person
from formgen.web.ids import (
    ItemId,
    RecordingId,
    StepKey,
)
from formgen.web.page_tools import (
    flag,
    is_htmx,
    parse_date,
    pdf,
    text,
)
from formgen.web.page_words import (
    WITHDRAWAL_WAYS,
)
from formgen.web.recording_page import back, current_form, recording_view, refused, show
from formgen.web.templating import render, request_lang, said
from formgen.words import N_

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]


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
            raise NotFound(
                N_("no review decision {item!r} to undo in {recording_id}"),
                item=item,
                recording_id=recording_id,
            )
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
    values = {name: text(form, name) for name in ("title", "date")}
    for name in ("livestream", "livestream_stored"):
        values[name] = "on" if flag(form, name) else ""
    try:
        rec = person.fg.recording(recording_id)
        day = parse_date(values["date"])
        if not values["title"]:
            raise RecordError(N_("Give the recording a title."))
        if day is None:
            raise RecordError(N_("Give the date of the recording."))
        stream, stored = bool(values["livestream"]), bool(values["livestream_stored"])
        try:
            plan = rules.Plan(rec.plan.purpose, rec.plan.media, stream, stored, rec.plan.view360)
        except ValueError as exc:
            raise RecordError.of(exc) from exc
        asks_again = rules.edit_reconsent_reason(
            rec.recorded_on, rec.plan, rec.delete_by, day, plan, rec.delete_by
        )
        if asks_again and not flag(form, "understood"):
            raise RecordError(N_("Confirm that you understand that all earlier consent ends."))
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
    change = text(form, "change")
    values = {"new_purpose": text(form, "purpose"), "extend_to": text(form, "extend_to")}
    try:
        if not flag(form, "understood"):
            raise RecordError(N_("Confirm that you understand that all earlier consent ends."))
        if change == "purpose":
            if not values["new_purpose"]:
                raise RecordError(N_("Choose the new purpose."))
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
                raise RecordError(N_("Give the new deletion date."))
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
                N_("Type the recording's ID exactly to confirm; nothing was destroyed.")
            )
        if rules.destroy_needs_second_ask(rec.recorded_on, person.fg.today()) and not flag(
            form, "early"
        ):
            raise RecordError(
                N_(
                    "The recording date has not come yet: confirm that you destroy it before"
                    " then; nothing was destroyed."
                )
            )
        person.fg.destroy(rec.id)
    except FormgenError as exc:
        return refused(request, person, recording_id, "destroy", exc, {"confirm": typed})
    return back(rec.id, "destroyed", "main")


@router.post("/recordings/{recording_id}/not-returned")
def not_returned(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    """One person's form (``participant``) or every open form (``all``) closed as not
    returned; an institution's unused blank forms are discarded."""
    chosen = text(form, "participant")
    try:
        if not chosen and not flag(form, "all"):
            raise RecordError(N_("Choose whose form did not come back."))
        done = person.fg.close_unreturned(recording_id, participants=[chosen] if chosen else None)
    except FormgenError as exc:
        return refused(request, person, recording_id, "not-returned", exc)
    return back(done["id"], "not_returned", "status")
