"""Situations 1 and 2 on the recording page: the student records what the institution
confirmed (``Formgen.confirm_institution``), for the whole group or for the people
ticked, with the contact's name and the date. The section is ``_rec_institution.html``;
the camera advice above it follows the answer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from formgen.errors import FormgenError, RecordError
from formgen.web.auth import Changing, Posted
from formgen.web.ids import RecordingId
from formgen.web.page_tools import parse_date, text
from formgen.web.recording_page import back, refused
from formgen.words import N_

router = APIRouter(default_response_class=Response)


@router.post("/recordings/{recording_id}/institution")
def confirm_institution(
    request: Request, recording_id: RecordingId, person: Changing, form: Posted
) -> Response:
    """``about``: ``group`` or ``people`` (then the ticked ``participant`` boxes);
    ``confirmed``: covered, not_covered or requested; ``contact``; ``on`` (a date)."""
    about = text(form, "about")
    typed = {name: text(form, name) for name in ("about", "confirmed", "contact", "on")}
    chosen = [str(p).strip() for p in form.getlist("participant") if str(p).strip()]
    typed["participant"] = ",".join(chosen)  # ticked again if the page comes back
    try:
        if about not in ("group", "people"):
            raise RecordError(N_("Choose whether the answer is about the group or people."))
        if about == "people" and not chosen:
            raise RecordError(N_("Tick the people the institution's answer is about."))
        if not typed["confirmed"]:
            raise RecordError(N_("Choose what the institution confirmed."))
        day = parse_date(typed["on"])
        if day is None:
            raise RecordError(N_("Give the date of the confirmation."))
        done = person.fg.confirm_institution(
            recording_id,
            typed["confirmed"],
            contact=typed["contact"],
            on=day,
            participants=chosen if about == "people" else None,
        )
    except FormgenError as exc:
        return refused(request, person, recording_id, "institution", exc, typed)
    return back(done["id"], "institution", "institution")
