"""The service's defences against a real ``formgen serve``: sign-in throttling, CSRF,
session fixation and sign-out, cookie flags, who may reach what (a table per role and
kind of object, through the API and a few pages), upload type and size limits, security
headers, and refusals that give nothing away."""

from __future__ import annotations

import datetime as dt
import re
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from sqlalchemy import func, select

from formgen.record.schema import jobs
from formgen.web.guard import MAX_BODY

from ..helpers import store_dump
from ..helpers.rendering import rasterise
from ..helpers.scans import Fill, degrade, fill_page, save_png
from ..helpers.web import PASSWORD, Live, post_sign_in

API = "/api/v1"
ROLES = ("owner", "student", "supervisor", "other_supervisor", "officer")
EMAILS = {
    "owner": ("student", "owner@example.org", "Olga Owner"),
    "student": ("student", "other@example.org", "Otto Other"),
    "supervisor": ("supervisor", "guide@example.org", "Dr. Gita Guide"),
    "other_supervisor": ("supervisor", "elsewhere@example.org", "Dr. Eli Elsewhere"),
    "officer": ("officer", "privacy@example.org", "Pia Privacy"),
}
# Names that must never appear in a refusal (or anywhere but the owner's own views).
NAMES = ("Annelies Zwaan", "Bartholomeus Kwak", "Cornelia Reiger", "Desmond Uil")
TITLE = "Gymles Springen"


def sign_in(live: Live, role: str) -> httpx.Client:
    """A browser-like client with a session of that role (cookie jar, no redirects)."""
    email = EMAILS[role][1]
    client = live.client(headers={"Accept-Language": "en"})
    done = post_sign_in(client, email)
    assert done.status_code == 303, done.text
    return client


def csrf_of(client: httpx.Client) -> str:
    page = client.get("/recordings")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


@dataclass
class World:
    """A recording of the owner's, supervised by "supervisor", with printed forms, a
    given consent per role that may withdraw, two review items, spare recordings for
    each role that may destroy one, and a scan job of the owner's."""

    rec: str
    forms: list[str]
    given: dict[str, str]  # role -> a form with a given consent, to withdraw
    items: dict[str, str]  # role -> a review item, to decide
    spare: dict[str, str]  # role -> a recording, to destroy
    job: str
    api: dict[str, httpx.Client] = field(default_factory=dict)


@pytest.fixture
def world(
    live: Live,
    tmp_path: Path,
    documented: Callable[[httpx.Response], None],
) -> Iterator[World]:
    people = {role: live.account(kind, email, name) for role, (kind, email, name) in EMAILS.items()}
    owner = live.fg.as_user(people["owner"])

    def recording(**values: Any) -> str:
        return owner.create_recording(
            title=TITLE,
            supervisor=people["supervisor"].email,
            situation=3,
            purpose="reflection",
            date=dt.date(2030, 12, 1),
            livestream=True,
            **values,
        ).id

    rec = recording()
    added = owner.add_participants(rec, list(NAMES))
    forms = [p.form_id for p in added]
    pdf = owner.forms(rec, save=False).data
    # Desmond did not sign: both his clauses wait for a person's decision.
    page = rasterise(pdf, 300, [3 * 3 + 2])[0]
    sheet = owner.layout(forms[3])["pages"][2]
    rng = np.random.default_rng(11)
    unsigned = fill_page(
        page, sheet, Fill({"recording": ["yes"], "livestream": ["yes"]}, False), rng
    )
    scan = save_png(tmp_path / "desmond.png", degrade(unsigned, "flatbed-200-gray", rng))
    assert [p.status for p in owner.import_scans([scan]).pages] == ["review"]
    for form in forms[:3]:
        owner.set_consent(form, "recording", "given", reason="told me in person")
    job = owner.submit_scans([("scan.png", scan.read_bytes())])
    finished(live, job.id)  # the worker done with it: nothing changes behind the tests
    made = World(
        rec=rec,
        forms=forms,
        given={"owner": forms[0], "supervisor": forms[1], "officer": forms[2]},
        items={"supervisor": f"{forms[3]}:recording", "officer": f"{forms[3]}:livestream"},
        spare={role: recording() for role in ("owner", "supervisor", "officer")},
        job=job.id,
    )
    made.api = {role: live.client(live.fg.issue_token(EMAILS[role][1])) for role in ROLES}
    for client in made.api.values():  # every answer, refusals too, as documented
        client.event_hooks["response"] = [documented]
    try:
        yield made
    finally:
        for client in made.api.values():
            client.close()


def finished(live: Live, job_id: str) -> None:
    """Wait until the server's worker is done with a job (bounded)."""
    deadline = time.monotonic() + 300
    while live.fg.job(job_id).state not in ("done", "failed"):
        assert time.monotonic() < deadline, live.fg.job(job_id)
        time.sleep(0.3)


Action = Callable[[World, str], httpx.Response]


def first(world: World, role: str, objects: dict[str, str]) -> str:
    """The object a role acts on: its own where it has one, else the first one's."""
    return objects.get(role, next(iter(objects.values())))


ACTIONS: dict[str, Action] = {
    "status": lambda w, r: w.api[r].get(f"{API}/recordings/{w.rec}"),
    "pdf": lambda w, r: w.api[r].get(f"{API}/recordings/{w.rec}/declarations.pdf"),
    "participants": lambda w, r: w.api[r].post(
        f"{API}/recordings/{w.rec}/participants", json={"name": f"Extra {r}"}
    ),
    "layout": lambda w, r: w.api[r].get(f"{API}/forms/{w.forms[0]}/layout"),
    "history": lambda w, r: w.api[r].get(f"{API}/forms/{w.forms[0]}/history"),
    "review list": lambda w, r: w.api[r].get(f"{API}/reviews"),
    "review item": lambda w, r: w.api[r].get(f"{API}/reviews/{first(w, r, w.items)}"),
    "review decision": lambda w, r: w.api[r].post(
        f"{API}/reviews/{first(w, r, w.items)}", json={"decision": "given"}
    ),
    "withdrawal": lambda w, r: w.api[r].post(
        f"{API}/forms/{first(w, r, w.given)}/withdrawal", json={"reason": "asked by e-mail"}
    ),
    "destruction": lambda w, r: w.api[r].post(
        f"{API}/recordings/{first(w, r, w.spare)}/destruction"
    ),
    "export": lambda w, r: w.api[r].get(f"{API}/recordings/{w.rec}/export"),
    "due": lambda w, r: w.api[r].get(f"{API}/due", params={"on": "2031-01-01"}),
    "users": lambda w, r: w.api[r].get(f"{API}/users"),
    "job": lambda w, r: w.api[r].get(f"{API}/jobs/{w.job}"),
}

# Expected status per role, in ROLES order: owner, another student, the recording's
# supervisor, another supervisor, the officer. 404: may not know it exists; 403: sees it
# but the role may not do that (or a list the role has no business with).
TABLE: dict[str, tuple[int, int, int, int, int]] = {
    "status": (200, 404, 200, 404, 200),
    "pdf": (200, 404, 200, 404, 200),
    "participants": (201, 404, 201, 404, 201),
    "layout": (200, 404, 200, 404, 200),
    "history": (200, 404, 200, 404, 200),
    "review list": (200, 200, 200, 200, 200),
    "review item": (403, 404, 200, 404, 200),
    "review decision": (403, 404, 200, 404, 200),
    "withdrawal": (200, 404, 200, 404, 200),
    "destruction": (200, 404, 200, 404, 200),
    "export": (403, 404, 403, 404, 200),
    "due": (403, 403, 200, 200, 200),
    "users": (403, 403, 403, 403, 200),
    "job": (200, 404, 404, 404, 404),  # a job is its uploader's
}

PAGES: dict[str, tuple[Callable[[World], str], tuple[int, int, int, int, int]]] = {
    "recording page": (lambda w: f"/recordings/{w.rec}", (200, 404, 200, 404, 200)),
    "declarations": (lambda w: f"/recordings/{w.rec}/declarations.pdf", (200, 404, 200, 404, 200)),
    "must not appear": (
        lambda w: f"/recordings/{w.rec}/must-not-appear",
        (200, 404, 200, 404, 200),
    ),
    "consent record": (
        lambda w: f"/recordings/{w.rec}/export.jsonld",
        (403, 404, 403, 404, 200),
    ),
    "due list": (lambda w: "/due", (403, 403, 200, 200, 200)),
    "users": (lambda w: "/users", (403, 403, 403, 403, 200)),
}


def gives_nothing_away(response: httpx.Response) -> bool:
    """A refusal holds no participant's name, no title, no traceback."""
    body = response.text
    return not any(s in body for s in (*NAMES, TITLE, "Traceback", 'File "'))


@pytest.mark.worker  # its scans are read by the service's worker process
@pytest.mark.slow  # a world of four roles, with real scans read by the worker
def test_who_may_reach_what(live: Live, world: World) -> None:
    """Every role against every kind of object, through the API and a few pages: the
    expected status, and refusals that give nothing away."""
    wrong = []
    for action, expected in TABLE.items():
        for role, status in zip(ROLES, expected, strict=True):
            response = ACTIONS[action](world, role)
            if response.status_code != status:
                wrong.append((action, role, status, response.status_code, response.text[:200]))
            elif status >= 400:
                assert response.headers["content-type"] == "application/problem+json"
                assert gives_nothing_away(response), (action, role, response.text)
    assert wrong == []
    # What each role finds in the lists: only what it may act on.
    seen = {
        role: {i["recording_id"] for i in ACTIONS["review list"](world, role).json()["items"]}
        for role in ROLES
    }
    assert seen == {r: set() for r in ROLES}  # both items were decided above
    listed = {
        role: [r["id"] for r in world.api[role].get(f"{API}/recordings").json()["recordings"]]
        for role in ROLES
    }
    assert world.rec in listed["owner"] and world.rec in listed["supervisor"]
    assert listed["student"] == [] and listed["other_supervisor"] == []
    assert world.rec in listed["officer"]
    due = {
        role: world.api[role].get(f"{API}/due", params={"on": "2031-01-01"}).json()
        for role in ("supervisor", "other_supervisor")
    }
    assert world.rec in {r["id"] for r in due["supervisor"]["recordings"]}
    assert due["other_supervisor"]["recordings"] == []

    browsers = {role: sign_in(live, role) for role in ROLES}
    try:
        for page, (url, expected) in PAGES.items():
            for role, status in zip(ROLES, expected, strict=True):
                response = browsers[role].get(url(world))
                if response.status_code != status:
                    wrong.append((page, role, status, response.status_code))
                elif status >= 400:
                    assert gives_nothing_away(response), (page, role, response.text)
    finally:
        for browser in browsers.values():
            browser.close()
    assert wrong == []


def test_sign_in_is_throttled(live: Live) -> None:
    live.account("student", "owner@example.org")
    with live.client(headers={"Accept-Language": "en"}) as browser:

        def attempt(password: str) -> httpx.Response:
            return post_sign_in(browser, "owner@example.org", password)

        for _ in range(5):
            refused = attempt("not the password")
            assert refused.status_code == 401
            assert "wrong e-mail address or password" in refused.text
        locked = attempt("not the password")
        assert locked.status_code == 401 and "try again in" in locked.text
        right = attempt(PASSWORD)  # even the right password, until the window has passed
        assert right.status_code == 401 and "try again in" in right.text
        assert "formgen_session" not in right.headers.get("set-cookie", "")
        assert "formgen_session" not in browser.cookies


def test_changes_need_the_csrf_token(live: Live) -> None:
    guide = live.account(*EMAILS["supervisor"])
    rec = (
        live.fg.as_user(live.account(*EMAILS["owner"]))
        .create_recording(
            title=TITLE,
            supervisor=guide.email,
            situation=3,
            purpose="reflection",
            date=dt.date(2030, 12, 1),
        )
        .id
    )
    owner = sign_in(live, "owner")
    token = csrf_of(owner)
    before = store_dump(live.store)
    for sent in ({}, {"csrf": "forged-" + token[:10]}):
        refused = owner.post(f"/recordings/{rec}/participants", data={"name": "Mallory", **sent})
        assert refused.status_code == 403
        assert "Traceback" not in refused.text
        api = owner.post(
            f"{API}/recordings/{rec}/participants",
            json={"name": "Mallory"},
            headers={"X-CSRF-Token": sent.get("csrf", "")},
        )
        assert api.status_code == 403 and api.json()["title"].startswith("CSRF")
    left = owner.post("/sign-out", data={})
    assert left.status_code == 403
    assert store_dump(live.store) == before  # nothing changed, still signed in
    assert owner.get(f"{API}/me").json()["email"] == "owner@example.org"
    # With the session's token the same changes go through.
    added = owner.post(
        f"{API}/recordings/{rec}/participants",
        json={"name": "Mallory"},
        headers={"X-CSRF-Token": token},
    )
    assert added.status_code == 201
    page = owner.post(f"/recordings/{rec}/participants", data={"name": "Trudy", "csrf": token})
    assert page.status_code == 303
    owner.close()


def session_cookie(response: httpx.Response) -> str:
    found = re.search(r"formgen_session=([^;]+)", response.headers.get("set-cookie", ""))
    assert found, response.headers
    return found.group(1)


def test_a_session_is_new_at_sign_in_and_gone_at_sign_out(live: Live) -> None:
    for role in ("owner", "supervisor"):
        live.account(*EMAILS[role])
    # An attacker's own valid session cookie, planted in the victim's browser.
    attacker = sign_in(live, "owner")
    planted = attacker.cookies["formgen_session"]
    with live.client(cookies={"formgen_session": planted}) as victim:
        done = post_sign_in(victim, "guide@example.org")
        assert done.status_code == 303
        fresh = session_cookie(done)
        assert fresh != planted
        cookie = done.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        # The planted cookie is still the attacker's own session, not the victim's.
        assert attacker.get(f"{API}/me").json()["email"] == "owner@example.org"
        assert victim.get(f"{API}/me").json()["email"] == "guide@example.org"
        # Signing out ends the session on the server: the old cookie stops working.
        token = csrf_of(victim)
        out = victim.post("/sign-out", data={"csrf": token})
        assert out.status_code == 303
    with live.client(cookies={"formgen_session": fresh}) as replay:
        assert replay.get(f"{API}/me").status_code == 401
        assert replay.get("/recordings").status_code == 303
    # A made-up cookie is no session either, and signing in replaces it.
    with live.client(cookies={"formgen_session": "made-up"}) as guess:
        assert guess.get(f"{API}/me").status_code == 401
        done = post_sign_in(guess, "guide@example.org")
        assert session_cookie(done) != "made-up"
    attacker.close()


def count_jobs(live: Live) -> int:
    with live.fg.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(jobs)).scalar_one())


def test_only_scans_are_taken(live: Live, tmp_path: Path) -> None:
    live.account("student")
    with live.client(live.token("student")) as api:
        for name, data in (
            ("scan.pdf", b"Dear supervisor,\nthis is not a PDF at all.\n"),
            ("page.html", b"<!doctype html><script>alert(1)</script>"),
            ("photo.jpg", b"GIF89a not a jpeg"),
        ):
            refused = api.post(f"{API}/scans", files=[("files", (name, data, "application/pdf"))])
            assert refused.status_code == 422, refused.text
            assert "not a PDF or an image" in refused.json()["detail"]
        # One bad file refuses the whole upload.
        png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
        mixed = api.post(
            f"{API}/scans",
            files=[("files", ("a.png", png, "image/png")), ("files", ("b.pdf", b"text", "x/y"))],
        )
        assert mixed.status_code == 422
        assert count_jobs(live) == 0


def raw_request(live: Live, head: str, body: bytes = b"") -> bytes:
    """Send a request by hand and read the answer's head: the server must answer without
    waiting for a body that never comes."""
    host, port = live.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    return answer


@pytest.mark.served  # bytes on a real socket, as a client that lies about its body sends them
def test_a_huge_upload_is_refused_before_it_is_read(live: Live) -> None:
    live.account("student")
    token = live.token("student")
    for path in (f"{API}/scans", "/recordings/R-AAAAAA/scans"):
        answer = raw_request(
            live,
            f"POST {path} HTTP/1.1\nHost: x\nAuthorization: Bearer {token}\n"
            f"Content-Type: multipart/form-data; boundary=b\nContent-Length: {MAX_BODY + 1}\n",
            b"--b\r\n",
        )
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"content-security-policy" in answer.lower()
    chunked = raw_request(
        live,
        f"POST {API}/scans HTTP/1.1\nHost: x\nAuthorization: Bearer {token}\n"
        "Content-Type: multipart/form-data; boundary=b\nTransfer-Encoding: chunked\n",
        b"5\r\n--b\r\n\r\n",
    )
    assert chunked.startswith(b"HTTP/1.1 411"), chunked[:200]
    assert count_jobs(live) == 0


def test_security_headers_everywhere(live: Live) -> None:
    live.account("student")
    with live.client(live.token("student")) as api, live.client() as anon:
        responses = {
            "page": anon.get("/sign-in"),
            "missing page": anon.get("/no/such/page"),
            "api": api.get(f"{API}/me"),
            "api refusal": api.get(f"{API}/recordings/R-NOSUCH"),
            "api without token": anon.get(f"{API}/recordings"),
            "api bad request": api.post(f"{API}/recordings", json={"title": 1}),
            "openapi": anon.get(f"{API}/openapi.json"),
            "static": anon.get("/static/style.css"),
        }
    for what, response in responses.items():
        headers = response.headers
        csp = headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp, what
        assert "unsafe-eval" not in csp and "frame-ancestors 'none'" in csp, what
        assert headers.get("x-content-type-options") == "nosniff", what
        assert headers.get("x-frame-options") == "DENY", what
        assert headers.get("referrer-policy") == "no-referrer", what
        if what != "static":
            assert headers.get("cache-control") == "no-store", what
        assert "Traceback" not in response.text and 'File "' not in response.text, what
    assert responses["missing page"].status_code == 404
    assert responses["api refusal"].headers["content-type"] == "application/problem+json"
    assert responses["api bad request"].status_code == 422
