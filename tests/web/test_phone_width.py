"""Every page fits a phone: at 360 × 740, in Dutch and English, no page of the service
scrolls sideways (the document is no wider than the window), for each role, the
online form and the error pages included."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from formgen.mail.mailbox import Mailbox

from ..helpers import timetravel
from ..helpers.pages import PHONE, a_recording_with_consent, links_of, too_wide
from ..helpers.web import Live, sign_in

LOCALES = {"nl": "nl-NL", "en": "en-GB"}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_page_scrolls_sideways_on_a_phone(
    browser: Any, live: Live, tmp_path: Path, lang: str
) -> None:
    rec = a_recording_with_consent(live, tmp_path)
    pages = {
        "student": [
            "/recordings", "/recordings/new", f"/recordings/{rec}",
            f"/recordings/{rec}/must-not-appear", "/recordings/R-NOSUCH", "/users",
        ],
        "supervisor": ["/recordings", "/review", "/due", f"/recordings/{rec}"],
        "officer": ["/recordings", "/users", "/due"],
    }  # fmt: skip
    found: list[str] = []
    for role, paths in pages.items():
        context = browser.new_context(base_url=live.url, locale=LOCALES[lang], viewport=PHONE)
        page = context.new_page()
        try:
            page.goto("/sign-in")
            found += too_wide(page)
            sign_in(page, live, role, lang=lang)
            for path in paths:
                page.goto(path)
                found += too_wide(page)
        finally:
            context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_online_form_fits_a_phone(
    browser: Any, online: tuple[Live, Mailbox], lang: str
) -> None:
    live, _ = online
    rec = live.fg.create_recording(
        title="Voorleesles online",
        student="Sam de Vries",
        supervisor="Dr. A. Jansen",
        situation=3,
        purpose="assessment",
        date=timetravel.days_from_today(7),
        livestream=True,
    ).id
    live.fg.add_participant(rec, "Daan 't Hooft", under_16=True)
    context = browser.new_context(base_url=live.url, locale=LOCALES[lang], viewport=PHONE)
    page = context.new_page()
    found: list[str] = []
    try:
        for link in [*links_of(live, rec)[:1], live.url + "/c/not-a-link"]:
            page.goto(link)
            found += too_wide(page)
    finally:
        context.close()
    assert not found, "\n".join(found)
