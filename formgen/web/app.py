"""The service: one ASGI application (FastAPI) over one ``Formgen``. Server-rendered pages
for people (``pages.py``, Jinja2 templates, htmx shipped in ``static/``), the JSON API
for programs under ``/api/v1`` (``api.py``). Neither holds a rule: they ask the library,
as the signed-in person (``Formgen.as_user``).

Safe by default: opaque IDs only in URLs, a Content-Security-Policy without inline
script or style, plain error pages (problem+json for the API) without tracebacks,
no-store caching of pages that carry personal data, upload limits.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from itsdangerous import URLSafeSerializer
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from formgen import words
from formgen.api import Formgen, NotAllowed
from formgen.errors import Conflict, FormgenError, NotFound, RecordError, StoreError
from formgen.web import i18n, ids
from formgen.web.auth import BadCsrf, SignInNeeded, person_or_none
from formgen.web.rendering import Renderer
from formgen.words import N_

HERE = Path(__file__).parent
API = "/api/v1"
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


def environment(fg: Formgen) -> Environment:
    """Templates: a faculty's own (``templates_dir/web``) first, then the shipped ones,
    which stay reachable as ``default:NAME`` so an override can extend them."""
    shipped = FileSystemLoader(HERE / "templates")
    loaders: list[Any] = []
    if fg.config.templates_dir is not None:
        loaders.append(FileSystemLoader(fg.config.templates_dir / "web"))
    loaders += [shipped, PrefixLoader({"default": shipped})]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["API"] = API
    return env


def request_lang(request: Request) -> str:
    """The page's language: the person's own choice, else the one chosen before signing
    in (the cookie), else the browser's."""
    person = person_or_none(request)
    chosen = person.user.lang if person else None
    return i18n.negotiate(
        request.headers.get("accept-language"), chosen or request.cookies.get(i18n.COOKIE)
    )


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page in the person's language, with what every page needs."""
    person = person_or_none(request)
    lang = request_lang(request)
    env: Environment = request.app.state.templates
    html = env.get_template(template).render(
        request=request,
        person=person,
        lang=lang,
        _=i18n.translator(lang, i18n.user_dir(request)),
        ngettext=i18n.ngettext(lang, i18n.user_dir(request)),
        said=lambda line: words.problem(line, lang, i18n.user_dir(request)),
        reason_words=lambda text: words.reason(
            text, words.translations(lang, i18n.user_dir(request))
        ),
        csrf=person.csrf if person else None,
        **context,
    )
    return HTMLResponse(html, status_code=status)


def said(request: Request, exc: FormgenError | str) -> str:
    """A refusal of the library in the page's language (formgen/words.py)."""
    return words.problem(exc, request_lang(request), i18n.user_dir(request))


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


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await run_in_threadpool(app.state.renderer.close)  # the PDF processes end with us


def create_app(fg: Formgen) -> FastAPI:
    app = FastAPI(
        title="formgen",
        summary="Consent for recordings in educational practice",
        version="1",
        openapi_url=f"{API}/openapi.json",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(ids.plain_text)],
        lifespan=_lifespan,
    )
    app.state.fg = fg
    app.state.renderer = Renderer(fg)
    app.state.templates = environment(fg)
    secret = fg.web_secret()
    app.state.signer = URLSafeSerializer(secret, salt="formgen-session")
    app.state.login_signer = URLSafeSerializer(secret, salt="formgen-login")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    # Every route and error handler that asks the library (or the store) is a plain
    # ``def``: FastAPI runs it in its thread pool, so a PDF being rendered or a mail
    # server that does not answer holds one thread, never the event loop that serves
    # everyone else. Only reading a request's form is ``async`` (auth.posted).
    @app.middleware("http")
    async def guard(request: Request, call_next: Any) -> Response:
        length = request.headers.get("content-length")
        # The online declaration needs no account: its forms are small, so its bodies too.
        limit = MAX_ONLINE_BODY if request.url.path.startswith("/c/") else MAX_BODY
        if length is not None and (not length.isdigit() or int(length) > limit):
            response: Response = (
                problem(413, "Upload too large")
                if is_api(request)
                else await run_in_threadpool(_error_page, request, 413)
            )
        elif length is None and "chunked" in request.headers.get("transfer-encoding", ""):
            # Without a length the guard above cannot refuse a huge body before reading it.
            response = (
                problem(411, "Length required", "send the upload with a Content-Length")
                if is_api(request)
                else await run_in_threadpool(_error_page, request, 411)
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
                    else await run_in_threadpool(_error_page, request, 500)
                )
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(FormgenError)
    def refused(request: Request, exc: FormgenError) -> Response:
        status = status_of(exc)
        if is_api(request):
            return problem(status, type(exc).__name__, str(exc))  # the API: always English
        return _error_page(request, status, said(request, exc))

    @app.exception_handler(SignInNeeded)
    def sign_in(request: Request, exc: SignInNeeded) -> Response:
        if is_api(request):
            return problem(
                401, "Sign in needed", "use a bearer token", {"WWW-Authenticate": "Bearer"}
            )
        return RedirectResponse("/sign-in", status_code=303)

    @app.exception_handler(BadCsrf)
    def forged(request: Request, exc: BadCsrf) -> Response:
        if is_api(request):
            return problem(403, "CSRF token missing or wrong")
        return _error_page(request, 403, csrf=True)

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        fields = sorted({".".join(str(p) for p in e["loc"][1:]) for e in errors} - {""})
        # An error of the whole body (no field): its message, e.g. "give either name or blank".
        whole = sorted(
            {str(e["msg"]).removeprefix("Value error, ") for e in errors} if not fields else set()
        )
        detail = "; ".join(
            [*(["invalid or missing: " + ", ".join(fields)] if fields else []), *whole]
        )
        if is_api(request):
            return problem(422, "Invalid request", detail)
        return _error_page(request, 422, detail)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if is_api(request):
            return problem(exc.status_code, str(exc.detail))
        return _error_page(request, exc.status_code)

    from formgen.web import api, online_pages, pages, recording_pages, return_pages, review_pages

    app.include_router(pages.router)
    app.include_router(recording_pages.router)
    app.include_router(review_pages.router)
    app.include_router(online_pages.router)
    app.include_router(return_pages.router)
    app.include_router(api.router, prefix=API)
    if fg.config.oidc is not None:  # sign-in with the institution
        from formgen.web import oidc

        oidc.install(app, fg)
    app.openapi = lambda: api.openapi(app)  # type: ignore[method-assign]
    return app


def _error_page(
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
