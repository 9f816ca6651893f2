"""The service for the web tests, over a fresh store (SQLite, and PostgreSQL where the
``store_url`` fixture's server is available): ``live`` is the real application (with a
real scan worker process beside it for tests marked ``worker``, as ``formgen serve``
starts one), reached through an ASGI client in the test's process, or by Debian's
Chromium (through Playwright) over uvicorn on a loopback port; ``online`` is the same
with its own mail server and public address. Tests marked ``served`` and the modules
that test serving itself (test_serving, test_schemathesis, the demo) start real
``formgen serve`` processes. Every in-process service of a run shares one set of PDF
processes (``pdf_processes``). Accounts are made through the library on the same store,
as ``formgen user add`` would. The shared pieces are in ``tests/helpers/web.py``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis

from formgen import Formgen
from formgen.mail.mailbox import Mailbox
from formgen.web import serve
from formgen.web.app import create_app
from formgen.web.rendering import Processes

from ..helpers import test_config, write_toml
from ..helpers.online import mail_config

# PASSWORD, post_sign_in and sign_in are imported for test modules that still import
# them from here (write ``from ..helpers.web import ...`` in new ones).
from ..helpers.web import (  # noqa: F401
    CHROMIUM,
    CHROMIUM_ARGS,
    IN_PROCESS,
    PASSWORD,
    Live,
    Logged,
    free_port,
    post_sign_in,
    sign_in,
    start_server,
    stop_server,
    uvicorn_thread,
)

API = "/api/v1"
# A test that uses one of these needs a server on a real port.
BROWSER_FIXTURES = {"browser", "page"}


@pytest.fixture(scope="session")
def pdf_processes() -> Iterator[Processes]:
    """The rendering processes every in-process service of the run shares (each call
    still names its own store): starting two per test, each importing WeasyPrint, cost
    more than most tests."""
    processes = Processes()
    yield processes
    processes.close()


@pytest.fixture
def live(
    store_url: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    pdf_processes: Processes,
) -> Iterator[Live]:
    """A fresh store and the service on it, on SQLite and on PostgreSQL: the real
    application, and for a test marked ``worker`` (it uploads scans) a real scan worker
    process beside it, as ``formgen serve`` runs them. Reached through an ASGI client in
    the test's process; a browser gets uvicorn on a loopback port in a thread; a test
    marked ``served`` (raw sockets) gets a ``formgen serve`` process of its own."""
    fg = Formgen.open(db=store_url, config=test_config(output_dir=tmp_path / "output"))
    if request.node.get_closest_marker("served"):
        proc, url = start_server(store_url, tmp_path)
        try:
            yield Live(url, store_url, fg)
        finally:
            log = stop_server(proc)
            fg.close()
            # Nothing a person wrote may reach the server's output (logs): no tracebacks.
            assert "Traceback" not in log, log
        return
    # As ``formgen serve`` opens it: the store, and formgen.toml in its working folder.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORMGEN_DB", store_url)
    monkeypatch.delenv("FORMGEN_CONFIG", raising=False)
    write_toml(tmp_path)
    served = Formgen.open(db=store_url, config=tmp_path / "formgen.toml")
    app = create_app(served, pdf_processes)
    workers = 1 if request.node.get_closest_marker("worker") else 0
    try:
        with Logged() as logged, serve._workers(served, workers):
            if BROWSER_FIXTURES & set(request.fixturenames):
                with uvicorn_thread(app) as url:
                    yield Live(url, store_url, fg)
            else:
                yield Live(IN_PROCESS, store_url, fg, app=app)
    finally:
        app.state.renderer.close()
        served.close()
        fg.close()
    # Nothing a person wrote may reach the service's log: no tracebacks.
    assert "Traceback" not in logged.text, logged.text


def _openapi(live: Live) -> Any:
    with live.client() as client:
        return client.get(f"{API}/openapi.json").json()


@pytest.fixture
def documented(live: Live) -> Callable[[httpx.Response], None]:
    """Checks a response of the API against the server's own OpenAPI document (status
    code, content type, body), as schemathesis does: here for every role and real data
    (an officer's export, a job's pages, a supervisor's review items)."""
    schema = schemathesis.openapi.from_dict(_openapi(live))

    def check(response: httpx.Response) -> None:
        path = response.request.url.path
        if path.startswith(API + "/") and not path.endswith("/openapi.json"):
            operation = schema.find_operation_by_path(response.request.method, path)
            assert operation is not None, (response.request.method, path)
            response.read()
            response.request.read()  # a multipart upload is streamed
            operation.validate_response(response)

    return check


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(
                "Debian's chromium-headless-shell (or chromium) is not installed "
                "(CI must run the browser tests)"
            )
        pytest.skip("Debian's chromium-headless-shell (or chromium) is not installed")
    from playwright.sync_api import expect, sync_playwright

    # An expectation waits as long as an action does (the pages' default, 30 s), not
    # Playwright's 5 s: on a loaded 2-core machine a step's answer took longer than 5 s.
    expect.set_options(timeout=30_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, live: Live) -> Iterator[Any]:
    context = browser.new_context(base_url=live.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def online(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf_processes: Processes
) -> Iterator[tuple[Live, Mailbox]]:
    """A server whose QR links point at itself and whose mail a loopback SMTP server
    keeps; configured as a faculty would, in formgen.toml, and run as ``formgen serve``
    in that folder runs it (uvicorn, in a thread of the test's process)."""
    with Mailbox() as box:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        write_toml(
            tmp_path,
            f'public_url = "{url}"\n[mail]\nhost = "127.0.0.1"\nport = {box.port}\n'
            'sender = "formgen@example.nl"\n',
        )
        fg = Formgen.open(db=store_url, config=mail_config(tmp_path, box.port, url))
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("FORMGEN_DB", store_url)
        monkeypatch.delenv("FORMGEN_CONFIG", raising=False)
        served = Formgen.open(db=store_url, config=tmp_path / "formgen.toml")
        try:
            with Logged() as logged, uvicorn_thread(create_app(served, pdf_processes), port):
                yield Live(url, store_url, fg), box
        finally:
            served.close()
            fg.close()
        assert "Traceback" not in logged.text, logged.text
        assert "example.org" not in logged.text  # no address in the service's log
