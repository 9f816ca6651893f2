"""The server under attack and under a slow call, against a real ``formgen serve``: one
request that waits (a mail server that accepts and never answers) holds no one else's
page; the sign-in and setup forms carry a CSRF token; X-Forwarded-For counts only from
a configured proxy; numbers, IDs and control characters that are not what a field takes
get a plain 4xx, never a 500 or 503 (on PostgreSQL a NUL byte is a driver error);
upload errors name the file the person uploaded."""

from __future__ import annotations

import datetime as dt
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from formgen import Formgen
from formgen.config import load

from ..helpers import write_toml
from ..helpers.web import PASSWORD, Live, free_port, post_sign_in, start_server, stop_server

API = "/api/v1"


class SilentMailServer:
    """A TCP server on loopback that accepts connections and never says a word: an SMTP
    server that hangs. ``accepted`` is set at the first connection; ``release`` closes
    them, so the waiting sender gets its error at once."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted = threading.Event()
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)
            self.accepted.set()

    def release(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


@dataclass
class Served:
    url: str
    fg: Formgen
    mail: SilentMailServer


def serve(store_url: str, tmp_path: Path, config: str, mail: SilentMailServer) -> Any:
    """``formgen serve`` with ``config`` as its formgen.toml (``{url}`` and ``{mail}``
    filled in), and the library on the same store with the same configuration."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    write_toml(tmp_path, config.format(url=url, mail=mail.port))
    fg = Formgen.open(db=store_url, config=load(tmp_path / "formgen.toml"))
    proc, _ = start_server(store_url, tmp_path, workers=0, port=port)
    return proc, Served(url, fg, mail)


ONLINE = """
public_url = "{url}"
output_dir = "output"
[mail]
host = "127.0.0.1"
port = {mail}
sender = "formgen@example.org"
"""


@pytest.fixture
def served(store_url: str, tmp_path: Path) -> Iterator[Served]:
    """A server whose mail server never answers, on SQLite and on PostgreSQL."""
    mail = SilentMailServer()
    proc, found = serve(store_url, tmp_path, ONLINE, mail)
    try:
        yield found
    finally:
        mail.release()
        log = stop_server(proc)
        found.fg.close()
        assert "Traceback" not in log, log


def student(served: Served) -> tuple[httpx.Client, str, str]:
    """A signed-in student's browser, its CSRF token and a situation-3 recording with a
    participant who has an e-mail address."""
    fg = served.fg
    guide = fg.add_user(
        "guide@example.org", name="Dr. G. Guide", role="supervisor", password=PASSWORD
    )
    owner = fg.add_user("owner@example.org", name="Olga Owner", role="student", password=PASSWORD)
    me = fg.as_user(owner)
    rec = me.create_recording(
        title="Gymles",
        supervisor=guide.email,
        situation=3,
        purpose="reflection",
        date=dt.date(2030, 12, 1),
    ).id
    me.add_participant(rec, "Anna Zwaan", email="anna@example.net")
    client = httpx.Client(base_url=served.url, headers={"Accept-Language": "en"}, timeout=120)
    assert post_sign_in(client, owner.email).status_code == 303
    page = client.get(f"/recordings/{rec}")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return client, found.group(1), rec


@pytest.mark.slow  # a formgen serve process of its own
def test_a_page_is_served_while_a_mail_server_hangs(served: Served) -> None:
    """An invitation waits on a mail server that never answers; meanwhile another
    person's page is served. Only the order of completion is compared."""
    client, csrf, rec = student(served)
    finished: list[str] = []
    page_done = threading.Event()

    def invite() -> None:
        with httpx.Client(base_url=served.url, cookies=client.cookies, timeout=120) as own:
            own.post(f"/recordings/{rec}/invitations", data={"csrf": csrf})
        finished.append("invitation")

    def look() -> None:
        with httpx.Client(base_url=served.url, cookies=client.cookies, timeout=120) as own:
            assert own.get("/recordings").status_code == 200
        finished.append("page")
        page_done.set()

    sending = threading.Thread(target=invite)
    sending.start()
    assert served.mail.accepted.wait(120), "the invitation never reached the mail server"
    looking = threading.Thread(target=look)
    looking.start()
    page_done.wait(90)  # a bound, not a measurement: the order below is the check
    served.mail.release()  # the invitation gets its error now
    sending.join(120)
    looking.join(120)
    assert finished == ["page", "invitation"]
    client.close()


def test_signing_in_and_setting_up_need_the_forms_token(live: Live) -> None:
    """Login CSRF: another site's form cannot sign a browser in to an account of its
    choosing, nor make the officer's account with a setup link it saw."""
    secret = live.fg.setup_link()
    assert secret is not None
    officer = {"name": "Pia Privacy", "email": "privacy@example.org", "password": PASSWORD}
    with live.client() as attacker:
        form = attacker.get(f"/setup/{secret}")
        theirs = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert theirs, form.text
    with live.client() as victim:
        for sent in ({}, {"csrf": theirs.group(1)}):  # none, or a token not of this browser
            refused = victim.post(f"/setup/{secret}", data={**officer, **sent})
            assert refused.status_code == 403
            assert "formgen_session" not in refused.headers.get("set-cookie", "")
        assert live.fg.setup_valid(secret) and live.fg.users() == []
        form = victim.get(f"/setup/{secret}")
        mine = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert mine, form.text
        made = victim.post(f"/setup/{secret}", data={**officer, "csrf": mine.group(1)})
        assert made.status_code == 303 and "formgen_session" in made.headers["set-cookie"]
    live.account("student", "owner@example.org")
    account = {"email": "owner@example.org", "password": PASSWORD}
    with live.client() as victim:
        for sent in ({}, {"csrf": theirs.group(1)}):
            refused = victim.post("/sign-in", data={**account, **sent})
            assert refused.status_code == 403
            assert "formgen_session" not in refused.headers.get("set-cookie", "")
        assert post_sign_in(victim, "owner@example.org").status_code == 303


def wrong_sign_ins(url: str, forwarded: bool) -> list[httpx.Response]:
    """Six wrong passwords, each for another address, from one client on loopback that
    claims (X-Forwarded-For) to be six different clients."""
    answers = []
    with httpx.Client(base_url=url, headers={"Accept-Language": "en"}) as client:
        for n in range(6):
            if forwarded:
                client.headers["X-Forwarded-For"] = f"203.0.113.{n + 1}"
            answers.append(post_sign_in(client, f"nobody{n}@example.org", "not it"))
    return answers


@pytest.mark.slow  # a formgen serve process of its own
@pytest.mark.parametrize("trusted", [False, True], ids=["default", "proxy-named"])
def test_forwarded_for_counts_only_from_a_named_proxy(
    store_url: str, tmp_path: Path, trusted: bool
) -> None:
    """By default X-Forwarded-For is ignored, loopback included: the per-client limit
    locks the one real client after five failures. A proxy named in ``[service]
    trusted_proxies`` speaks for its clients: six of them, one failure each."""
    mail = SilentMailServer()
    config = ONLINE + ('[service]\ntrusted_proxies = ["127.0.0.1"]\n' if trusted else "")
    proc, found = serve(store_url, tmp_path, config, mail)
    try:
        answers = wrong_sign_ins(found.url, forwarded=True)
    finally:
        mail.release()
        log = stop_server(proc)
        found.fg.close()
    assert "Traceback" not in log, log
    assert all(a.status_code == 401 for a in answers)
    assert all("wrong e-mail address or password" in a.text for a in answers[:5])
    locked = "too many failed sign-ins" in answers[5].text
    assert locked is not trusted


def session_of(live: Live, role: str, email: str) -> tuple[httpx.Client, str]:
    """A browser signed in as a new account of ``role``, and its CSRF token."""
    account = live.account(role, email)
    client = live.client(headers={"Accept-Language": "en"})
    assert post_sign_in(client, account.email).status_code == 303
    found = re.search(r'name="csrf" value="([^"]+)"', client.get("/recordings").text)
    assert found
    return client, found.group(1)


def test_numbers_are_digits_and_api_values_have_their_type(live: Live) -> None:
    guide = live.account("supervisor", "guide@example.org")
    owner = live.account("student", "owner@example.org")
    rec = (
        live.fg.as_user(owner)
        .create_recording(
            title="Kringgesprek",
            supervisor=guide.email,
            situation=1,
            institution="De Linde",
            purpose="reflection",
            date=dt.date(2030, 12, 1),
        )
        .id
    )
    browser, csrf = session_of(live, "supervisor", "guide@example.org")
    for count in ("²", "٣", "１２", "-1", "2.0"):
        letter = browser.post(
            f"/recordings/{rec}/request.pdf",
            data={"csrf": csrf, "contact": "Mw. X", "count": count},
        )
        assert letter.status_code == 422, (count, letter.status_code)
        assert "Give the number of blank forms in digits (0-9)." in letter.text
    letter = browser.post(
        f"/recordings/{rec}/request.pdf", data={"csrf": csrf, "contact": "Mw. X", "count": "3"}
    )
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    browser.close()
    api = live.client(live.token("student", "owner@example.org"))
    made = {
        "title": "Gymles",
        "supervisor": guide.email,
        "situation": 3,
        "purpose": "reflection",
        "date": "2030-12-01",
    }
    wrong = [
        ("/recordings", {**made, "situation": 3.0}, "situation"),
        ("/recordings", {**made, "situation": True}, "situation"),
        ("/recordings", {**made, "livestream": "yes"}, "livestream"),
        (f"/recordings/{rec}/participants", {"blank": True, "count": "2"}, "count"),
        (f"/recordings/{rec}/participants", {"name": "Anna", "under_16": "yes"}, "under_16"),
        (f"/recordings/{rec}/participants", {"blank": "true", "count": 2}, "blank"),
    ]
    for path, body, field in wrong:
        refused = api.post(f"{API}{path}", json=body)
        assert refused.status_code == 422, (body, refused.status_code)
        assert refused.headers["content-type"] == "application/problem+json"
        assert field in refused.json()["detail"], refused.json()
    assert api.post(f"{API}/recordings", json=made).status_code == 201
    assert api.post(f"{API}/recordings", json={**made, "situation": "3"}).status_code == 201
    api.close()


def test_control_characters_and_malformed_ids_are_refused_before_the_store(
    live: Live,
) -> None:
    """Every route with an ID in its path, asked with a NUL in it; a NUL in a query, a
    form field (the sign-in e-mail too) and a JSON body: a plain 4xx each, never a
    500 or a 503 (on PostgreSQL a NUL reaching the driver is an error)."""
    from formgen.web import (
        api,
        audit_pages,
        document_pages,
        due_pages,
        online_pages,
        pages,
        participant_pages,
        recording_list,
        recording_page,
        review_pages,
        step_pages,
        user_pages,
    )

    browser, csrf = session_of(live, "officer", "privacy@example.org")
    browser.headers["X-CSRF-Token"] = csrf
    routers = [(API, api.router)] + [
        ("", module.router)
        for module in (
            pages,
            recording_list,
            recording_page,
            participant_pages,
            document_pages,
            step_pages,
            review_pages,
            due_pages,
            audit_pages,
            user_pages,
            online_pages,
        )
    ]
    routes = [
        (method, prefix + route.path)
        for prefix, router in routers
        for route in router.routes
        if "{" in route.path
        for method in sorted(route.methods - {"HEAD"})
    ]
    assert len(routes) > 25
    answers = {}
    for method, path in routes:
        for bad in ("R-%00", "R-%01x", "%C2%85"):
            url = re.sub(r"\{[^}]+\}", bad, path)
            if path.startswith(API) and path.count("{") == 1 and "item" in path:
                url = url.replace(bad, f"{bad}:recording")
            answers[(method, url)] = browser.request(method, url).status_code
    wrong = {k: v for k, v in answers.items() if not 400 <= v < 500}
    assert wrong == {}
    rec_pages = [v for (m, u), v in answers.items() if u.startswith("/recordings/R-%00")]
    assert rec_pages and set(rec_pages) == {422}
    assert browser.get("/recordings/new/delete-by?date=%00&purpose=reflection").status_code == 422
    assert browser.get("/jobs/J-AAAAAA?recording=R-%00").status_code == 422
    api = live.client(live.token("officer", "privacy@example.org"))
    for url in (f"{API}/jobs/J-%00", f"{API}/recordings/R-%00", f"{API}/forms/%00/history"):
        refused = api.get(url)
        assert refused.status_code == 422, url
        assert refused.headers["content-type"] == "application/problem+json"
    owner = live.account("student", "owner@example.org")
    token = live.token("student", "owner@example.org")
    rec = (
        live.fg.as_user(owner)
        .create_recording(
            title="Gymles",
            supervisor=live.account("supervisor").email,
            situation=3,
            purpose="reflection",
            date=dt.date(2030, 12, 1),
        )
        .id
    )
    with live.client(token) as student:
        refused = student.post(f"{API}/recordings/{rec}/participants", json={"name": "A\u0000"})
        assert refused.status_code == 422 and "name" in refused.json()["detail"]
    with live.client(headers={"Accept-Language": "en"}) as anonymous:
        for email in ("owner@example.org\x00", "\x00", "owner\x07@example.org"):
            refused = post_sign_in(anonymous, email, PASSWORD)
            assert refused.status_code == 422, (email, refused.status_code)
            assert "email" in refused.text
        for name in ("Anna\x00", "\x1b[31mAnna"):
            added = browser.post(f"/recordings/{rec}/participants", data={"name": name})
            assert added.status_code == 422
    assert [p.name for p in live.fg.status(rec).participants] == []
    browser.close()
    api.close()


@pytest.mark.worker  # its scans are read by the service's worker process
def test_an_upload_error_names_the_uploaded_file(live: Live) -> None:
    """The worker reads a temporary copy (000.pdf); the report names what was sent."""
    with live.client(live.token("student", "owner@example.org")) as student:
        sent = student.post(
            f"{API}/scans",
            files=[
                ("files", ("klas 5b.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\n", "application/pdf")),
                ("files", ("achterkant.pdf", b"%PDF-1.4\n2 0 obj\n", "application/pdf")),
            ],
        )
        assert sent.status_code == 202, sent.text
        job = sent.json()
        for _ in range(600):  # a bound on the polls, not a timing assertion
            job = student.get(sent.headers["location"]).json()
            if job["state"] in ("done", "failed"):
                break
            threading.Event().wait(0.2)
    assert job["state"] == "done", job
    reasons = {page["source"]: page.get("reason", "") for page in job["pages"]}
    assert set(reasons) == {"klas 5b.pdf", "achterkant.pdf"}
    for name, reason in reasons.items():
        assert reason.startswith(f"{name}: truncated PDF"), reason
        assert "000." not in reason and "001." not in reason


def test_trusted_proxies_are_addresses_or_networks() -> None:
    from formgen.config import from_mapping
    from formgen.errors import ConfigError

    assert from_mapping({}).trusted_proxies == ()
    found = from_mapping({"service": {"trusted_proxies": ["10.0.0.5", "fd00::/64"]}})
    assert found.trusted_proxies == ("10.0.0.5/32", "fd00::/64")
    for wrong in (
        {"service": {"trusted_proxies": "10.0.0.5"}},
        {"service": {"trusted_proxies": ["proxy.example.org"]}},
        {"service": {"trusted": ["10.0.0.5"]}},
        {"service": "10.0.0.5"},
    ):
        with pytest.raises(ConfigError):
            from_mapping(wrong)


def test_a_busy_port_is_refused_in_one_line_before_anything_is_made(tmp_path: Path) -> None:
    """``formgen serve`` takes its port first: when another program has it, one line
    says so, and the demo has made no accounts and printed no declarations."""
    import os
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {**os.environ, "FORMGEN_DB": str(tmp_path / "store.db")}
        env.pop("FORMGEN_CONFIG", None)
        done = subprocess.run(
            [
                sys.executable, "-c", "from formgen.cli import main; main()",
                "serve", "--demo", "--port", str(port), "--workers", "0",
            ],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"cannot serve on 127.0.0.1:{port}" in lines[0], done.stderr
    assert "Traceback" not in done.stderr and "Demo accounts" not in done.stdout
    assert not list(tmp_path.rglob("*.pdf"))  # no sample declarations written


@pytest.mark.one_store  # a process's priority, not the store
def test_scan_workers_run_below_the_server_as_the_rendering_processes_do(
    store_url: str, tmp_path: Path
) -> None:
    """A long import must not take the CPU from a PDF someone waits for: the workers
    ``formgen serve`` starts run at the rendering processes' lower priority."""
    import os

    from formgen.web import rendering, serve

    from ..helpers import test_config

    fg = Formgen.open(db=store_url, config=test_config(output_dir=tmp_path / "output"))
    try:
        with serve._workers(fg, 1) as (worker,):
            ours = os.getpriority(os.PRIO_PROCESS, 0)
            # the child lowers its own priority first thing: wait until it has
            for _ in range(200):
                if os.getpriority(os.PRIO_PROCESS, worker.pid) != ours:
                    break
                threading.Event().wait(0.05)
            wanted = min(ours + rendering.NICENESS, 19)
            assert os.getpriority(os.PRIO_PROCESS, worker.pid) == wanted
            assert worker.poll() is None  # and it runs: the worker waits for jobs
    finally:
        fg.close()


@pytest.mark.served  # formgen serve as a faculty runs it
@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)  # SQLite: no connections
def test_the_service_keeps_its_postgresql_connections(live: Live) -> None:
    """A request does not open a connection of its own: the service keeps a pool (a new
    PostgreSQL session costs the server several milliseconds of CPU). The same sessions
    stay open, idle, between the requests."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    # Each query its own transaction: pg_stat_activity is a snapshot within one.
    watch = create_engine(live.store, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    seen: list[set[int]] = []
    try:
        with live.client() as client, watch.connect() as conn:
            assert post_sign_in(client, live.account("student").email).status_code == 303
            for _ in range(12):
                assert client.get("/recordings").status_code == 200
                pids = conn.execute(
                    text(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                        " AND pid <> pg_backend_pid() AND state = 'idle'"
                    )
                ).scalars()
                seen.append(set(pids))
    finally:
        watch.dispose()
    assert all(seen), seen  # after every request a connection waits for the next
    assert len(set().union(*seen)) <= 6, seen  # and it is the same few
