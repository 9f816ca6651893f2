"""What every answer of the service gets, whatever route made it: safe headers (a
Content-Security-Policy without inline script or style), no-store caching of pages that
carry personal data, upload limits checked before a body is read, and an error without a
traceback (or a logged message, which may quote personal data) when a route fails."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from formgen.web.problems import error_page, is_api, problem

log = logging.getLogger("formgen.web")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Largest request body taken at all: a scan job's files (jobs.MAX_JOB_BYTES) plus room
# for the multipart wrapping.
MAX_BODY = 520 * 1024 * 1024
MAX_ONLINE_BODY = 64 * 1024  # a declaration answered online: a few short fields


async def guard(request: Request, call_next: Any) -> Response:
    length = request.headers.get("content-length")
    # The online declaration needs no account: its forms are small, so its bodies too.
    limit = MAX_ONLINE_BODY if request.url.path.startswith("/c/") else MAX_BODY
    if length is not None and (not length.isdigit() or int(length) > limit):
        response: Response = (
            problem(413, "Upload too large")
            if is_api(request)
            else await run_in_threadpool(error_page, request, 413)
        )
    elif length is None and "chunked" in request.headers.get("transfer-encoding", ""):
        # Without a length the guard above cannot refuse a huge body before reading it.
        response = (
            problem(411, "Length required", "send the upload with a Content-Length")
            if is_api(request)
            else await run_in_threadpool(error_page, request, 411)
        )
    else:
        try:
            response = await call_next(request)
        except Exception as exc:
            # The type only, never the message: it may quote a name or SQL parameters.
            log.error("%s %s failed: %s", request.method, request.url.path, type(exc).__name__)
            response = (
                problem(500, "Internal error")
                if is_api(request)
                else await run_in_threadpool(error_page, request, 500)
            )
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
