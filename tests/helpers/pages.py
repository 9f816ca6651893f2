"""What the web tests share about pages: recordings and signed declarations made the
real way (printed, marked as signers would, read back by the scan reader), the QR links
a phone reads, and accessibility checks with axe-core in the browser."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from . import timetravel
from .rendering import rasterise
from .scans import Fill, degrade, fill_page, save_pdf
from .web import Live

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# --- checks on a page -------------------------------------------------------------------


def violations(page: Page) -> list[str]:
    """axe's violations on the page as it is now, one line each (rule, impact, where)."""
    results = Axe().run(page, options=WCAG)
    found = []
    for rule in results.response["violations"]:
        for node in rule["nodes"]:
            found.append(f"{page.url}: {rule['id']} ({rule['impact']}): {node['target']}")
    return found


def check_axe(page: Any) -> None:
    """No axe violation on the page as it is now (the report names each)."""
    results = Axe().run(page, options=WCAG)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def images_loaded(page: Page) -> None:
    """Every image of the item has arrived and decoded (the page's CSP forbids the eval
    behind ``wait_for_function``)."""
    images = page.locator("#review img").all()
    assert images
    for image in images:
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("i => i.naturalWidth") > 0


# --- data made the real way -------------------------------------------------------------


def recording(
    live: Live,
    *,
    title: str = "Rekenles groep 5",
    student: str = "student@example.org",
    supervisor: str = "supervisor@example.org",
    purpose: str = "assessment",
    date: dt.date | None = None,
    situation: int = 3,
) -> str:
    """A recording of ``student``'s, supervised by ``supervisor``."""
    owner = live.account("student", student)
    guide = live.account("supervisor", supervisor)
    made = live.fg.as_user(owner).create_recording(
        title=title,
        supervisor=guide.email,
        situation=situation,
        institution=None if situation == 3 else "Basisschool De Regenboog",
        purpose=purpose,
        date=date or timetravel.days_from_today(7),
    )
    return made.id


def scan_declarations(
    live: Live, rec: str, people: Sequence[tuple[str | None, Fill]], tmp_path: Path, seed: int = 1
) -> list[Any]:
    """Add ``people`` (None: a blank form whose name is written by hand), print their
    declarations, mark page 3 of each as ``Fill`` says, and import the stack."""
    fg = live.fg
    added = []
    for name, _fill in people:
        if name is None:
            added += fg.add_blank(rec, 1)
        else:
            added.append(fg.add_participant(rec, name))
    pages = rasterise(fg.forms(rec, participants=[p.id for p in added], save=False).data, 300)
    rng = np.random.default_rng(seed)
    images = []
    for index, (person, (_name, fill)) in enumerate(zip(added, people, strict=True)):
        sheet = fg.layout(person.form_id)["pages"][2]
        images.append(
            degrade(fill_page(pages[3 * index + 2], sheet, fill, rng), "flatbed-200-gray", rng)
        )
    fg.import_scans([save_pdf(tmp_path / f"scan-{seed}.pdf", images)], workers=1)
    return added


def a_recording_with_consent(live: Live, tmp_path: Path) -> str:
    """A student's recording with three people read back from a scan: one given, one
    refused, one waiting for review (so the status, the review queue and the lists have
    something to show)."""
    rec = recording(live, title="Rekenles groep 5")
    scan_declarations(
        live,
        rec,
        [
            ("Noor Bakker", Fill({"recording": ["yes"]})),
            ("Daan 't Hooft", Fill({"recording": ["no"]})),
            ("Alex Çelik", Fill({"recording": ["yes"]}, signed=False)),
        ],
        tmp_path,
    )
    # One recording past its deletion date, for the due list.
    old = recording(live, title="Voorleesles", purpose="reflection")
    timetravel.backdate_to(old, dt.date(2020, 3, 2), live.fg.engine)
    return rec


def links_of(live: Live, rec: str) -> list[str]:
    """The QR links of every page of the recording's declarations, as a phone reads them."""
    pdf = live.fg.forms(rec, save=False).data
    return [zxingcpp.read_barcodes(page)[0].text for page in rasterise(pdf, 150)]


# A phone's window (a small Android phone), for pages that must not scroll sideways.
PHONE = {"width": 360, "height": 740}


def too_wide(page: Any) -> list[str]:
    """The page, if it is wider than the window, with its widest elements."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width <= PHONE["width"]:
        return []
    culprits = page.evaluate(
        """(limit) => [...document.querySelectorAll("body *")]
            .filter(e => e.getBoundingClientRect().right > limit + 1)
            .slice(0, 3)
            .map(e => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""))""",
        PHONE["width"],
    )
    return [f"{page.url}: {width} px wide ({', '.join(culprits)})"]
