"""The officer's downloads: the audit table of every recording (CSV) and one
recording's consent record (JSON-LD, what ``formgen export`` writes); the library
refuses anyone else (403). Made in memory: nothing touches the server's disk."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from formgen.web.auth import Person, page_person
from formgen.web.ids import RecordingId

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]


@router.get("/due/audit.csv")
def audit_csv(request: Request, person: Signed) -> Response:
    """The officer's audit table of every recording they may export (the library
    refuses anyone else, 403), as a download that never touches the disk."""
    data = person.fg.consent_csv()
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="formgen-audit.csv"'},
    )


# --- the consent record of one recording, for the officer -------------------------------


@router.get("/recordings/{recording_id}/export.jsonld")
def export_record(recording_id: RecordingId, person: Signed) -> Response:
    """The recording's consent record as JSON-LD (what ``formgen export`` writes), to
    download; the library refuses anyone but the officer (403)."""
    found = person.fg.export(recording_id)
    rec_id = person.fg.recording(recording_id).id
    return Response(
        json.dumps(found, ensure_ascii=False, indent=2).encode(),
        media_type="application/ld+json",
        headers={"Content-Disposition": f'attachment; filename="{rec_id}-consent-record.jsonld"'},
    )
