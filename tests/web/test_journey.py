"""Issue 10's story end to end, in a real browser against a real ``formgen serve``: a
student makes a situation-3 recording with three people, prints their declarations,
the signers mark them, the signed pages come back as a scan, a supervisor settles what
the reader was not sure about in the review queue, and the student's camera advice
follows. Screenshots for the README are taken along the way (see
``tests/helpers/screenshots.py``)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from formgen.rules import SETUP, Advice

from .. import synth
from ..helpers import screenshots, timetravel
from ..helpers.pages import images_loaded
from ..helpers.rendering import rasterise
from ..helpers.scans import DPI, PX, Fill, degrade, fill_page, save_pdf
from ..helpers.web import PASSWORD, Live

VIEWPORT = {"width": 1280, "height": 800}
JOB_WAIT = 180_000  # a scan import on a shared 2-core machine: generous, never a sleep


def shoot(page: Page, name: str) -> None:
    """A full-page screenshot for the README, 1280 pixels wide, under a fixed name."""
    path = screenshots.folder() / f"{name}.png"
    page.screenshot(path=path, full_page=True, animations="disabled")


def person(browser: Any, live: Live) -> Page:
    context = browser.new_context(base_url=live.url, locale="en-GB", viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def sign_in_as(page: Page, email: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/recordings")


def status_of(page: Page) -> dict[str, str]:
    """The status table: each person's row as text, by name."""
    rows = {}
    for row in page.locator("#status table.consent").first.locator("tbody tr").all():
        rows[row.locator("th .pname").inner_text().strip()] = row.inner_text()
    return rows


def signed_beside_the_field(page: np.ndarray, sheet: dict[str, Any], rng: Any) -> np.ndarray:
    """Yes ticked, and the signature written under its field instead of in it: the
    reader finds the field empty, a person sees the signature on the page."""
    img = fill_page(page, sheet, Fill({"recording": ["yes"]}, signed=False), rng)
    x, y, w, h = sheet["signature"]["rect_mm"]
    pen = synth.random_pen(rng, DPI, "blue-ballpoint")
    beside = tuple(v * PX for v in (x, y + h + 2, w * 0.8, h * 0.8))
    return synth.draw_signature(img, beside, pen, rng, inplace=True)


@pytest.mark.worker  # its scans are read by the service's worker process
@pytest.mark.both_stores
def test_a_recording_from_the_new_form_to_the_camera_advice(
    browser: Any, live: Live, tmp_path: Path
) -> None:
    student = live.account("student", "sam@example.org", "Sam de Vries")
    supervisor = live.account("supervisor", "jansen@example.org", "Dr. A. Jansen")
    page = person(browser, live)
    try:
        page.goto("/sign-in")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        shoot(page, "sign-in")
        sign_in_as(page, student.email)

        # A new situation-3 recording, a week from now, supervised by Dr. Jansen.
        page.get_by_role("link", name="New recording").click()
        day = dt.date.today() + dt.timedelta(days=7)
        page.get_by_label("Title").fill("Rekenles groep 5")
        page.get_by_label("Situation 3: Outside any institution").check()
        page.get_by_label("Date of the recording").fill(day.isoformat())
        page.get_by_label(re.compile(r"^Direct evidence in an assessment")).check()
        until = live.fg.delete_by(day, "assessment")
        expect(page.locator("#delete-by")).to_contain_text(str(until.year))
        page.get_by_label("Your supervisor's e-mail address").fill(supervisor.email)
        shoot(page, "new-recording")
        page.get_by_role("button", name="Create the recording").click()
        page.wait_for_url(re.compile(r"/recordings/R-[0-9A-Z]+"))
        rec = re.search(r"/recordings/(R-[0-9A-Z]+)", page.url).group(1)  # type: ignore[union-attr]

        # Three people: an adult, a child under 16, and one with an English declaration.
        for name, under_16, lang in [
            ("Noor Bakker", False, "nl"),
            ("Daan 't Hooft", True, "nl"),
            ("Alex Çelik", False, "en"),
        ]:
            page.get_by_label("Name", exact=True).fill(name)
            if under_16:
                page.get_by_label("Under 16 (a parent or guardian signs)", exact=True).check()
            page.get_by_label("Language of the declaration", exact=True).select_option(lang)
            page.get_by_role("button", name="Add the person").click()
            expect(page.locator("#status")).to_contain_text(name)
        rows = status_of(page)
        assert list(rows) == ["Noor Bakker", "Daan 't Hooft", "Alex Çelik"]
        assert "under 16" in rows["Daan 't Hooft"] and "English" in rows["Alex Çelik"]
        expect(page.locator("#status .advice")).to_contain_text(SETUP[Advice.NONE])

        # The declarations PDF, as the student downloads it.
        with page.expect_download() as info:
            page.get_by_role("link", name="Download the declarations (PDF)").click()
        pdf = Path(info.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF")

        # The signers: Noor ticks yes, Daan's parent ticks no, Alex ticks yes and signs,
        # but under the signature field: it stays empty. One scanned PDF comes back.
        people = live.fg.status(rec).participants
        images = rasterise(pdf, 300)
        rng = np.random.default_rng(10)
        scanned, first = [], 0
        for who, mark in zip(people, ("yes", "no", "beside"), strict=True):
            layout = live.fg.layout(who.form_id)["pages"]
            sheet = next(p for p in layout if p["boxes"])  # the page that is signed
            clean = images[first + sheet["page"] - 1]
            first += max(p["page"] for p in layout)
            if mark == "beside":
                marked = signed_beside_the_field(clean, sheet, rng)
            else:
                marked = fill_page(clean, sheet, Fill({"recording": [mark]}), rng)
            scanned.append(degrade(marked, "flatbed-200-gray", rng))
        stack = save_pdf(tmp_path / "signed-declarations.pdf", scanned)

        page.get_by_label(re.compile("Scanned PDFs or photos")).set_input_files(stack)
        page.get_by_role("button", name="Upload and read").click()
        page.wait_for_url(re.compile(r"\?job=J-"))
        expect(page.locator("#job")).to_have_attribute("data-state", "done", timeout=JOB_WAIT)
        expect(page.locator("#job .job-summary")).to_contain_text(
            "2 decisions recorded, 1 page(s) to review"
        )
        rows = status_of(page)
        assert "consent given" in rows["Noor Bakker"]
        assert "refused" in rows["Daan 't Hooft"]
        assert "to review" in rows["Alex Çelik"]
        advice = page.locator("#status .advice")
        expect(advice).to_contain_text(SETUP[Advice.FEW])
        expect(advice).to_contain_text("1 of 3 registered participants may appear")
        page.goto(f"/recordings/{rec}")
        shoot(page, "recording")

        # The supervisor opens the review queue: Alex's form, its empty signature field,
        # and the page, with Alex's signature under the field. Given.
        (item,) = live.fg.review_items()
        guide = person(browser, live)
        try:
            sign_in_as(guide, supervisor.email)
            guide.get_by_role("link", name="Review").click()
            expect(guide.locator("#rev-heading")).to_contain_text("Alex Çelik")
            expect(guide.locator(".rev-facts")).to_contain_text("not signed")
            expect(guide.locator(".rev-facts")).to_contain_text("Rekenles groep 5")
            expect(guide.get_by_role("img", name="Signature (as scanned)")).to_be_visible()
            images_loaded(guide)
            expect(guide.locator(".rev-signature")).to_contain_text("found no signature")
            shoot(guide, "review")
            guide.get_by_role("button", name="Given").click()
            expect(guide.locator("#rev-heading")).to_have_text("Nothing to review")
            assert live.fg.review_items() == []

            # The due list: an older recording of Sam's is past its deletion date.
            old = live.fg.as_user(student).create_recording(
                title="Voorleesles groep 3",
                supervisor=supervisor.email,
                situation=3,
                purpose="reflection",
                date=timetravel.days_from_today(1),
            )
            timetravel.backdate(old.id, 61, live.fg.engine)
            guide.get_by_role("link", name="Due for deletion").click()
            expect(guide.locator("table.due tbody tr")).to_have_count(1)
            expect(guide.locator("table.due")).to_contain_text("Overdue")
            expect(guide.get_by_role("link", name="Voorleesles groep 3")).to_have_attribute(
                "href", f"/recordings/{old.id}"
            )
            shoot(guide, "due")
        finally:
            guide.context.close()

        # The student sees the camera advice follow the decision: Alex may appear now.
        page.goto(f"/recordings/{rec}")
        alex = status_of(page)["Alex Çelik"]
        assert "consent given" in alex and "\tsigned\t" in alex
        expect(page.locator("#status")).not_to_contain_text("need a person's look")
        expect(advice).to_contain_text(SETUP[Advice.MOST])
        expect(advice).to_contain_text("2 of 3 registered participants may appear")
        page.get_by_role("link", name="My recordings").first.click()
        expect(page.get_by_role("link", name="Rekenles groep 5")).to_be_visible()
        shoot(page, "recordings")
    finally:
        page.context.close()

    # Another student learns nothing about it.
    intruder = person(browser, live)
    try:
        live.account("student", "other@example.org")
        sign_in_as(intruder, "other@example.org")
        answer = intruder.goto(f"/recordings/{rec}")
        assert answer is not None and answer.status == 404
        expect(intruder.locator("main")).not_to_contain_text("Rekenles")
        assert intruder.request.get(f"/recordings/{rec}/declarations.pdf").status == 404
        assert intruder.request.get(f"/review/{item.item}").status == 404
    finally:
        intruder.context.close()
