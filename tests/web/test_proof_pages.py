"""The proof retention in the service: the due list (page and API) shows when the record
of a destroyed recording loses what is personal, the server's worker erases it, and the
recording page then names each person by their place in the list."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from formgen import Formgen

from ..helpers import test_config
from ..helpers.timetravel import clock, days_from_today, utc_days_ago
from ..helpers.web import Live, sign_in, start_server, stop_server

API = "/api/v1"


@pytest.fixture
def quiet(store_url: str, tmp_path: Path) -> Iterator[Live]:
    """A server without a worker: nothing is erased behind the test's back."""
    fg = Formgen.open(db=store_url, config=test_config(output_dir=tmp_path / "output"))
    proc, url = start_server(store_url, tmp_path, workers=0)
    try:
        yield Live(url, store_url, fg)
    finally:
        log = stop_server(proc)
        fg.close()
        assert "Traceback" not in log, log


def destroyed(live: Live, title: str, days_ago: int) -> str:
    rec = live.fg.create_recording(
        title=title,
        student="Sam de Vries",
        supervisor="Dr. Jansen",
        situation=3,
        purpose="reflection",
        date=days_from_today(3),
    ).id
    live.fg.add_participant(rec, "Ann Smit")
    with clock(utc_days_ago(days_ago)):
        live.fg.destroy(rec, by="Sam")
    return rec


def test_the_due_list_shows_when_the_proof_is_erased(
    browser: Any, quiet: Live, tmp_path: Path
) -> None:
    live = quiet
    soon = destroyed(live, "Kringgesprek", 360)  # a year after: in five or six days
    late = destroyed(live, "Rekenles", 400)
    context = browser.new_context(base_url=live.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, live, "officer")
        page.goto("/due")
        section = page.locator("table[aria-labelledby=proofs]")
        expect(page.get_by_role("heading", name="Proof retention ends")).to_be_visible()
        expect(section.get_by_role("row")).to_have_count(3)  # the header and two
        expect(section.get_by_role("row", name="Rekenles")).to_contain_text("Overdue")
        expect(section.get_by_role("row", name="Kringgesprek")).to_contain_text("in ")
        with live.client(live.token("officer")) as api:
            proofs = api.get(f"{API}/due", params={"within": 30}).json()["proofs"]
            assert [(p["id"], p["overdue"]) for p in proofs] == [(late, True), (soon, False)]
            assert api.get(f"{API}/due").json()["proofs"] == [proofs[0]]

        # A server with a worker erases the overdue one when its worker starts.
        (tmp_path / "worker").mkdir()
        proc, _ = start_server(live.store, tmp_path / "worker", workers=1)
        try:
            for _ in range(600):
                if [p["id"] for p in live.fg.proofs_due(within=30)] == [soon]:
                    break
                time.sleep(0.2)
        finally:
            log = stop_server(proc)
        assert [p["id"] for p in live.fg.proofs_due(within=30)] == [soon], log
        assert "Ann Smit" not in log and "Traceback" not in log
        # Its page keeps the facts, not the name.
        page.goto(f"/recordings/{late}")
        status = page.locator("#status")
        expect(status).to_contain_text("participant 1")
        expect(status).not_to_contain_text("Ann Smit")
        page.goto("/due")
        expect(section.get_by_role("row")).to_have_count(2)
    finally:
        context.close()
