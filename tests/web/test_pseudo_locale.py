"""One language per page: every word a person reads comes from a catalogue. The test
builds a pseudo-locale (not shipped): a faculty catalogue for "nl" that wraps every
message of the service and of the documents in ⟦…⟧, installed as a faculty would
(<templates_dir>/locale, formgen.toml). Chromium opens every page (signed in as student,
supervisor and officer; the online form; the error pages) and fails on any visible text
outside the markers, apart from names, IDs, e-mail addresses, dates and numbers, and on
any ISO date (a date is written the language's way)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.dates import get_month_names
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from playwright.sync_api import Page, expect

from formgen import Formgen
from formgen.config import Mail
from formgen.mail.mailbox import Mailbox
from formgen.web.page_words import NOTICES

from ..helpers import test_config, timetravel, write_toml
from ..helpers.pages import a_recording_with_consent, links_of, recording
from ..helpers.web import PASSWORD, Live, free_port, start_server, stop_server

LOCALE = Path(__file__).resolve().parents[2] / "formgen" / "locale"
OPEN, CLOSE = "⟦", "⟧"


def pseudo(domain: str, into: Path) -> int:
    """<into>/locale/nl/LC_MESSAGES/<domain>.mo with every message wrapped in markers."""
    with (LOCALE / "en" / "LC_MESSAGES" / f"{domain}.po").open("rb") as file:
        english = read_po(file)
    catalogue = Catalog(locale="nl", domain=domain)
    for message in english:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            catalogue.add(message.id, tuple(f"{OPEN}{s}{CLOSE}" for s in message.id[:2]))
        else:
            catalogue.add(message.id, f"{OPEN}{message.id}{CLOSE}")
    target = into / "locale" / "nl" / "LC_MESSAGES" / f"{domain}.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as file:
        write_mo(file, catalogue)
    return len(catalogue)


@pytest.fixture
def pseudo_live(store_url: str, tmp_path: Path) -> Iterator[tuple[Live, Mailbox]]:
    """A server with the pseudo catalogues as its faculty's own, online answers on."""
    faculty = tmp_path / "faculty"
    assert pseudo("service", faculty) > 500
    assert pseudo("formgen", faculty) > 100
    with Mailbox() as box:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        write_toml(
            tmp_path,
            f'templates_dir = "faculty"\npublic_url = "{url}"\n'
            f'[mail]\nhost = "127.0.0.1"\nport = {box.port}\nsender = "formgen@example.nl"\n',
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


# Dutch dates as Babel writes them ("1 maart 2026", "zondag 1 maart 2026").
_MONTHS = "|".join(get_month_names("wide", locale="nl_NL").values())
_DAYS = "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
ALLOWED = [
    rf"(?:(?:{_DAYS}) )?\d{{1,2}} (?:{_MONTHS}) \d{{4}}",  # a date
    r"[\w.+-]+@[\w.-]+",  # an e-mail address
    r"\b[A-Z]-[0-9A-Z]{4,}\b",  # a recording's ID
    r"\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]\b",  # a form's ID
    r"\d+",
    r"\bformgen\b",
    r"\bNederlands\b|\bEnglish\b",  # each language named in its own words
]


def unmarked(text: str, names: list[str]) -> list[str]:
    """What is left of a page's visible text once the marked strings (innermost first),
    the names and the allowed values are taken out: words no catalogue gave."""
    while True:
        less = re.sub(rf"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}", " ", text)
        if less == text:
            break
        text = less
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    for pattern in ALLOWED:
        text = re.sub(pattern, " ", text)
    return [line.strip() for line in text.splitlines() if re.search(r"[^\W\d_]", line)]


def left_over(page: Page, names: list[str]) -> list[str]:
    # A keyboard shortcut's key (<kbd>g</kbd>) is a key, not a word.
    text = page.evaluate(
        """() => {
            const keys = [...document.querySelectorAll("kbd")].map(k => [k, k.textContent]);
            keys.forEach(([k]) => { k.textContent = ""; });
            const text = document.body.innerText;
            keys.forEach(([k, t]) => { k.textContent = t; });
            return text;
        }"""
    )
    title = page.title()
    found = [f"{page.url}: {line!r}" for line in unmarked(f"{title}\n{text}", names)]
    # A date is written the language's way, never as ISO inside a sentence.
    found += [f"{page.url}: ISO date {day}" for day in re.findall(r"\d{4}-\d\d-\d\d", text)]
    return found


def sign_in(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.locator('form[action="/sign-in"] input[name="email"]').fill(email)
    page.locator('form[action="/sign-in"] input[name="password"]').fill(PASSWORD)
    page.locator('form[action="/sign-in"] [type="submit"]').click()
    page.wait_for_url("**/recordings")


def test_the_markers_find_what_is_not_translated() -> None:
    """The check itself: a marked page passes, an English word does not."""
    names = ["Noor Bakker"]
    assert unmarked(f"{OPEN}Consent{CLOSE} Noor Bakker R-7KQ2M9 1 maart 2026 3", names) == []
    assert unmarked(f"{OPEN}Title: {OPEN}Reflection{CLOSE}{CLOSE}", names) == []
    assert unmarked(f"{OPEN}Consent{CLOSE} to review", names) == ["to review"]
    assert unmarked("lege pagina: blank page", names) == ["lege pagina: blank page"]


def test_every_page_speaks_only_the_catalogues_words(
    browser: Any, pseudo_live: tuple[Live, Mailbox], tmp_path: Path
) -> None:
    live, _box = pseudo_live
    found: list[str] = []
    context = browser.new_context(base_url=live.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto("/sign-in")  # the first visit: set-up, no account yet
        found += left_over(page, [])
    finally:
        context.close()

    rec = a_recording_with_consent(live, tmp_path)
    online = live.fg.create_recording(
        title="Voorleesles online",
        student="Sam de Vries",
        supervisor="Dr. A. Jansen",
        situation=3,
        purpose="assessment",
        date=timetravel.days_from_today(7),
    ).id
    live.fg.add_participant(online, "Daan 't Hooft", under_16=True)
    # Situation 2: the institution asks; its blank forms and what it confirmed show.
    school = recording(live, title="Gymles", situation=2)
    live.fg.add_participant(school, "Noor Bakker")
    live.fg.add_blank(school, 3)
    live.fg.confirm_institution(
        school, "covered", contact="Mw. De Wit", on=timetravel.today(), by="Sam de Vries"
    )
    names = [
        "Rekenles groep 5", "Voorleesles online", "Voorleesles", "Noor Bakker",
        "Daan 't Hooft", "Alex Çelik", "Sam de Vries", "Dr. A. Jansen",
        "Student Person", "Supervisor Person", "Officer Person", "Gymles",
        "Basisschool De Regenboog", "Mw. De Wit",
    ]  # fmt: skip
    notices = [f"/recordings/{rec}?done={done}" for done in NOTICES]  # after each action
    pages = {
        "student": [
            "/recordings", "/recordings/new", f"/recordings/{rec}",
            f"/recordings/{rec}/must-not-appear", "/review", "/recordings/R-NOSUCH",
            "/users", f"/recordings/{school}", *notices,
        ],
        "supervisor": [
            "/recordings", "/review", "/due", f"/recordings/{rec}", f"/recordings/{school}",
        ],
        "officer": ["/recordings", "/users", "/due"],
    }  # fmt: skip
    for role, paths in pages.items():
        account = live.account(role)
        context = browser.new_context(base_url=live.url, locale="nl-NL")
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            page.goto("/sign-in")
            found += left_over(page, names)
            sign_in(page, account.email)
            for path in paths:
                page.goto(path)
                found += left_over(page, names)
            if role == "student":
                # A form sent back with nothing filled in: the refusal is in words too.
                page.goto("/recordings/new")
                with page.expect_navigation():
                    page.locator("form[action='/recordings/new']").evaluate(
                        "f => { f.noValidate = true; f.requestSubmit(); }"
                    )
                found += left_over(page, names)
                # An expired form (a CSRF token that no longer fits).
                page.goto("/recordings/new")
                page.locator("form[action='/recordings/new'] input[name='csrf']").evaluate(
                    "i => { i.value = 'stale'; }"
                )
                with page.expect_navigation():
                    page.locator("form[action='/recordings/new']").evaluate(
                        "f => { f.noValidate = true; f.requestSubmit(); }"
                    )
                expired = f"{OPEN}The form has expired. Reload the page and try again.{CLOSE}"
                expect(page.locator("main")).to_contain_text(expired)
                found += left_over(page, names)
        finally:
            context.close()

    context = browser.new_context(base_url=live.url, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(links_of(live, online)[0])  # the online form, as a parent's phone opens it
        expect(page.locator("h1").first).to_be_visible()
        found += left_over(page, names)
        page.goto(live.url + "/c/not-a-link")  # a refused link
        found += left_over(page, names)
    finally:
        context.close()

    assert not found, "\n".join(found)
