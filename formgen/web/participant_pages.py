"""A recording's participants: one added by name, a class list pasted at once, a name
corrected, a person removed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from formgen import rules
from formgen.errors import FormgenError, NotFound, RecordError
from formgen.web.auth import Changing, Person, Posted, page_person
from formgen.web.ids import (
    ParticipantId,
    RecordingId,
)
from formgen.web.page_tools import (
    flag,
    text,
)
from formgen.web.recording_page import back, refused
from formgen.web.templating import said, translate
from formgen.words import N_

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]


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
            raise RecordError(N_("Give the name."))
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
            raise RecordError(N_("Paste at least one name."))
        if found.duplicates and not flag(form, "duplicates_ok"):
            values["duplicates"] = ", ".join(found.duplicates)
            raise RecordError(
                N_("These names occur more than once: {names}. Tick the box to add them all."),
                names=values["duplicates"],
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


def own_participant(person: Person, recording_id: str, participant_id: str) -> Any:
    """A current participant of this recording (404 otherwise)."""
    status = person.fg.status(recording_id)
    for p in status.participants:
        if p.id == participant_id.strip().upper():
            return p
    raise NotFound(
        N_("no participant {participant_id!r} in recording {recording}"),
        participant_id=participant_id,
        recording=status.recording.id,
    )


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
            raise RecordError(N_("Give the name."))
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
