"""The recording pages in a real browser (Debian's Chromium) against a real ``formgen
serve``: a student's recording from the new-recording form to signed paper read back,
a supervisor's request letter, withdrawal, re-consent and destruction, accessibility
(axe, keyboard) and reading without JavaScript.

Each test starts one server; the steps of one story share it."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from formgen.rules import SETUP, Advice

from ..helpers import timetravel
from ..helpers.pages import check_axe
from ..helpers.rendering import rasterise, text_of
from ..helpers.scans import Fill, blank_backside, degrade, fill_page, save_pdf, save_png
from ..helpers.web import Live, sign_in

JOB_WAIT = 180_000  # a scan import on a shared 2-core machine: generous, never a sleep


def pdf_pages(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def download(page: Any, action: Any) -> tuple[str, bytes]:
    """Do ``action`` (a click) and return the download's file name and bytes."""
    with page.expect_download() as info:
        action()
    got = info.value
    return got.suggested_filename, Path(got.path()).read_bytes()


def status_rows(page: Any) -> dict[str, dict[str, str]]:
    """The status table, by name: form ID and the recording clause's words."""
    rows = {}
    for row in page.locator("#status table.consent").first.locator("tbody tr").all():
        name = row.locator("th .pname").inner_text().strip()
        cells = row.locator("td").all_inner_texts()
        rows[name] = {"form": cells[0].split()[0], "recording": cells[2], "row": row.inner_text()}
    return rows


def notice(page: Any) -> Any:
    """The page's message after a change."""
    return page.locator("main > p.notice[role=status]")


def recording_id(page: Any) -> str:
    found = re.search(r"/recordings/(R-[0-9A-Z]+)", page.url)
    assert found, page.url
    return found.group(1)


@pytest.mark.worker  # its scans are read by the service's worker process
@pytest.mark.both_stores
def test_a_student_collects_consent_on_paper(
    page: Any, live: Live, browser: Any, tmp_path: Path
) -> None:
    sign_in(page, live, "student")
    supervisor = live.account("supervisor")

    # New recording: the deletion date appears as the date and purpose are chosen.
    page.get_by_role("link", name="New recording").click()
    page.get_by_label("Title").fill("Rekenles groep 5")
    day = timetravel.today()  # recorded today: the footage check below needs its date to have come
    page.get_by_label("Date of the recording").fill(day.isoformat())
    page.get_by_label("Situation 3: Outside any institution").check()
    until = live.fg.delete_by(day, "reflection")
    page.get_by_label(re.compile(r"^Reflection: kept")).check()
    expect(page.locator("#delete-by")).to_contain_text(f"{until.day} {until:%B} {until.year}")
    page.get_by_label(re.compile(r"^Direct evidence in an assessment")).check()
    later = live.fg.delete_by(day, "assessment")
    expect(page.locator("#delete-by")).to_contain_text(f"{later.day} {later:%B} {later.year}")
    page.get_by_label(re.compile(r"^Reflection: kept")).check()
    expect(page.locator("#delete-by")).to_contain_text(f"{until.day} {until:%B} {until.year}")
    # A mistake shows the form again with the message, nothing lost.
    page.get_by_label("Your supervisor's e-mail address").fill("nobody@example.org")
    page.get_by_role("button", name="Create the recording").click()
    expect(page.get_by_role("alert")).to_contain_text("is not the e-mail address of a supervisor")
    expect(page.get_by_label("Title")).to_have_value("Rekenles groep 5")
    expect(page.get_by_label(re.compile(r"^Reflection: kept"))).to_be_checked()
    expect(page.get_by_label("Situation 3: Outside any institution")).to_be_checked()
    expect(page.locator("#delete-by")).to_contain_text(f"{until.day} {until:%B} {until.year}")
    page.get_by_label("Your supervisor's e-mail address").fill(supervisor.email)
    page.get_by_role("button", name="Create the recording").click()
    page.wait_for_url(re.compile(r"/recordings/R-"))
    rec = recording_id(page)
    expect(notice(page)).to_contain_text("The recording is made")

    # Three people: one under 16, one with an English declaration from the paste box.
    page.get_by_label("Name", exact=True).fill("Noor Bakker")
    page.get_by_role("button", name="Add the person").click()
    expect(page.locator("#status")).to_contain_text("Noor Bakker")
    page.get_by_label("Name", exact=True).fill("Daan 't Hooft")
    page.get_by_label("Under 16 (a parent or guardian signs)", exact=True).check()
    page.get_by_role("button", name="Add the person").click()
    expect(page.locator("#status")).to_contain_text("Daan 't Hooft")
    page.get_by_label("Names, one per line").fill("Alex Çelik\n")
    page.get_by_label("Language of their declarations").select_option("en")
    page.get_by_role("button", name="Add everyone on the list").click()
    expect(page.locator("#status")).to_contain_text("Alex Çelik")
    rows = status_rows(page)
    assert list(rows) == ["Noor Bakker", "Daan 't Hooft", "Alex Çelik"]
    assert "under 16" in rows["Daan 't Hooft"]["row"] and "English" in rows["Alex Çelik"]["row"]
    assert all(r["recording"] == "requested: form not back yet" for r in rows.values())

    # The declarations: one PDF, three pages a person, the form IDs of the status page.
    name, pdf = download(
        page, page.get_by_role("link", name="Download the declarations (PDF)").click
    )
    assert name == f"{rec}-declarations.pdf" and pdf.startswith(b"%PDF")
    assert pdf_pages(pdf) == 9
    texts = text_of(pdf)
    forms = [rows[n]["form"] for n in rows]
    for index, form in enumerate(forms):
        assert form in texts[3 * index + 2], (form, index)

    # Signers mark the rendered pages: yes, no, and a yes without a signature.
    images = rasterise(pdf, 300)
    rng = np.random.default_rng(10)
    fills = [Fill({"recording": ["yes"]}), Fill({"recording": ["no"]})]
    fills.append(Fill({"recording": ["yes"]}, signed=False))
    scanned = []
    for index, (form, fill) in enumerate(zip(forms, fills, strict=True)):
        sheet = live.fg.layout(form)["pages"][2]
        marked = fill_page(images[3 * index + 2], sheet, fill, rng)
        scanned.append(degrade(marked, "flatbed-200-gray", rng))
    stack = save_pdf(tmp_path / "signed.pdf", [scanned[0], blank_backside(rng), scanned[1]])
    photo = save_png(tmp_path / "alex.png", scanned[2])

    # Upload both files at once; the page follows the job until it is done.
    expect(page.locator("#status .advice")).to_contain_text(SETUP[Advice.NONE])
    upload = page.get_by_label("Scanned PDFs or photos of the signed pages (several at once)")
    upload.set_input_files([stack, photo])
    expect(page.locator("#scan-files-chosen")).to_contain_text("signed.pdf, alex.png")
    page.get_by_role("button", name="Upload and read").click()
    page.wait_for_url(re.compile(r"\?job=J-"))
    job = re.search(r"job=(J-[0-9A-Z]+)", page.url).group(1)  # type: ignore[union-attr]
    expect(page.locator("#job progress")).to_be_attached()
    expect(page.locator("#job")).to_have_attribute("data-state", "done", timeout=JOB_WAIT)
    expect(page.locator("#job .job-summary")).to_have_text(
        "2 decisions recorded, 1 page(s) to review, 0 not read. 1 blank page(s) skipped."
    )
    # The status came along with the finished job, without a reload.
    rows = status_rows(page)
    assert rows["Noor Bakker"]["recording"] == "consent given"
    assert rows["Daan 't Hooft"]["recording"] == "refused"
    assert rows["Alex Çelik"]["recording"] == "to review"
    advice = page.locator("#status .advice")
    expect(advice).to_contain_text(SETUP[Advice.FEW])
    expect(advice).to_contain_text("1 of 3 registered participants may appear")
    expect(advice).to_contain_text("360-degree recording: not allowed")
    expect(page.locator("#status")).to_contain_text("your supervisor decides them")

    # The printable list for the editing desk: names and reasons, nothing else.
    page.get_by_role("link", name="Printable list of who must not appear").click()
    page.wait_for_url("**/must-not-appear")
    # Each activity apart, each person with the form ID (this recording: in frame only).
    expect(page.locator("h2.kept-out")).to_have_text(["Not in frame"])
    items = page.locator("ul.absent li")
    form = r"\([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]\)"
    expect(items).to_have_text(
        [
            re.compile(rf"^Daan 't Hooft {form}: Recording: refused$"),
            re.compile(rf"^Alex Çelik {form}: not signed; Recording: to review$"),
        ]
    )
    assert "Noor" not in page.locator("main").inner_text()
    page.go_back()

    # Another student learns nothing: the page, its PDF and the job are not found.
    other = browser.new_context(base_url=live.url, locale="en-GB")
    try:
        intruder = other.new_page()
        intruder.set_default_timeout(30_000)
        sign_in(intruder, live, "student", "other@example.org")
        for url in (
            f"/recordings/{rec}",
            f"/recordings/{rec}/declarations.pdf",
            f"/recordings/{rec}/must-not-appear",
            f"/jobs/{job}",
            f"/recordings/{rec}?job={job}",
        ):
            assert other.request.get(url).status == 404, url
        assert intruder.goto(f"/recordings/{rec}").status == 404
        expect(intruder.locator("main")).not_to_contain_text("Rekenles")
    finally:
        other.close()

    # The supervisor decides the unsigned form (the review queue's work, here through the
    # library): no signature, no consent. Everyone's consent is now settled.
    (item,) = live.fg.review_items()
    live.fg.resolve(item.item, "no_answer", by=supervisor.name)
    page.reload()
    assert status_rows(page)["Alex Çelik"]["recording"] == "no answer: no consent"
    expect(page.locator("#status .advice")).to_contain_text(SETUP[Advice.FEW])

    # The checklist: the footage check is confirmed with its button, swapped in place.
    checklist = page.locator("#checklist")
    expect(checklist.locator("[data-step=footage_checked]")).to_contain_text("to do")
    page.locator("#confirm-footage_checked").click()
    expect(checklist.get_by_role("status")).to_have_text("The step is confirmed.")
    expect(checklist).to_contain_text("confirmed by Student Person")
    expect(page.locator("#confirm-footage_checked")).to_have_count(0)

    # The description for the platform, copied with its button.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    description = page.locator("#description-text")
    expect(description).to_contain_text(rec)
    page.get_by_role("button", name="Copy the description").click()
    expect(page.locator("#description-text-status")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == description.inner_text().strip()

    # Without JavaScript the page still reads: the status table and the advice.
    plain = browser.new_context(base_url=live.url, locale="en-GB", java_script_enabled=False)
    try:
        reader = plain.new_page()
        reader.set_default_timeout(30_000)
        sign_in(reader, live, "student")
        reader.goto(f"/recordings/{rec}")
        expect(reader.locator("#status table.consent")).to_be_visible()
        assert status_rows(reader)["Daan 't Hooft"]["recording"] == "refused"
        expect(reader.locator("#status .advice")).to_contain_text(SETUP[Advice.FEW])
        expect(reader.get_by_role("button", name="Copy the description")).to_be_hidden()
    finally:
        plain.close()


def test_a_supervisor_asks_an_institution_for_declarations(page: Any, live: Live) -> None:
    student = live.account("student")
    supervisor = live.account("supervisor")
    rec = (
        live.fg.as_user(student)
        .create_recording(
            title="Kringgesprek groep 3",
            situation=2,
            institution="Basisschool De Regenboog",
            purpose="assessment",
            date=dt.date.today() + dt.timedelta(days=10),
            supervisor=supervisor.email,
        )
        .id
    )
    sign_in(page, live, "supervisor")
    page.get_by_role("link", name="Kringgesprek groep 3").click()
    expect(page.get_by_role("heading", name="Ask the institution for declarations")).to_be_visible()
    expect(page.locator("#documents")).to_contain_text("Institution: Basisschool De Regenboog")
    page.get_by_label("Contact person").fill("Mw. De Wit")
    page.get_by_label("Number of blank declarations").fill("5")
    page.get_by_label("Parents or guardians (pupils under 16)").check()
    name, pdf = download(
        page,
        page.get_by_role("button", name="Download the letter with blank declarations (PDF)").click,
    )
    assert name == f"{rec}-request.pdf" and pdf.startswith(b"%PDF")
    page.reload()
    # Blank forms stand for no one until one comes back: one line, not five rows.
    expect(page.locator("#status table.consent tbody tr")).to_have_count(0)
    expect(page.locator("#status p.blanks")).to_have_text(
        "5 blank forms for Basisschool De Regenboog have not come back (yet)."
    )
    forms = [p.form_id for p in live.fg.status(rec).participants]
    text = " ".join(text_of(pdf))
    assert len(forms) == 5 and all(form in text for form in forms)

    # The same page in Dutch, the supervisor's own choice.
    page.locator("#lang-choice").select_option("nl")
    page.get_by_role("button", name="Save").click()
    page.goto(f"/recordings/{rec}")
    expect(
        page.get_by_role("heading", name="Verklaringen aanvragen bij de instelling")
    ).to_be_visible()
    expect(page.locator("#status p.blanks")).to_have_text(
        "5 blanco formulieren voor Basisschool De Regenboog zijn (nog) niet terug."
    )


@pytest.mark.both_stores
def test_withdrawal_reconsent_and_destruction(page: Any, live: Live) -> None:
    student = live.account("student")
    fg = live.fg
    rec = (
        fg.as_user(student)
        .create_recording(
            title="Voorleesles",
            situation=3,
            purpose="reflection",
            date=timetravel.days_from_today(1),
        )
        .id
    )
    people = fg.add_participants(rec, ["Noor Bakker", "Daan 't Hooft"])
    for person in people:
        fg.set_consent(person.form_id, "recording", "given", by="Sam", reason="signed on paper")
    timetravel.backdate(rec, 2, fg.engine)  # recorded yesterday
    sign_in(page, live, "student")

    # Accessibility of the four pages, and the main actions by keyboard.
    check_axe(page)
    page.goto("/recordings/new")
    check_axe(page)
    page.goto(f"/recordings/{rec}/must-not-appear")
    check_axe(page)
    page.goto(f"/recordings/{rec}")
    check_axe(page)
    reached = set()
    for _ in range(250):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement && document.activeElement.id"))
        if {"scan-files", "add-participant"} <= reached:
            break
    assert {"scan-files", "add-participant"} <= reached, reached

    # After recording outside an institution: reminders of the right to withdraw.
    reminded = page.locator("[data-step=reminded]")
    expect(reminded).to_contain_text("to do")
    name, pdf = download(
        page, page.get_by_role("button", name="Make the reminder letters (PDF)").click
    )
    assert name == f"{rec}-reminders.pdf" and pdf.startswith(b"%PDF")
    page.reload()
    expect(reminded).to_contain_text("send them")
    page.get_by_role("button", name="The letters are sent").click()
    expect(notice(page)).to_contain_text("the reminders were sent")
    expect(reminded).to_contain_text("done")

    # Withdrawal: Noor withdraws by e-mail; her withdrawal form downloads too.
    noor = people[0].form_id
    name, pdf = download(page, page.get_by_role("link", name=f"Withdrawal form (PDF) {noor}").click)
    assert name == f"{noor}-withdrawal.pdf" and pdf.startswith(b"%PDF")
    page.get_by_text("Record a withdrawal (Noor Bakker)").click()
    page.locator(f"#w-how-{noor}").select_option("email")
    page.locator(f"#w-note-{noor}").fill("mail of 1 May")
    page.locator(f"#withdrawal form:has(input[value='{noor}'])").get_by_role(
        "button", name="Record the withdrawal"
    ).click()
    expect(notice(page)).to_contain_text("The withdrawal is recorded")
    # The banner stays at the top while she must be kept out.
    expect(page.locator("#withdrew")).to_contain_text(
        "Consent withdrawn by: Noor Bakker. Keep them out of the recording"
    )
    assert status_rows(page)["Noor Bakker"]["recording"] == "withdrawn"
    expect(page.locator("#status")).to_contain_text(
        re.compile(r"Noor Bakker \([0-9A-Z-]+\): Recording: withdrawn")
    )
    history = fg.history(noor)["events"]
    assert history[-1]["reason"] == "withdrawal received by e-mail: mail of 1 May"
    assert history[-1]["source"] == "manual:Student Person"

    # Re-consent: a new purpose ends all consent and offers the new round's PDF.
    reconsent = page.locator("#reconsent")
    expect(reconsent).to_contain_text("all consent given so far becomes invalid")
    reconsent.get_by_label("Purpose").select_option("assessment")
    reconsent.locator("#rc-purpose-ok").check()
    reconsent.get_by_role("button", name="Change the purpose and ask again").click()
    expect(notice(page)).to_contain_text("Earlier consent no longer counts")
    name, pdf = download(
        page, page.get_by_role("link", name="Download the new declarations (round 2, PDF)").click
    )
    assert name == f"{rec}-declarations-round2.pdf" and pdf_pages(pdf) == 3  # Daan only
    rows = status_rows(page)
    assert rows["Daan 't Hooft"]["recording"] == "requested: form not back yet"
    assert "round 2" in rows["Daan 't Hooft"]["row"]
    assert rows["Noor Bakker"]["recording"] == "withdrawn"  # nothing left to ask again
    earlier = page.locator("#status table.consent").nth(1).locator("tbody tr")
    expect(earlier).to_have_count(1)
    expect(earlier).to_contain_text("Daan 't Hooft")
    expect(earlier).to_contain_text(people[1].form_id)
    expect(earlier).to_contain_text("Recording: invalidated: asked again")
    expect(page.locator("#status")).to_contain_text(SETUP[Advice.NONE])

    # Destruction: a wrong ID destroys nothing; the right one records it.
    confirm = page.get_by_label(f"Type the recording's ID ({rec}) to confirm")
    confirm.fill("R-WRONG1")
    page.get_by_role("button", name="Record that it is destroyed").click()
    expect(page.locator("#destruction .problem")).to_contain_text("nothing was destroyed")
    assert fg.status(rec).destroyed is None
    page.get_by_label(f"Type the recording's ID ({rec}) to confirm").fill(rec.lower())
    page.get_by_role("button", name="Record that it is destroyed").click()
    expect(page.locator("main")).to_contain_text("This recording was destroyed on")
    assert fg.status(rec).destroyed is not None
    for gone in ("#destruction", "#reconsent", "#withdrawal", "#upload", "#participants"):
        expect(page.locator(gone)).to_have_count(0)
    page.goto("/recordings")
    expect(page.locator("table.recordings")).to_contain_text("Destroyed")


def test_every_english_word_of_the_recording_pages_has_its_dutch() -> None:
    """Each ``_("…")`` of the recording templates and each word table has a Dutch entry
    (a missing one would show English on a Dutch page)."""
    from formgen import rules, words
    from formgen.web import page_words as pages

    here = Path(pages.__file__).parent / "templates"
    names = ["new_recording.html", "recordings.html"]
    files = [here / n for n in names] + sorted(here.glob("recording*.html"))
    files += sorted(here.glob("_rec_*.html"))
    english: list[str] = []
    for path in files:
        source = path.read_text()
        english += re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"\s*\)', source)
        english += re.findall(r"_\(\s*'((?:[^'\\]|\\.)*)'\s*\)", source)
    tables = (pages.PURPOSES, pages.MEDIA, pages.CLAUSES, pages.STATUS_WORDS, pages.STEP_STATES)
    for table in (*tables, pages.LANG_NAMES, pages.NOTICES):
        english += table.values()
    for pair in (*pages.SITUATIONS.values(), *pages.SUMMARY_WORDS.values()):
        english += pair
    english += [label for label, _ in pages.WITHDRAWAL_WAYS.values()]
    english += [*rules.SETUP.values(), *(s.title for s in rules.STEPS), "not signed"]
    code = Path(pages.__file__).read_text()
    english += re.findall(r'(?:\)\(|say\()\s*"([^"]+)"\s*\)', code)
    english += re.findall(r'problem = "([^"]+)"', code)
    assert len(english) > 200
    dutch = words.translations("nl")._catalog  # type: ignore[attr-defined]
    missing = sorted({e for e in english if not dutch.get(e)})
    assert not missing, missing


def test_the_language_chosen_before_signing_in_holds_on_the_recording_pages(
    page: Any, live: Live
) -> None:
    """Dutch chosen on the sign-in page of an English browser, by a person whose account
    has no language of its own (only the cookie says it): the recording page's dates and
    words are Dutch too, not only the template around them."""
    from babel.dates import format_date

    day = dt.date.today() + dt.timedelta(days=10)
    live.fg.as_user(live.account("student", "dutch@example.org")).create_recording(
        title="Voorleesles groep 4", situation=3, purpose="reflection", date=day
    )
    page.goto("/sign-in")
    page.locator("#lang-choice").select_option("nl")
    page.get_by_role("button", name="Save").click()
    sign_in(page, live, "student", "dutch@example.org", lang="nl")
    page.get_by_role("link", name="Voorleesles groep 4").click()
    facts = page.locator("main dl").first
    expect(facts).to_contain_text(format_date(day, format="long", locale="nl_NL"))
    expect(facts).not_to_contain_text(format_date(day, format="long", locale="en_GB"))
