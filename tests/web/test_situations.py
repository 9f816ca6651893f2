"""The three situations of the procedure on the pages, in Chromium, Dutch and English:
the new-recording form explains each in the procedure's words, and a situation-3
recording that names a school is warned about (there the school asks for consent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from ..helpers.web import Live, sign_in

EXPLAINED = {
    "en": [
        "An institution the faculty works with structurally (a training school, say), with a"
        " protocol: the institution asks for consent beforehand.",
        "Another internship institution (a primary or secondary school, or childcare): the"
        " most common situation.",
        "Outside any institution nothing is arranged beforehand: you arrange every"
        " declaration yourself",
    ],
    "nl": [
        "Een (stage-)instelling waarmee de faculteit structureel samenwerkt (bijvoorbeeld een"
        " opleidingsschool), met een protocol: de instelling vraagt vooraf toestemming.",
        "Een andere stage-instelling (een basisschool, middelbare school of kinderopvang): de"
        " meest voorkomende situatie.",
        "Buiten een instelling is vooraf niets geregeld: u regelt alle toestemmingsverklaringen"
        " zelf",
    ],
}
WARNED = {
    "en": "This recording is in situation 3 (outside any institution) but names OBS De"
    " Regenboog: if it is made there, the institution asks for consent (situation 1 or 2)",
    "nl": "Deze opname staat in situatie 3 (buiten een instelling), maar noemt OBS De"
    " Regenboog: wordt de opname daar gemaakt, dan vraagt de instelling de toestemming",
}


@pytest.fixture(params=["nl", "en"])
def speaking(request: pytest.FixtureRequest, browser: Any, live: Live) -> Iterator[Any]:
    """A page in a browser that speaks Dutch or English."""
    locale = {"nl": "nl-NL", "en": "en-GB"}[request.param]
    context = browser.new_context(base_url=live.url, locale=locale)
    page = context.new_page()
    page.lang = request.param
    try:
        yield page
    finally:
        context.close()


def recording(live: Live, institution: str | None) -> str:
    student = live.account("student")
    made = live.fg.as_user(student).create_recording(
        title="Rekenles groep 5",
        situation=3,
        institution=institution,
        purpose="reflection",
        date=dt.date.today() + dt.timedelta(days=10),
    )
    return made.id


def test_each_situation_is_explained_and_a_school_in_situation_3_is_warned_about(
    speaking: Any, live: Live
) -> None:
    page, lang = speaking, speaking.lang
    sign_in(page, live, "student", lang=lang)
    page.goto("/recordings/new")
    form = page.locator("main").inner_text()
    for sentence in EXPLAINED[lang]:
        assert sentence in form, sentence
    page.goto(f"/recordings/{recording(live, 'OBS De Regenboog')}")
    assert WARNED[lang] in page.locator("main p.notice.warning").inner_text()
    page.goto(f"/recordings/{recording(live, None)}")  # no school named: no warning
    assert page.locator("main p.notice.warning").count() == 0
