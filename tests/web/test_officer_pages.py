"""The officer in the browser: the due list opens on the next 30 days and says plainly
when a period is not in its list; the consent record (JSON-LD) and the audit table
download from the pages; a new password by a one-time link; API tokens listed and
revoked; no button to disable one's own account. In English and in Dutch."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from formgen.record import accounts
from formgen.record.accounts import SignInRefused

from ..helpers import timetravel
from ..helpers.pages import check_axe
from ..helpers.web import PASSWORD, Live, sign_in

NEW = "a brand new passphrase"


def due_in(live: Live, low: int, high: int) -> dt.date:
    """A recording date whose reflection recording is due in more than ``low`` and at
    most ``high`` days from today."""
    today = timetravel.today()  # the organisation's day
    for back in range(0, 400):
        day = today - dt.timedelta(days=back)
        if low < (live.fg.delete_by(day, "reflection") - today).days <= high:
            return day
    raise AssertionError("no such date")


def download(page: Any, action: Any) -> tuple[str, bytes]:
    with page.expect_download() as info:
        action()
    got = info.value
    return got.suggested_filename, Path(got.path()).read_bytes()


@pytest.mark.both_stores
def test_the_officer_due_list_exports_and_accounts(page: Any, live: Live, browser: Any) -> None:
    student = live.account("student")
    rec = (
        live.fg.as_user(student)
        .create_recording(
            title="Kringgesprek",
            situation=3,
            purpose="reflection",
            date=due_in(live, 14, 30),  # beyond the old 14-day default
        )
        .id
    )
    live.fg.add_participant(rec, "Ann Smit")
    officer = sign_in(page, live, "officer")

    # The due list opens on the next 30 days.
    page.get_by_role("link", name="Due for deletion").click()
    expect(page.locator("#due-within")).to_have_value("30")
    expect(page.locator("table.due")).to_contain_text("Kringgesprek")

    # A period that is not in the list: a plain message and the default list.
    for bad in ("abc", "7", "-1", "99999999999999999999"):
        answer = page.goto(f"/due?within={bad}")
        assert answer.status == 400, bad
        expect(page.locator("p.problem[role=alert]")).to_have_text(
            "Choose one of the periods in the list."
        )
        expect(page.locator("table.due")).to_contain_text("Kringgesprek")
    check_axe(page)
    page.goto("/due?within=0")
    expect(page.locator("#due-within")).to_have_value("0")
    expect(page.locator("table.due")).to_have_count(0)

    # The consent record from the due list and from the recording page; the audit table.
    page.goto("/due")
    name, data = download(
        page, lambda: page.locator("table.due").get_by_role("link", name="JSON-LD").click()
    )
    assert name == f"{rec}-consent-record.jsonld"
    record, expected = json.loads(data), live.fg.export(rec)
    for kept in (record, expected):
        kept.pop("exported_at")
    assert record == json.loads(json.dumps(expected)) and "@context" in record
    page.goto(f"/recordings/{rec}")
    name, data = download(
        page, lambda: page.get_by_role("link", name="Download the consent record (JSON-LD)").click()
    )
    assert name == f"{rec}-consent-record.jsonld" and rec in data.decode()
    name, data = download(page, lambda: page.get_by_role("link", name=re.compile("audit")).click())
    assert name == "formgen-audit.csv" and rec.encode() in data

    # Users: no button to disable oneself; the others have one.
    page.get_by_role("link", name="Users").click()
    own = page.locator("table.users tr", has_text=officer.email)
    expect(own.get_by_role("button", name=re.compile("Disable"))).to_have_count(0)
    theirs = page.locator("table.users tr", has_text=student.email)
    expect(theirs.get_by_role("button", name=f"Disable {student.email}")).to_be_visible()

    # A new password by a one-time link, shown once to the officer.
    theirs.get_by_role("button", name=f"New-password link {student.email}").click()
    link = page.locator("#reset-link").inner_text()
    check_axe(page)  # the users page with the link and the tokens table
    assert re.fullmatch(rf"{re.escape(live.url)}/password/[A-Za-z0-9_-]{{40,}}", link), link
    page.goto("/users")
    expect(page.locator("#reset-link")).to_have_count(0)  # shown once only

    other = browser.new_context(base_url=live.url, locale="en-GB")
    them = other.new_page()
    try:
        them.goto(link)
        expect(them.get_by_role("heading", name="Choose a new password")).to_be_visible()
        check_axe(them)
        them.locator("form.stack").evaluate("f => f.noValidate = true")  # the server says
        them.get_by_label("New password").fill("short")
        them.get_by_role("button", name="Save the new password").click()
        expect(them.locator("p.problem[role=alert]")).to_contain_text("at least 10")
        them.get_by_label("New password").fill(NEW)
        them.get_by_role("button", name="Save the new password").click()
        expect(them).to_have_url(re.compile(r"/recordings$"))
        expect(them.get_by_role("link", name="Kringgesprek")).to_be_visible()
        assert them.goto(link).status == 404  # spent
    finally:
        other.close()
    assert live.fg.authenticate(student.email, NEW).id == student.id
    try:
        live.fg.authenticate(student.email, PASSWORD)
        raise AssertionError("the old password still works")
    except SignInRefused:
        pass

    # API tokens: listed by an ID (never the token) and revoked.
    token = live.token("student")
    with httpx.Client(base_url=live.url, timeout=60) as client:
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/me", headers=bearer).status_code == 200
        page.goto("/users")
        rows = page.locator("table.tokens tbody tr")
        expect(rows).to_have_count(1)
        expect(rows).to_contain_text(student.email)
        expect(page.locator("main")).not_to_contain_text(token)
        rows.get_by_role("button", name=re.compile("Revoke")).click()
        expect(page.locator("main > p.notice[role=status]")).to_have_text(
            f"API token revoked: {student.email}"
        )
        expect(page.locator("table.tokens")).to_have_count(0)
        assert client.get("/api/v1/me", headers=bearer).status_code == 401

    # Nobody else downloads a consent record, not even the recording's own student.
    accounts.set_password(live.fg.engine, student.id, PASSWORD)
    page.context.clear_cookies()
    sign_in(page, live, "student")
    assert page.request.get(f"/recordings/{rec}/export.jsonld").status == 403
    page.goto(f"/recordings/{rec}")
    expect(page.get_by_role("link", name="Download the consent record (JSON-LD)")).to_have_count(0)


def test_the_officer_pages_in_dutch(browser: Any, live: Live) -> None:
    officer = live.account("officer")
    live.fg.set_lang(officer.id, "nl")
    student = live.account("student")
    live.token("student")
    context = browser.new_context(base_url=live.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, live, "officer", lang="nl")
        page.goto("/due?within=abc")
        expect(page.locator("p.problem[role=alert]")).to_have_text(
            "Kies een van de perioden uit de lijst."
        )
        page.goto("/users")
        expect(page.get_by_role("heading", name="API-tokens")).to_be_visible()
        theirs = page.locator("table.users tr", has_text=student.email)
        theirs.get_by_role("button", name=f"Link voor nieuw wachtwoord {student.email}").click()
        expect(page.locator("#reset-heading")).to_have_text(
            f"Link voor een nieuw wachtwoord voor {student.email}"
        )
        link = page.locator("#reset-link").inner_text()
        page.locator("table.tokens").get_by_role("button", name=re.compile("Intrekken")).click()
        expect(page.locator("main > p.notice[role=status]")).to_have_text(
            f"API-token ingetrokken: {student.email}"
        )
        page.context.clear_cookies()
        page.goto(link)
        expect(page.get_by_role("heading", name="Kies een nieuw wachtwoord")).to_be_visible()
        page.locator("form.stack").evaluate("f => f.noValidate = true")
        page.get_by_label("Nieuw wachtwoord").fill("kort")
        page.get_by_role("button", name="Nieuw wachtwoord opslaan").click()
        expect(page.locator("p.problem[role=alert]")).to_have_text(
            "een wachtwoord heeft minstens 10 tekens"
        )
    finally:
        context.close()


def test_every_english_word_of_the_officer_pages_has_its_dutch() -> None:
    from formgen import words
    from formgen.web import review_pages

    here = Path(review_pages.__file__).parent / "templates"
    english: list[str] = []
    for name in ("users.html", "due.html", "password.html", "_rec_export.html"):
        source = (here / name).read_text()
        english += re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', source)
        english += re.findall(r"_\(\s*'((?:[^'\\]|\\.)*)'\s*\)", source)
    english += ["Choose one of the periods in the list.", "API token revoked: {}"]
    assert len(english) > 40
    dutch = words.translations("nl")._catalog  # type: ignore[attr-defined]
    missing = sorted({e for e in english if not dutch.get(e)})
    assert not missing, missing
