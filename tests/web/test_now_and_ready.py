"""The recording page opens with what to do now, and its declarations PDF is ready when
asked: in Chromium, in Dutch and English, on a desktop and a phone, on SQLite and
PostgreSQL."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from ..helpers import timetravel
from ..helpers.pages import PHONE, recording, scan_declarations, too_wide
from ..helpers.rendering import rasterise
from ..helpers.scans import Fill, save_pdf
from .conftest import Live, sign_in

LOCALES = {"nl": "nl-NL", "en": "en-GB"}
WORDS = {
    "nl": {
        "now": "Wat u nu doet",
        "step1": "Stap 1",
        "open": "te doen",
        "title1": "Controleer of vraag schriftelijke toestemming",
        "print": "Druk de verklaringen af",
        "upload": "Upload de ondertekende scans",
        "done": "De scans lezen: klaar",
        "decisions": "beslissingen vastgelegd",
        "page1": "geen antwoorden op deze pagina",
        "download": "Verklaringen downloaden (pdf)",
        "busy": "Bezig met het maken van de verklaringen…",
    },
    "en": {
        "now": "What to do now",
        "step1": "Step 1",
        "open": "to do",
        "title1": "Check or obtain written consent",
        "print": "Print the declarations",
        "upload": "Upload the signed scans",
        "done": "Reading the scans: done",
        "decisions": "decisions recorded",
        "page1": "no answers on this page",
        "download": "Download the declarations (PDF)",
        "busy": "Busy making the declarations…",
    },
}
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": PHONE}


def open_page(browser: Any, live: Live, lang: str, viewport: str, role: str = "student") -> Any:
    context = browser.new_context(
        base_url=live.url, locale=LOCALES[lang], viewport=VIEWPORTS[viewport]
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    sign_in(page, live, role, lang=lang)
    return page


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_page_opens_with_what_to_do_now(
    browser: Any, live: Live, lang: str, viewport: str
) -> None:
    words = WORDS[lang]
    rec = recording(live)
    live.fg.add_participant(rec, "Noor Bakker")
    page = open_page(browser, live, lang, viewport)
    try:
        page.goto(f"/recordings/{rec}")
        now = page.locator("#now")
        expect(now.get_by_role("heading", name=words["now"])).to_be_visible()
        # First on the page, before the facts and the rest.
        first = page.evaluate(
            "() => document.querySelector('main h2') && document.querySelector('main h2').id"
        )
        assert first == "now-h"
        expect(now.locator(".step-no")).to_have_text(words["step1"])
        # The state is a badge of its own, not part of the step's title.
        expect(now.locator(".state")).to_have_text(words["open"])
        assert words["open"] not in now.locator(".now-title").inner_text()
        expect(now.locator(".now-title")).to_contain_text(words["title1"])
        # Nothing came back yet: the one action hands out the declarations.
        action = now.locator("#now-action")
        expect(action).to_have_text(words["print"])
        assert now.get_by_role("button").count() + now.get_by_role("link").count() == 2
        # The seven steps stay below, each number once: step 3 has parts 3a and 3b.
        numbers = page.locator("#checklist .step-no").all_inner_texts()
        assert len(numbers) == len(set(numbers)) == 8, numbers
        assert not [n for n in numbers if n.endswith(" 3")], numbers
        action.click()
        expect(page.locator("#documents")).to_be_in_viewport()
        if viewport == "phone":
            assert too_wide(page) == []
    finally:
        page.context.close()


@pytest.mark.worker  # its scans are read by the service's worker process
@pytest.mark.parametrize("lang", ["nl", "en"])
def test_scan_results_name_the_person_and_count_decisions(
    browser: Any, live: Live, tmp_path: Path, lang: str
) -> None:
    words = WORDS[lang]
    rec = recording(live)
    scan_declarations(
        live,
        rec,
        [("Noor Bakker", Fill({"recording": ["yes"]})), ("Daan Smit", Fill({"recording": ["no"]}))],
        tmp_path,
    )
    owner = live.fg.as_user(live.account("student"))
    # A stack with page 1 of Noor's declaration (the part a person keeps): read, but it
    # decides nothing, so it is not counted as recorded.
    noor = owner.status(rec).participants[0]
    first = rasterise(owner.forms(rec, participants=[noor.id], save=False).data, 200)[0]
    upload = save_pdf(tmp_path / "page-one.pdf", [first])
    page = open_page(browser, live, lang, "desktop")
    try:
        page.goto(f"/recordings/{rec}")
        page.locator("#scan-files").set_input_files(str(upload))
        page.locator("#upload button[type=submit]").click()
        job = page.locator("#job")
        expect(job).to_have_attribute("data-state", "done", timeout=120_000)
        expect(job.locator("#job-h")).to_contain_text(words["done"])
        row = job.locator("tbody tr").first
        expect(row).to_contain_text("Noor Bakker")  # the person, beside the form ID
        expect(row).to_contain_text(words["page1"])
        expect(job.locator(".job-summary")).to_contain_text(f"0 {words['decisions']}")
    finally:
        page.context.close()


def kept(folder: Path, rec: str) -> list[Path]:
    return sorted(folder.glob(f"{rec}-*.pdf")) if folder.exists() else []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_declarations_pdf_is_ready_when_asked(
    browser: Any, live: Live, tmp_path: Path, lang: str
) -> None:
    words = WORDS[lang]
    folder = tmp_path / "output" / "declarations-ready"  # the server runs in tmp_path
    rec = recording(live)
    fg = live.fg
    fg.add_participant(rec, "Noor Bakker")
    page = open_page(browser, live, lang, "desktop")
    try:
        # Rendered ahead: the first look starts the render and says "busy…"; the page
        # asks again until the button is ready, without a click.
        first_look = page.goto(f"/recordings/{rec}")
        assert first_look is not None and words["busy"] in first_look.text()
        ready = page.locator('#declarations-ready[data-ready="yes"]')
        expect(ready).to_be_visible(timeout=120_000)
        [first] = kept(folder, rec)
        assert stat.S_IMODE(first.stat().st_mode) == 0o600
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        with page.expect_download() as download:
            ready.get_by_role("link", name=words["download"]).click()
        data = Path(download.value.path()).read_bytes()
        assert data == first.read_bytes() and data.startswith(b"%PDF")

        # A name changes: the PDF that names the old one goes, a new one is made.
        fg.add_participant(rec, "Daan Smit")
        page.goto(f"/recordings/{rec}")
        expect(page.locator("#declarations-ready")).to_be_visible()
        expect(ready).to_be_visible(timeout=120_000)
        [second] = kept(folder, rec)
        assert second != first and not first.exists()

        # Destroyed: the kept PDF goes with the recording's other documents.
        fg.destroy(rec, by="Supervisor Person")
        assert kept(folder, rec) == []
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_camera_advice_agrees_with_the_table(
    browser: Any, live: Live, tmp_path: Path, lang: str
) -> None:
    owner = live.account("student")
    live.account("supervisor")
    rec = (
        live.fg.as_user(owner)
        .create_recording(
            title="Gastles met livestream",
            student=owner.email,
            supervisor="supervisor@example.org",
            situation=3,
            purpose="assessment",
            date=timetravel.days_from_today(7),
            livestream=True,
        )
        .id
    )
    people = scan_declarations(
        live,
        rec,
        [
            # In frame, but not in the live stream: counted by the advice, so "yes" here.
            ("Noor Bakker", Fill({"recording": ["yes"], "livestream": ["no"]})),
            ("Daan Smit", Fill({"recording": ["no"], "livestream": ["no"]})),
            ("Alex Çelik", Fill({"recording": ["yes"], "livestream": ["yes"]})),
        ],
        tmp_path,
    )
    camera = live.fg.status(rec).camera
    assert (camera.consented, camera.present) == (2, 3)
    page = open_page(browser, live, lang, "desktop")
    try:
        page.goto(f"/recordings/{rec}")
        advice = page.locator("#status .advice").inner_text()
        assert "2" in advice and "3" in advice, advice
        column = page.locator("table.consent").first.locator("tbody tr td:last-child")
        yes = {"nl": "ja", "en": "yes"}[lang]
        said = [cell.split()[0] for cell in column.all_inner_texts()]
        assert said.count(yes) == camera.consented, said
        # Who must not appear: each name with its form ID beside it.
        absent = page.locator("#status ul.absent li").all_inner_texts()
        for person in people[:2]:
            assert any(person.name in line and person.form_id in line for line in absent), absent
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_one_button_moves_the_step_on(browser: Any, live: Live, lang: str) -> None:
    step = {"nl": "Stap {}", "en": "Step {}"}[lang]
    rec = recording(live)  # no one registered: only the student may appear
    page = open_page(browser, live, lang, "desktop")
    try:
        page.goto(f"/recordings/{rec}")
        now = page.locator("#now")
        # Before the recording date there is no footage to check: no button yet.
        expect(now.locator(".step-no")).to_have_text(step.format("3a"))
        expect(now.locator("#now-confirm")).to_have_count(0)
        timetravel.backdate(rec, 8, live.fg.engine)  # recorded yesterday
        page.goto(f"/recordings/{rec}")
        now.locator("#now-confirm").click()
        # Confirmed; reminding is not needed (no one consented): on to step 4.
        expect(now.locator(".step-no")).to_have_text(step.format(4))
        expect(page.locator('#checklist li[data-step="footage_checked"] .state')).to_have_class(
            "state state-done"
        )
    finally:
        page.context.close()
