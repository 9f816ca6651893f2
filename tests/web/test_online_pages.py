"""Consent online in a real Chromium with a phone's viewport, against a real server
whose mail goes to a real SMTP server on loopback: the QR link decoded from a rendered
form, the answer, the code from the mail, the receipt; withdrawal through the receipt's
link; the other parent's "no"; and the refusals (a guessed link, a destroyed recording,
wrong codes), each a plain page that reveals nothing. axe on every page of the path."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import zxingcpp
from playwright.sync_api import Page, expect

from formgen.mail.mailbox import Mailbox
from formgen.rules import Status

from ..helpers import screenshots
from ..helpers.pages import links_of, recording, violations
from ..helpers.rendering import rasterise, text_of
from ..helpers.web import Live, free_port, sign_in, stop_server

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser: Any, online: tuple[Live, Mailbox]) -> Iterator[Page]:
    context = browser.new_context(base_url=online[0].url, locale="nl-NL", **PHONE)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def a_recording(live: Live) -> str:
    return live.fg.create_recording(
        title="Rekenles groep 5",
        student="Sam de Vries",
        supervisor="Dr. A. Jansen",
        situation=3,
        purpose="assessment",
        date=dt.date.today() + dt.timedelta(days=7),
        livestream=True,
    ).id


def code_from(box: Mailbox, address: str) -> str:
    found = re.search(r"\b(\d{6})\b", box.last(address).text)
    assert found, box.last(address).text
    return found.group(1)


def link_in(text: str) -> str:
    found = re.search(r"http://\S+/c/\S+", text)
    assert found
    return found.group(0)


def confirm_as(phone: Page, box: Mailbox, name: str, email: str) -> None:
    """Say who answers, ask for the code, type it from the mail and confirm; back on
    the page that says what was recorded."""
    phone.get_by_label("Uw naam").fill(name)
    phone.get_by_label("Uw e-mailadres").fill(email)
    phone.get_by_role("button", name="Stuur mij de code").click()
    expect(phone.get_by_role("heading", name="Typ de code")).to_be_visible()
    phone.get_by_label("Code uit de e-mail").fill(code_from(box, email))
    phone.get_by_role("button", name="Bevestigen").click()
    expect(phone.get_by_role("heading", name="Dank u")).to_be_visible()


@pytest.mark.both_stores
def test_a_parent_answers_on_a_phone(
    phone: Page, online: tuple[Live, Mailbox], tmp_path: Path
) -> None:
    live, box = online
    rec = a_recording(live)
    daan = live.fg.add_participant(rec, "Daan 't Hooft", under_16=True)
    link = links_of(live, rec)[0]
    assert link.startswith(live.url + "/c/")
    found: list[str] = []

    phone.goto(link)
    expect(phone.get_by_role("heading", name="Online antwoorden")).to_be_visible()
    expect(phone.get_by_text("Daan 't Hooft").first).to_be_visible()  # the child's name
    expect(phone.get_by_text("Wie maakt de opname?")).to_be_visible()  # the paper's words
    radios = phone.locator('input[type="radio"][name^="clause:"]')
    assert radios.count() == 4
    assert not any(radios.nth(i).is_checked() for i in range(4))  # nothing preselected
    found += violations(phone)
    phone.screenshot(path=screenshots.folder() / "online-phone.png", animations="disabled")
    phone.get_by_role("heading", name="Uw toestemming").evaluate("h => h.scrollIntoView()")
    phone.screenshot(path=screenshots.folder() / "online-phone-answers.png", animations="disabled")

    # Sending without choosing everything keeps what was typed and says what is missing.
    phone.locator('input[name="clause:recording"][value="yes"]').check()
    phone.get_by_label("Uw naam (ouder of voogd met ouderlijk gezag)").fill("Ria 't Hooft")
    phone.get_by_label("ouder", exact=True).check()
    authority = phone.get_by_label("Ik heb het ouderlijk gezag over dit kind")
    assert not authority.is_checked()  # unticked, and required
    assert authority.get_attribute("required") is not None
    authority.check()
    phone.get_by_label("Uw e-mailadres").fill("ria@example.org")
    phone.get_by_role("button", name="Stuur mij de code").click()
    expect(phone.get_by_role("alert")).to_have_text("kies bij elke vraag ja of nee")
    assert phone.locator('input[name="clause:recording"][value="yes"]').is_checked()
    assert box.received == []
    found += violations(phone)

    phone.locator('input[name="clause:livestream"][value="no"]').check()
    phone.get_by_label("E-mailadres van de andere ouder of voogd").fill("kees@example.org")
    phone.get_by_label("Het kind gaat ook akkoord (niet verplicht): naam van het kind").fill(
        "Daantje"
    )
    phone.get_by_role("button", name="Stuur mij de code").click()
    expect(phone.get_by_role("heading", name="Typ de code")).to_be_visible()
    found += violations(phone)
    # Nothing counts before the code.
    assert live.fg.status(rec).participants[0].clauses["recording"] is Status.REQUESTED
    phone.get_by_label("Code uit de e-mail").fill(code_from(box, "ria@example.org"))
    phone.get_by_role("button", name="Bevestigen").click()
    expect(phone.get_by_role("heading", name="Dank u")).to_be_visible()
    expect(phone.get_by_role("status")).to_contain_text("We hebben u een ontvangstbewijs")
    found += violations(phone)

    person = live.fg.status(rec).participants[0]
    assert person.clauses == {"recording": Status.GIVEN, "livestream": Status.REFUSED}
    assert person.signed is True and person.form_id == daan.form_id
    receipt = box.last("ria@example.org")
    [(name, pdf)] = receipt.attachments()
    assert name == f"{daan.form_id}-receipt.pdf"
    words = " ".join(text_of(pdf))
    assert "Bevestigd per e-mail" in words and "ria@example.org" in words
    assert "Ria 't Hooft" in words and "Rekenles groep 5" in words
    assert "Daantje" in words  # the child's own line, as on paper

    # The other parent's "no" wins over the first parent's yes.
    phone.goto(link_in(box.last("kees@example.org").text))
    expect(phone.get_by_role("heading", name="Zeg nee")).to_be_visible()
    found += violations(phone)
    phone.get_by_label("Nee, intrekken").check()
    confirm_as(phone, box, "Kees Hooft", "kees@example.org")
    expect(phone.get_by_role("status")).to_contain_text("intrekking")
    status = live.fg.status(rec)
    assert status.participants[0].clauses["recording"] is Status.WITHDRAWN
    assert [p.form_id for p in status.must_not_appear] == [daan.form_id]
    assert found == []


def test_withdrawal_through_the_receipt_link(phone: Page, online: tuple[Live, Mailbox]) -> None:
    live, box = online
    rec = a_recording(live)
    live.fg.add_participant(rec, "Noor Bakker")
    phone.goto(links_of(live, rec)[1])  # page 2's code opens the same form
    phone.locator('input[name="clause:recording"][value="yes"]').check()
    phone.locator('input[name="clause:livestream"][value="yes"]').check()
    confirm_as(phone, box, "Noor Bakker", "noor@example.org")
    assert live.fg.status(rec).must_not_appear == []

    phone.goto(link_in(box.last("noor@example.org").text))
    expect(phone.get_by_role("heading", name="Toestemming intrekken")).to_be_visible()
    phone.locator('input[name="clause:livestream"][value="no"]').check()
    confirm_as(phone, box, "Noor Bakker", "noor@example.org")
    expect(phone.get_by_role("status")).to_contain_text("intrekking")
    clauses = live.fg.status(rec).participants[0].clauses
    assert clauses == {"recording": Status.GIVEN, "livestream": Status.WITHDRAWN}
    assert live.fg.status(rec).must_not_appear[0].name == "Noor Bakker"


def test_a_no_to_everything_by_name_only(phone: Page, online: tuple[Live, Mailbox]) -> None:
    live, box = online
    rec = a_recording(live)
    live.fg.add_participant(rec, "Noor Bakker")
    phone.goto(links_of(live, rec)[0])
    phone.locator('input[name="clause:recording"][value="no"]').check()
    phone.locator('input[name="clause:livestream"][value="no"]').check()
    phone.get_by_label("Uw naam").fill("Noor Bakker")
    phone.get_by_role("button", name="Stuur mij de code").click()
    expect(phone.get_by_role("heading", name="Dank u")).to_be_visible()
    expect(phone.get_by_role("status")).to_contain_text("Uw nee is vastgelegd")
    assert box.received == []  # no address: no code and no receipt
    clauses = live.fg.status(rec).participants[0].clauses
    assert clauses == {"recording": Status.REFUSED, "livestream": Status.REFUSED}


def test_refusals_reveal_nothing(phone: Page, online: tuple[Live, Mailbox]) -> None:
    live, box = online
    rec = a_recording(live)
    live.fg.add_participant(rec, "Noor Bakker")
    link = links_of(live, rec)[0]
    found: list[str] = []
    guessed = link[:-4] + ("AAAA" if not link.endswith("AAAA") else "BBBB")
    for bad in (guessed, link.rsplit(".", 1)[0], live.url + "/c/Noor"):
        response = phone.goto(bad)
        assert response is not None and response.status == 404
        expect(phone.get_by_role("heading", name="Deze link opent geen formulier")).to_be_visible()
        assert "Noor" not in phone.content().replace("/c/Noor", "")
    found += violations(phone)
    # No account is needed here, so a body is small or refused before it is read.
    big = httpx.post(link, data={"name": "x" * 100_000}, timeout=60)
    assert big.status_code == 413 and "Traceback" not in big.text

    # Five wrong codes, then even the right one is refused.
    phone.goto(link)
    for clause in ("recording", "livestream"):
        phone.locator(f'input[name="clause:{clause}"][value="yes"]').check()
    phone.get_by_label("Uw naam").fill("Noor Bakker")
    phone.get_by_label("Uw e-mailadres").fill("noor@example.org")
    phone.get_by_role("button", name="Stuur mij de code").click()
    expect(phone.get_by_role("heading", name="Typ de code")).to_be_visible()
    code = code_from(box, "noor@example.org")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        phone.get_by_label("Code uit de e-mail").fill(wrong)
        phone.get_by_role("button", name="Bevestigen").click()
        expect(phone.get_by_role("alert")).to_contain_text("verkeerde code")
    found += violations(phone)
    phone.get_by_label("Code uit de e-mail").fill(code)
    phone.get_by_role("button", name="Bevestigen").click()
    expect(phone.get_by_role("alert")).to_contain_text("te vaak")
    assert live.fg.status(rec).participants[0].clauses["recording"] is Status.REQUESTED

    # A destroyed recording's link opens nothing, like a guessed one.
    live.fg.destroy(rec, by="P. Vermeer")
    response = phone.goto(link)
    assert response is not None and response.status == 404
    expect(phone.get_by_role("heading", name="Deze link opent geen formulier")).to_be_visible()
    assert found == []


def test_the_demo_shows_the_online_path(store_url: str, tmp_path: Path) -> None:
    """The README's first command: ``formgen serve --demo`` prints its accounts and the
    sample declarations; their QR codes open the forms on the demo server itself, whose
    own loopback mail server shows the code at /demo/mail."""
    port = free_port()
    env = {**os.environ, "FORMGEN_DB": store_url}
    env.pop("FORMGEN_CONFIG", None)
    proc = subprocess.Popen(
        [
            sys.executable, "-c", "from formgen.cli import main; main()",
            "serve", "--demo", "--port", str(port), "--workers", "0",
        ],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    said = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:  # until the server says it serves (or the process ends)
            said.append(line)
            if line.startswith("formgen serves"):
                break
        printed = "".join(said)
        assert "sam@example.org" in printed and "/demo/mail" in printed, printed
        pdf = Path(re.search(r"Sample declarations to print: (\S+)", printed).group(1))  # type: ignore[union-attr]
        assert oct(pdf.stat().st_mode & 0o777) == "0o600"
        link = zxingcpp.read_barcodes(rasterise(pdf.read_bytes(), 150, [0])[0])[0].text
        assert link.startswith(f"http://127.0.0.1:{port}/c/")
        with httpx.Client(timeout=60) as client:
            page = client.get(link)
            assert page.status_code == 200 and 'name="clause:recording"' in page.text
            choices = {"clause:recording": "yes", "clause:livestream": "no"}
            sent = client.post(
                link, data={**choices, "name": "Noor Bakker", "email": "noor@example.org"}
            )
            answer = re.search(r'name="answer" value="([^"]+)"', sent.text)
            assert answer, sent.text
            mail = client.get(f"http://127.0.0.1:{port}/demo/mail").text
            code = re.search(r"\b(\d{6})\b", mail)
            assert code and "noor@example.org" in mail
            # A program may post just the code back to the form's own address.
            done = client.post(link, data={"code": code.group(1)})
            assert done.status_code == 200 and "Dank u" in done.text
            assert "Ontvangstbewijs" in client.get(f"http://127.0.0.1:{port}/demo/mail").text
    finally:
        log = stop_server(proc)
    assert "Traceback" not in log, log


def test_the_student_invites_by_email(browser: Any, online: tuple[Live, Mailbox]) -> None:
    live, box = online
    rec = recording(live)
    context = browser.new_context(base_url=live.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, live, "student")
        page.goto(f"/recordings/{rec}")
        page.get_by_label("Name", exact=True).fill("Noor Bakker")
        page.get_by_label("E-mail address (optional").fill("noor@example.org")
        page.get_by_role("button", name="Add the person").click()
        page.get_by_label("Name", exact=True).fill("Bo Zonder Adres")
        page.get_by_role("button", name="Add the person").click()
        expect(page.get_by_text("1 of 2 participants have an e-mail address.")).to_be_visible()
        assert box.received == []  # adding sends nothing
        assert violations(page) == []
        page.get_by_role("button", name="Send the invitations").click()
        expect(page.get_by_text("The invitations are sent.")).to_be_visible()
        invitation = box.last("noor@example.org")
        assert invitation.subject == "Toestemming gevraagd voor een opname: Rekenles groep 5"
        assert "Wie maakt de opname?" in invitation.text and len(box.received) == 1
        assert "noor@example.org" not in page.content()  # the address stays out of pages
        # The invited person answers; a reminder then goes to no one.
        token = link_in(invitation.text).split("/c/")[1]
        pending = live.fg.online_answer(
            token, answers={"recording": "yes"}, name="Noor Bakker", email="noor@example.org"
        )
        live.fg.online_confirm(token, pending.id, code_from(box, "noor@example.org"))
        sent = len(box.received)  # the invitation, the code, the receipt
        page.get_by_role("button", name="Remind who has not answered").click()
        expect(page.get_by_text("Nothing was sent: no one with an e-mail address")).to_be_visible()
        assert len(box.received) == sent == 3
    finally:
        context.close()


def test_one_phone_for_two_people_waits_for_the_supervisor(
    browser: Any, phone: Page, online: tuple[Live, Mailbox]
) -> None:
    live, box = online
    rec = recording(live)
    noor = live.fg.add_participant(rec, "Noor Bakker")
    alex = live.fg.add_participant(rec, "Alex Çelik")
    live.fg.add_participant(rec, "Bo de Wit")
    links = links_of(live, rec)
    # The student's own phone answers both forms: the first lands, the second waits.
    for link, email in ((links[0], "noor@example.org"), (links[3], "alex@example.org")):
        phone.goto(link)
        phone.locator('input[name="clause:recording"][value="yes"]').check()
        confirm_as(phone, box, "Iemand", email)
    assert live.fg.status(rec).participants[0].clauses["recording"] is Status.GIVEN
    assert live.fg.status(rec).participants[1].clauses["recording"] is Status.REVIEW
    cookie = next(c for c in phone.context.cookies() if c["name"] == "formgen_browser")
    assert cookie["httpOnly"] and cookie["path"] == "/c/"
    # An address of an account is refused, with one clear sentence.
    phone.goto(links[6])  # Bo's form
    phone.locator('input[name="clause:recording"][value="no"]').check()
    phone.get_by_label("Uw naam").fill("Sam")
    phone.get_by_label("Uw e-mailadres").fill("student@example.org")
    phone.get_by_role("button", name="Stuur mij de code").click()
    expect(phone.get_by_role("alert")).to_contain_text("gebruik uw eigen e-mailadres")

    context = browser.new_context(base_url=live.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, live, "supervisor")
        page.goto(f"/recordings/{rec}")
        section = page.locator("#online-answers")
        expect(section).to_contain_text("alex@example.org")
        expect(section).to_contain_text(
            f"the same browser answered form {noor.form_id} of this recording"
        )
        assert violations(page) == []
        page.get_by_role("link", name="Show the text they saw").first.click()
        expect(page.get_by_text("Wie maakt de opname?")).to_be_visible()  # as the phone showed it
        shown = page.request.get(page.url)
        assert "sandbox" in shown.headers["content-security-policy"]
        assert shown.headers["x-formgen-text-matches-hash"] == "yes"
        # The supervisor accepts the waiting answer in the review queue.
        page.goto("/review")
        page.get_by_role("button", name="Given").click()
        expect(page.locator(".rev-saved")).to_contain_text("Saved: Given.")
        after = live.fg.status(rec).participants[1]
        assert after.form_id == alex.form_id and after.clauses["recording"] is Status.GIVEN
    finally:
        context.close()
    # The student sees neither the addresses nor the texts.
    student = browser.new_context(base_url=live.url, locale="en-GB")
    mine = student.new_page()
    try:
        sign_in(mine, live, "student")
        mine.goto(f"/recordings/{rec}")
        assert "alex@example.org" not in mine.content()
        answers = live.fg.online_answers(rec)
        opened = mine.request.get(f"/recordings/{rec}/online-answers/{answers[0]['id']}")
        assert opened.status == 403
    finally:
        student.close()
