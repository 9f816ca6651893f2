"""Refusals and errors as a person or a program reads them: a plain error page in the
person's language, or problem+json for the API (always English), never a traceback.
The library's refusals map to HTTP statuses here."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from formgen.api import NotAllowed
from formgen.errors import Conflict, FormgenError, NotFound, RecordError, StoreError
from formgen.web.auth import BadCsrf, SignInNeeded
from formgen.web.templating import API, render, said
from formgen.words import N_


def is_api(request: Request) -> bool:
    return request.url.path.startswith(API)


def problem(
    status: int, title: str, detail: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        # A message may quote what was sent: bounded, and text that is not UTF-8 (a lone
        # surrogate from a JSON escape) must not turn a refusal into a crash.
        body["detail"] = detail[:500].encode("utf-8", "replace").decode("utf-8")
    return JSONResponse(
        body, status_code=status, media_type="application/problem+json", headers=headers
    )


STATUS = [
    (NotFound, 404),
    (NotAllowed, 403),
    (Conflict, 409),
    (RecordError, 422),
    (StoreError, 503),
]


def status_of(exc: FormgenError) -> int:
    return next((code for kind, code in STATUS if isinstance(exc, kind)), 422)


# The exception handlers (``HANDLERS``) are plain ``def``s: FastAPI runs them in its
# thread pool, like the routes, since an error page asks the store who is signed in.


def refused(request: Request, exc: FormgenError) -> Response:
    status = status_of(exc)
    if is_api(request):
        return problem(status, type(exc).__name__, str(exc))  # the API: always English
    return error_page(request, status, said(request, exc))


def sign_in(request: Request, exc: SignInNeeded) -> Response:
    if is_api(request):
        return problem(401, "Sign in needed", "use a bearer token", {"WWW-Authenticate": "Bearer"})
    return RedirectResponse("/sign-in", status_code=303)


def forged(request: Request, exc: BadCsrf) -> Response:
    if is_api(request):
        return problem(403, "CSRF token missing or wrong")
    return error_page(request, 403, csrf=True)


def invalid(request: Request, exc: RequestValidationError) -> Response:
    errors = exc.errors()
    fields = sorted({".".join(str(p) for p in e["loc"][1:]) for e in errors} - {""})
    # An error of the whole body (no field): its message, e.g. "give either name or blank".
    whole = sorted(
        {str(e["msg"]).removeprefix("Value error, ") for e in errors} if not fields else set()
    )
    detail = "; ".join([*(["invalid or missing: " + ", ".join(fields)] if fields else []), *whole])
    if is_api(request):
        return problem(422, "Invalid request", detail)
    return error_page(request, 422, detail)


def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    if is_api(request):
        return problem(exc.status_code, str(exc.detail))
    return error_page(request, exc.status_code)


HANDLERS: dict[type[Exception], Any] = {
    FormgenError: refused,
    SignInNeeded: sign_in,
    BadCsrf: forged,
    RequestValidationError: invalid,
    StarletteHTTPException: http_error,
}


def error_page(
    request: Request, status: int, detail: str | None = None, csrf: bool = False
) -> HTMLResponse:
    titles = {401: "Sign in", 403: N_("Not allowed"), 404: "Not found"}
    return render(
        request,
        "error.html",
        status=status,
        status_code=status,
        title=titles.get(status, N_("Something went wrong")),
        detail=detail,
        csrf_expired=csrf,
    )
