"""Sign-in with the institution's account, against a real OpenID Provider on loopback
(tests/helpers/oidc_provider.py: pyop with its own login page) and the real service under uvicorn
(a ``formgen serve`` process where the server's own output is the point): Chromium
through the provider's login page, and httpx for each way a sign-in must be refused.
Every refusal leaves no account and no session behind."""

from __future__ import annotations

import datetime as dt
import html
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from sqlalchemy import select

from formgen import Formgen
from formgen.config import load
from formgen.record import records
from formgen.record.schema import awaited_supervisors
from formgen.web.app import create_app
from formgen.web.rendering import Processes
from tests.helpers.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    PASSWORD,
    LoopbackProvider,
    running,
)
from tests.helpers.oidc_provider import free_port as provider_port
from tests.helpers.pages import violations
from tests.helpers.web import Logged, free_port, start_server, stop_server, uvicorn_thread

from ..helpers import write_toml

SESSION = "formgen_session"


@dataclass
class Institution:
    url: str  # formgen
    provider: LoopbackProvider
    fg: Formgen
    cert: Path  # the provider's, to trust

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url,
            headers={"Accept-Language": "en"},
            timeout=60,
            follow_redirects=False,
            verify=ssl.create_default_context(cafile=self.cert),
        )

    def count(self) -> int:
        return len(self.fg.users())


def config_lines(issuer: str, secret_file: str, public_url: str) -> str:
    return f"""public_url = "{public_url}"

[oidc]
issuer = "{issuer}"
client_id = "{CLIENT_ID}"
client_secret_file = "{secret_file}"
allowed_organisations = ["example.nl"]
officers = ["privacy@example.nl"]
"""


@pytest.fixture
def institution(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pdf_processes: Processes
) -> Iterator[Institution]:
    """The provider on loopback, and the service as ``formgen serve`` in ``tmp_path`` runs
    it (its formgen.toml, trusting the provider's certificate): the application under
    uvicorn in a thread of the test's process, on the port the provider knows."""
    port, op_port = free_port(), provider_port()
    url, issuer = f"http://127.0.0.1:{port}", f"https://127.0.0.1:{op_port}"
    secret = tmp_path / "oidc-secret"
    secret.write_text(CLIENT_SECRET + "\n")
    secret.chmod(0o600)
    write_toml(tmp_path, config_lines(issuer, "oidc-secret", url))
    provider = LoopbackProvider(issuer, f"{url}/sign-in/oidc/callback", f"{url}/sign-in")
    # The library with the service's configuration, as `formgen` beside it would be.
    config = replace(load(tmp_path / "formgen.toml"), output_dir=tmp_path / "output")
    fg = Formgen.open(db=store_url, config=config)
    with running(provider, op_port, tmp_path) as cert:
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("FORMGEN_DB", store_url)
        monkeypatch.delenv("FORMGEN_CONFIG", raising=False)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        served = Formgen.open(db=store_url, config=tmp_path / "formgen.toml")
        try:
            with Logged() as logged, uvicorn_thread(create_app(served, pdf_processes), port):
                yield Institution(url, provider, fg, cert)
        finally:
            served.close()
            fg.close()
        assert "Traceback" not in logged.text, logged.text


def provider_login(client: httpx.Client, authorize_url: str, username: str) -> str:
    """Through the provider's login form as a person would: the URL it sends back to."""
    page = client.get(authorize_url)
    assert page.status_code == 200, page.text
    query = parse_qs(urlsplit(authorize_url).query)
    sent = {k: v[0] for k, v in query.items()}
    answer = client.post(
        authorize_url.split("/authorize")[0] + "/login",
        data={"request": urlencode(sent), "username": username, "password": PASSWORD},
    )
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


def start(client: httpx.Client) -> str:
    begun = client.get("/sign-in/oidc")
    assert begun.status_code == 302, begun.text
    return begun.headers["location"]


def sign_in(inst: Institution, client: httpx.Client, username: str) -> httpx.Response:
    back = provider_login(client, start(client), username)
    return client.get(back)


def signed_in_as(inst: Institution, client: httpx.Client) -> str | None:
    """The role shown in the page header, if the session works."""
    page = client.get("/recordings")
    if page.status_code != 200:
        return None
    for role in ("student", "supervisor", "officer"):
        if f"({role})" in page.text:
            return role
    return None


def replace_param(url: str, **values: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | values
    return urlunsplit(parts._replace(query=urlencode(query)))


def assert_refused(answer: httpx.Response, client: httpx.Client, *words: str) -> None:
    assert answer.status_code == 403, answer.text
    assert "Not signed in" in answer.text
    for word in words:
        assert word in answer.text
    assert SESSION not in answer.headers.get("set-cookie", "")
    assert client.get("/recordings").status_code == 303  # still to the sign-in page


# --- through the browser -------------------------------------------------------------


@pytest.mark.parametrize(("username", "role"), [("sanne", "student"), ("jansen", "supervisor")])
@pytest.mark.both_stores
def test_browser_signs_in_at_the_provider_and_lands_with_the_role(
    institution: Institution, browser: Any, username: str, role: str
) -> None:
    context = browser.new_context(
        base_url=institution.url, locale="nl-NL", ignore_https_errors=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto("/sign-in")
        # Offered first, before the password form.
        link = page.get_by_role("link", name="Inloggen met je instellingsaccount")
        assert link.is_visible()
        assert violations(page) == []
        link.click()
        page.wait_for_url(f"{institution.provider.issuer}/authorize?**")
        assert page.title() == "Example University login"
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/recordings")
        dutch = {"student": "student", "supervisor": "begeleider"}[role]
        assert f"({dutch})" in page.locator("header").inner_text()
        account = next(u for u in institution.fg.users() if u.institution)
        assert account.role == role
        assert account.has_password is False
        # Signing out ends formgen's session and the provider's (RP-initiated logout).
        page.get_by_role("button", name="Uitloggen").click()
        page.wait_for_url(lambda url: urlsplit(url).path == "/sign-in")
        assert institution.provider.logged_out == [CLIENT_ID]
        page.goto("/recordings")
        page.wait_for_url("**/sign-in")
    finally:
        context.close()


@pytest.mark.one_store  # refused before the store has a part in it
def test_a_provider_out_of_reach_is_a_plain_page(store_url: str, tmp_path: Path) -> None:
    port = free_port()
    url, issuer = f"http://127.0.0.1:{port}", f"https://127.0.0.1:{provider_port()}"
    secret = tmp_path / "oidc-secret"
    secret.write_text(CLIENT_SECRET)
    secret.chmod(0o600)
    write_toml(tmp_path, config_lines(issuer, "oidc-secret", url))
    proc, _ = start_server(store_url, tmp_path, port=port)
    try:
        answer = httpx.get(f"{url}/sign-in/oidc", headers={"Accept-Language": "en"})
        assert answer.status_code == 503
        assert "The institution's sign-in cannot be reached." in html.unescape(answer.text)
    finally:
        log = stop_server(proc)
    assert "Traceback" not in log, log
    assert "provider unreachable (ConnectError)" in log


# --- accounts --------------------------------------------------------------------------


def test_the_same_person_twice_is_one_account_kept_up_to_date(institution: Institution) -> None:
    with institution.client() as client:
        assert sign_in(institution, client, "sanne").status_code == 200
        assert signed_in_as(institution, client) == "student"
    first = [u for u in institution.fg.users() if u.institution]
    assert [(u.email, u.name, u.role) for u in first] == [
        ("s.devries@student.example.nl", "Sanne de Vries", "student")
    ]
    from tests.helpers.oidc_provider import PEOPLE

    PEOPLE["sanne"]["name"] = "Sanne de Vries-Bakker"
    try:
        with institution.client() as client:
            assert sign_in(institution, client, "sanne").status_code == 200
    finally:
        PEOPLE["sanne"]["name"] = "Sanne de Vries"
    again = [u for u in institution.fg.users() if u.institution]
    assert [(u.id, u.name) for u in again] == [(first[0].id, "Sanne de Vries-Bakker")]


def test_roles_from_affiliation_and_the_officers_list(institution: Institution) -> None:
    for username, role in (("both", "supervisor"), ("privacy", "officer")):
        with institution.client() as client:
            assert sign_in(institution, client, username).status_code == 200
            assert signed_in_as(institution, client) == role


def test_officers_users_page_shows_how_people_sign_in_and_disables_them(
    institution: Institution,
) -> None:
    institution.fg.add_user(
        "breakglass@example.nl", name="Break Glass", role="officer", password="a long password"
    )
    with institution.client() as client:
        sign_in(institution, client, "jansen")
    with institution.client() as client:
        sign_in(institution, client, "privacy")
        page = client.get("/users")
        assert page.status_code == 200
        rows = {
            line.split("<td>")[2].split("</td>")[0]: line
            for line in page.text.split("<tr")
            if "<td>" in line
        }
        assert "<td>institution</td>" in rows["a.jansen@example.nl"]
        assert "<td>password</td>" in rows["breakglass@example.nl"]
        # Either kind is disabled from the page; the institution's account stays out.
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        for email in ("a.jansen@example.nl", "breakglass@example.nl"):
            account = next(u for u in institution.fg.users() if u.email == email)
            done = client.post(
                f"/users/{account.id}/disabled", data={"csrf": csrf[1], "disabled": "true"}
            )
            assert done.status_code == 200, done.text
    states = {u.email: u.disabled for u in institution.fg.users()}
    assert states == {
        "a.jansen@example.nl": True,
        "breakglass@example.nl": True,
        "privacy@example.nl": False,
    }
    with institution.client() as client:
        assert_refused(sign_in(institution, client, "jansen"), client, "this account is disabled")


def test_a_supervisor_named_by_address_is_linked_at_first_sign_in(
    institution: Institution,
) -> None:
    with institution.client() as client:
        sign_in(institution, client, "sanne")
    student = next(u for u in institution.fg.users() if u.role == "student")
    made = institution.fg.as_user(student).create_recording(
        title="Circle time",
        date=dt.date.today() + dt.timedelta(days=7),
        situation="3",
        purpose="reflection",
        supervisor="A.Jansen@example.nl",
    )
    assert institution.count() == 1  # named, not yet an account
    assert records.people_of(institution.fg.engine, made.id) == (student.id, None)
    with institution.fg.engine.connect() as conn:  # kept as its blind index only
        waiting = conn.execute(select(awaited_supervisors.c.email)).scalars().all()
    assert len(waiting) == 1 and "jansen" not in waiting[0].lower()
    with institution.client() as client:
        sign_in(institution, client, "jansen")
        assert "Circle time" in client.get("/recordings").text
        assert client.get(f"/recordings/{made.id}").status_code == 200
    jansen = next(u for u in institution.fg.users() if u.role == "supervisor")
    assert records.people_of(institution.fg.engine, made.id) == (student.id, jansen.id)
    assert institution.fg.as_user(jansen).relation(made.id).supervises


def test_a_disabled_account_is_refused(institution: Institution) -> None:
    with institution.client() as client:
        sign_in(institution, client, "jansen")
    institution.fg.disable_user("a.jansen@example.nl")
    with institution.client() as client:
        assert_refused(sign_in(institution, client, "jansen"), client, "this account is disabled")
    assert institution.count() == 1


@pytest.mark.one_store  # refused before the store has a part in it
@pytest.mark.parametrize(
    ("username", "why"),
    [
        ("visitor", "your institution does not use formgen here"),
        ("alum", "your institution account has no role in formgen"),
    ],
)
def test_a_foreign_organisation_or_no_role_is_refused_without_an_account(
    institution: Institution, username: str, why: str
) -> None:
    with institution.client() as client:
        assert_refused(sign_in(institution, client, username), client, why)
    assert institution.count() == 0


# --- the protocol's checks ---------------------------------------------------------------

NOT_CHECKED = "Your sign-in could not be checked"


@pytest.mark.one_store  # refused before the store has a part in it
def test_a_tampered_state_is_refused(institution: Institution) -> None:
    with institution.client() as client:
        back = provider_login(client, start(client), "sanne")
        answer = client.get(replace_param(back, state="forged-state"))
        assert_refused(answer, client, NOT_CHECKED)
    assert institution.count() == 0


@pytest.mark.one_store  # refused before the store has a part in it
def test_a_replayed_code_is_refused(institution: Institution) -> None:
    with institution.client() as client:
        back = provider_login(client, start(client), "sanne")
        waiting = client.cookies.get("formgen_oidc")  # the state, as before the callback
        assert client.get(back).status_code == 200
        client.cookies.clear()
        # The same code with its own valid state and verifier: only the provider's
        # single use of a code stops it.
        client.cookies.set("formgen_oidc", waiting, path="/sign-in/oidc")
        assert_refused(client.get(back), client, NOT_CHECKED)
    assert institution.count() == 1


@pytest.mark.one_store  # refused before the store has a part in it
def test_a_wrong_nonce_is_refused(institution: Institution) -> None:
    with institution.client() as client:
        authorize = replace_param(start(client), nonce="not-the-nonce-formgen-sent")
        answer = client.get(provider_login(client, authorize, "sanne"))
        assert_refused(answer, client, NOT_CHECKED)
    assert institution.count() == 0


@pytest.mark.one_store  # refused before the store has a part in it
@pytest.mark.parametrize("misbehaviour", ["expired", "wrong_key"])
def test_an_expired_or_wrongly_signed_id_token_is_refused(
    institution: Institution, misbehaviour: str
) -> None:
    setattr(institution.provider, misbehaviour, True)
    with institution.client() as client:
        assert_refused(sign_in(institution, client, "sanne"), client, NOT_CHECKED)
    assert institution.count() == 0
    setattr(institution.provider, misbehaviour, False)
    with institution.client() as client:  # the same person, the provider behaving
        assert sign_in(institution, client, "sanne").status_code == 200
    assert institution.count() == 1


def test_every_word_of_the_institution_sign_in_has_its_dutch() -> None:
    """The pages' and the refusals' English each have a Dutch entry (a missing one would
    show English on a Dutch page)."""
    from formgen import words
    from formgen.record import institution
    from formgen.web import oidc

    here = Path(oidc.__file__).parent / "templates"
    english: list[str] = []
    for name in ("oidc_refused.html", "oidc_onward.html", "sign_in.html", "users.html"):
        english += re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', (here / name).read_text())
    english += ["Signed in", "Signed out"]  # the onward page's titles
    for module in (institution, oidc):
        code = Path(module.__file__).read_text()  # type: ignore[arg-type]
        english += re.findall(
            r'(?:InstitutionRefused|_refused)\(\s*(?:request,\s*)?"([^"]+)"', code
        )
    assert len(english) > 20
    dutch = words.translations("nl")._catalog  # type: ignore[attr-defined]
    missing = sorted({e for e in english if not dutch.get(e)})
    assert not missing, missing
