"""The recording pages: my recordings, a new recording, and one recording with its
participants, documents, scans, status, checklist, description, re-consent, withdrawal
and destruction."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

router = APIRouter(default_response_class=Response)
