"""The review queue, the due list and the users page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

router = APIRouter(default_response_class=Response)
