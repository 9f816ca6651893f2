"""The due list: the recordings whose deletion date comes within a chosen period, and
the proofs of destruction due to be erased; refused (403) to students, as the library
refuses it to them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from formgen.web.auth import Person, page_person
from formgen.web.page_words import plain_day
from formgen.web.templating import render
from formgen.words import N_

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]

PURPOSES = {
    "reflection": N_("Reflection"),
    "assessment": N_("Assessment"),
    "final-level": N_("Final level"),
}
DUE_WINDOWS = (0, 14, 30)
DUE_OPENS_ON = 30  # what is due within a month: time to plan the destruction


# --- due list ---------------------------------------------------------------------------


@router.get("/due")
def due(request: Request, person: Signed, within: str = str(DUE_OPENS_ON)) -> Response:
    """Opens on the recordings due within 30 days; a period not in the list (a typed
    URL) is a plain message above the default list, never an error page."""
    problem = None
    if within.strip() in {str(d) for d in DUE_WINDOWS}:
        days = int(within)
    else:
        days, problem = DUE_OPENS_ON, N_("Choose one of the periods in the list.")
    today = person.fg.today()
    rows = person.fg.due(on=today, within=days)  # NotAllowed (403) for students
    shown = []
    for row in rows:
        until = dt.date.fromisoformat(row["delete_by"])
        shown.append({**row, "until": until, "days": (until - today).days})
    shown.sort(key=lambda r: (r["until"], r["title"]))
    proofs = []
    for row in person.fg.proofs_due(on=today, within=days):
        until = dt.date.fromisoformat(row["erase_on"])
        destroyed = dt.date.fromisoformat(row["destroyed_on"])
        proofs.append({**row, "until": until, "destroyed": destroyed, "days": (until - today).days})
    return render(
        request,
        "due.html",
        status=400 if problem else 200,
        rows=shown,
        proofs=proofs,
        within=days,
        windows=DUE_WINDOWS,
        problem=problem,
        purposes=PURPOSES,
        day=plain_day,
    )
