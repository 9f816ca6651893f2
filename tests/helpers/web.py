"""The service as the web tests reach it: the real application over a real store, in
the test's own process through an ASGI client (``Live.client``), or a real ``formgen
serve`` process on a free loopback port where a browser or a raw socket needs one; and
signing in as a person does."""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from formgen import Formgen

from . import write_toml

# Debian's Chromium, never a downloaded one: its headless shell (the package
# chromium-headless-shell, the same engine and version without the browser's windows and
# profile, what Playwright itself runs headless) where installed, as .ci/run installs it;
# else the full browser (package chromium). It used a third of the full browser's CPU
# for the same browser tests (14.6 s against 42.2 s). FORMGEN_CHROMIUM names another.
CHROMIUM = os.environ.get("FORMGEN_CHROMIUM") or next(
    (
        path
        for path in ("/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium")
        if Path(path).exists()
    ),
    "/usr/bin/chromium",
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "correct horse battery"
# Where the in-process application answers (the ASGI client's host).
IN_PROCESS = "http://testserver"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    """The service on a store, and the library over the same store. ``app`` is the
    application when it runs in the test's process (then ``url`` is only its name);
    without it a ``formgen serve`` process answers at ``url``."""

    url: str
    store: str
    fg: Formgen
    app: Any = None
    accounts: dict[str, Any] = field(default_factory=dict)

    def account(self, role: str, email: str | None = None, name: str | None = None) -> Any:
        """An account with password ``PASSWORD`` (made once per email)."""
        email = email or f"{role}@example.org"
        if email not in self.accounts:
            self.accounts[email] = self.fg.add_user(
                email, name=name or f"{role.title()} Person", role=role, password=PASSWORD
            )
        return self.accounts[email]

    def token(self, role: str, email: str | None = None) -> str:
        return self.fg.issue_token(self.account(role, email).email)

    def client(
        self,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
    ) -> httpx.Client:
        """An HTTP client of the service (a bearer ``token`` for the API), as a browser
        or a program would be: it follows no redirects by itself."""
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        if self.app is None:
            return httpx.Client(base_url=self.url, headers=headers, cookies=cookies, timeout=60)
        from starlette.testclient import TestClient

        # An exception in the application fails the test where it happens (a served
        # process would log its traceback, which the fixtures refuse).
        return TestClient(
            self.app, base_url=self.url, headers=headers, cookies=cookies, follow_redirects=False
        )


class Logged(logging.Handler):
    """What the service logs while it runs in the test's process: the lines a served
    process would write to its output (warnings and worse, as ``formgen serve`` logs)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def __enter__(self) -> Logged:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextmanager
def uvicorn_thread(app: Any, port: int | None = None) -> Iterator[str]:
    """The application under uvicorn on a free loopback port, in a thread of the test's
    process, as ``formgen serve`` runs it (uvicorn, warnings only, no access log): a
    real HTTP server for a browser without a new Python per test. Its log records go
    to the root logger (``Logged`` keeps them); yields the server's URL."""
    import uvicorn

    port = port or free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, log_config=None
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(60)


def start_server(
    store: str,
    cwd: Path,
    workers: int = 1,
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
) -> tuple[subprocess.Popen, str]:
    port = port or free_port()
    env = {**os.environ, "FORMGEN_DB": store, **(extra_env or {})}
    env.pop("FORMGEN_CONFIG", None)
    if not (cwd / "formgen.toml").exists():
        write_toml(cwd)  # a faculty's configuration (the DPO's contact)
    proc = subprocess.Popen(
        [
            sys.executable, "-c", "from formgen.cli import main; main()",
            "serve", "--port", str(port), "--workers", str(workers),
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode() if proc.stdout else ""
            raise RuntimeError(f"formgen serve exited: {out}")
        try:
            httpx.get(f"{url}/sign-in", timeout=2)
            return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("formgen serve did not answer within 60 s")


def stop_server(proc: subprocess.Popen) -> str:
    proc.terminate()
    try:
        out, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, _ = proc.communicate()
    return out.decode("utf-8", "replace") if out else ""


def post_sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in as a browser does: the form first (its CSRF token, and the cookie that
    goes with it), then the form posted back."""
    form = client.get("/sign-in")
    # The sign-in form's own token: a page of someone signed in also has theirs.
    found = re.search(
        r'action="/sign-in"[^>]*>\s*<input[^>]* name="csrf" value="([^"]+)"', form.text
    )
    assert found, form.text
    return client.post(
        "/sign-in", data={"email": email, "password": password, "csrf": found.group(1)}
    )


SIGN_IN_WORDS = {
    "en": ("E-mail address", "Password", "Sign in"),
    "nl": ("E-mailadres", "Wachtwoord", "Inloggen"),
}


def sign_in(page: Any, live: Live, role: str, email: str | None = None, lang: str = "en") -> Any:
    """Sign in through the page, in the language the browser context speaks."""
    account = live.account(role, email)
    address, password, button = SIGN_IN_WORDS[lang]
    page.goto("/sign-in")
    page.get_by_label(address).fill(account.email)
    page.get_by_label(password).fill(PASSWORD)
    page.get_by_role("button", name=button).click()
    page.wait_for_url("**/recordings")
    return account
