"""A real server for the service's tests: ``formgen serve`` in its own process on a free
loopback port, over a fresh store (SQLite, and PostgreSQL where the ``store_url``
fixture's server is available), and Debian's Chromium driven by Playwright. Accounts
are made through the library on the same store, as ``formgen user add`` would."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from formgen import Formgen
from formgen.config import Mail
from formgen.mail.mailbox import Mailbox

from ..helpers import test_config, write_toml

CHROMIUM = "/usr/bin/chromium"
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    """A running ``formgen serve`` and the library over the same store."""

    url: str
    store: str
    fg: Formgen
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

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60)


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


@pytest.fixture
def live(store_url: str, tmp_path: Path) -> Iterator[Live]:
    """A fresh store and a real server on it, on SQLite and on PostgreSQL."""
    fg = Formgen.open(db=store_url, config=test_config(output_dir=tmp_path / "output"))
    proc, url = start_server(store_url, tmp_path)
    try:
        yield Live(url, store_url, fg)
    finally:
        log = stop_server(proc)
        fg.close()
        # Nothing a person wrote may reach the server's output (logs): no tracebacks.
        assert "Traceback" not in log, log


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is not installed (CI must run the browser tests)")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

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


@pytest.fixture
def online(store_url: str, tmp_path: Path) -> Iterator[tuple[Live, Mailbox]]:
    """A server whose QR links point at itself and whose mail a loopback SMTP server
    keeps; configured as a faculty would, in formgen.toml."""
    with Mailbox() as box:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        write_toml(
            tmp_path,
            f'public_url = "{url}"\n[mail]\nhost = "127.0.0.1"\nport = {box.port}\n'
            'sender = "formgen@example.nl"\n',
        )
        config = test_config(
            output_dir=tmp_path / "output",
            public_url=url,
            mail=Mail(host="127.0.0.1", port=box.port, sender="formgen@example.nl"),
        )
        fg = Formgen.open(db=store_url, config=config)
        proc, _ = start_server(store_url, tmp_path, workers=0, port=port)
        try:
            yield Live(url, store_url, fg), box
        finally:
            log = stop_server(proc)
            fg.close()
            assert "Traceback" not in log, log
            assert "example.org" not in log  # no address in the server's output
