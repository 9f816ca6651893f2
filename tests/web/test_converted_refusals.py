"""Refusals that were English f-strings now carry a message ID (tests/test_message_ids.py
checks the source): on a Dutch page they are Dutch, dates the Dutch way, a rule's refusal
inside the record's refusal too; an English page keeps the library's English."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from formgen.errors import RecordError

from ..helpers import timetravel
from ..helpers.web import Live, post_sign_in, sign_in

ISO_DAY = re.compile(r"\d{4}-\d\d-\d\d")


@contextmanager
def signed_in(live: Live, lang: str) -> Iterator[httpx.Client]:
    account = live.account("student")
    with live.client(headers={"Accept-Language": lang}) as client:
        done = post_sign_in(client, account.email)
        assert done.status_code == 303, done.text
        yield client


def recording(live: Live) -> str:
    student = live.account("student")
    rec = live.fg.as_user(student).create_recording(
        title="Voorleesles",
        situation=3,
        purpose="reflection",
        date=timetravel.days_from_today(1),
    )
    live.fg.add_participants(rec.id, ["Noor Bakker"])
    return rec.id


def csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def test_step_refusals_are_said_in_the_pages_language(live: Live) -> None:
    rec = recording(live)
    with signed_in(live, "nl") as dutch:
        token = csrf(dutch.get(f"/recordings/{rec}"))
        bogus = dutch.post(f"/recordings/{rec}/steps/bogus", data={"csrf": token})
        assert bogus.status_code == 422
        assert "er is geen stap &#39;bogus&#39;; de stappen zijn " in bogus.text, bogus.text
        assert "no checklist step" not in bogus.text
        # The step by its title, not its key; why formgen does it itself, in Dutch too.
        derived = dutch.post(f"/recordings/{rec}/steps/reminded", data={"csrf": token})
        assert derived.status_code == 422
        found = re.search(r'<p class="problem" role="alert">([^<]*)</p>', derived.text)
        assert found, derived.text
        said = html.unescape(found.group(1))
        assert said.startswith('stap "Wijs deelnemers')
        assert "bevestigt u niet met de hand: formgen" in said, said
        assert "reminded" not in said and "is not confirmed" not in said, said
        assert f"herinneringen voor {rec}" in said, said
        pasted = dutch.post(
            f"/recordings/{rec}/participants/list",
            data={"csrf": token, "names": "Daan Jansen\nDaan Jansen"},
        )
        assert pasted.status_code == 422
        assert "Deze namen komen meer dan eens voor: Daan Jansen." in pasted.text, pasted.text
    with signed_in(live, "en") as english:
        token = csrf(english.get(f"/recordings/{rec}"))
        derived = english.post(f"/recordings/{rec}/steps/reminded", data={"csrf": token})
        assert derived.status_code == 422
        assert "is not confirmed by hand: formgen records it when the reminders" in derived.text
        assert "step reminded" not in derived.text  # a page names the step by its title
    # The library's English line (what the CLI prints) keeps the step's key.
    with pytest.raises(RecordError) as caught:
        live.fg.confirm_step(rec, "reminded", by="Sam Student")
    assert str(caught.value) == (
        f"step reminded is not confirmed by hand: formgen records it when the reminders for {rec}"
        " are recorded as sent"
    )


def test_a_refused_extension_is_dutch_in_chromium(browser: Any, live: Live) -> None:
    """The rule's refusal (kept at most 4 weeks for reflection) inside the record's
    ("…; nothing changed"), both in Dutch, the dates the Dutch way."""
    rec = recording(live)
    context = browser.new_context(base_url=live.url, locale="nl-NL")
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        sign_in(page, live, "student", lang="nl")
        page.goto(f"/recordings/{rec}")
        extend = page.locator("#reconsent form:has(input[value='extend'])")
        too_late = timetravel.days_from_today(1) + dt.timedelta(days=365)
        extend.locator("#rc-until").fill(too_late.isoformat())
        extend.locator("#rc-extend-ok").check()
        extend.get_by_role("button").click()
        problem = page.locator("#reconsent [role=alert]")
        expect(problem).to_contain_text("de nieuwe verwijderdatum")
        expect(problem).to_contain_text("er is niets veranderd")
        said = problem.inner_text()
        assert "nothing changed" not in said and "is later than" not in said, said
        assert not ISO_DAY.search(said), said  # dates in Dutch words
        assert str(too_late.year) in said and "is later dan" in said, said
    finally:
        context.close()
