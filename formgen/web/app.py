"""The service: one ASGI application (FastAPI) over one ``Formgen``. This module only
assembles it: the routers of each area of pages for people (``pages.py`` sign-in,
``recording_list.py``, ``recording_page.py``, ``participant_pages.py``,
``document_pages.py``, ``step_pages.py``, ``review_pages.py``, ``due_pages.py``,
``audit_pages.py``, ``user_pages.py``, ``online_pages.py``, ``return_pages.py``;
Jinja2 templates through ``templating.py``, htmx shipped in ``static/``) and the JSON API
for programs under ``/api/v1`` (``api.py``, its models in ``api_models.py``). None holds
a rule: they ask the library, as the signed-in person (``Formgen.as_user``).

Safe by default: opaque IDs only in URLs (``ids.py``), a Content-Security-Policy without
inline script or style, no-store caching of pages that carry personal data and upload
limits (``guard.py``), plain error pages (problem+json for the API) without tracebacks
(``problems.py``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from itsdangerous import URLSafeSerializer
from starlette.concurrency import run_in_threadpool

from formgen.api import Formgen
from formgen.web import (
    api,
    audit_pages,
    document_pages,
    due_pages,
    ids,
    institution_pages,
    online_pages,
    pages,
    participant_pages,
    problems,
    recording_list,
    recording_page,
    return_pages,
    review_pages,
    step_pages,
    user_pages,
)
from formgen.web.guard import guard
from formgen.web.rendering import Processes, Renderer
from formgen.web.templating import API, HERE, environment

# The pages' routers, each an area of the service, in the order their routes are matched.
PAGES = (
    pages,
    recording_list,  # before the recording page: "/recordings/new" is not a recording
    recording_page,
    participant_pages,
    document_pages,
    step_pages,
    review_pages,
    due_pages,
    audit_pages,
    user_pages,
    online_pages,
    return_pages,
    institution_pages,
)


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await run_in_threadpool(app.state.renderer.close)  # the PDF processes end with us


def create_app(fg: Formgen, processes: Processes | None = None) -> FastAPI:
    """The service over ``fg``. PDFs are rendered in processes of the app's own, or in
    ``processes`` when given (several apps in one program share them; their maker
    closes them)."""
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
    app.state.renderer = Renderer(fg, processes)
    app.state.templates = environment(fg)
    secret = fg.web_secret()
    app.state.signer = URLSafeSerializer(secret, salt="formgen-session")
    app.state.login_signer = URLSafeSerializer(secret, salt="formgen-login")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    # Every route and error handler that asks the library (or the store) is a plain
    # ``def``: FastAPI runs it in its thread pool, so a PDF being rendered or a mail
    # server that does not answer holds one thread, never the event loop that serves
    # everyone else. Only reading a request's form is ``async`` (auth.posted).
    app.middleware("http")(guard)
    for kind, handler in problems.HANDLERS.items():
        app.add_exception_handler(kind, handler)

    for area in PAGES:
        app.include_router(area.router)
    app.include_router(api.router, prefix=API)
    if fg.config.oidc is not None:  # sign-in with the institution
        from formgen.web import oidc

        oidc.install(app, fg)
    app.openapi = lambda: api.openapi(app)  # type: ignore[method-assign]
    return app
