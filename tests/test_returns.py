"""Situations 1 and 2: the institution returns the forms. The supervisor's request names
the institution's contact on every form (to hand the page to and to withdraw with), and
its letter carries a return link (text and QR code) through which the institution
uploads the signed pages, without an account, as a scan job of the supervisor that
lands only this recording's forms. The link works until the return date plus 14 days,
a new one ends the old one, and the store keeps only its hash. On SQLite and
PostgreSQL, with real PDFs and real scans."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zxingcpp

from formgen import Formgen
from formgen.aftercare.returns import ReturnLinkExpired, ReturnLinkRefused
from formgen.errors import NotFound, RecordError
from formgen.mail.mailbox import Mailbox
from formgen.rules import Status

from .conftest import store_dump
from .helpers import test_config
from .helpers.online import PUBLIC, mail_config
from .helpers.paper import letter_pages, signed_scan
from .helpers.partners import partner_recording, people
from .helpers.rendering import rasterise, text_of
from .helpers.timetravel import days_from_today

LINK = re.compile(re.escape(PUBLIC) + r"/r/([0-9A-Z]{26})")


@pytest.fixture
def fg(store_url: str, box: Mailbox, tmp_path: Path) -> Iterator[Formgen]:
    with Formgen.open(store_url, mail_config(tmp_path, box.port)) as lib:
        yield lib


def letter_and_forms(written: Any) -> tuple[str, list[str]]:
    """The letter's text (all its pages) and each form page's text after it."""
    pages = text_of(written.data)
    count = letter_pages(written)
    return " ".join(pages[:count]), pages[count:]


def requested(fg: Formgen, supervisor: Any, rec: str, **kw: Any) -> tuple[Any, str]:
    """The supervisor's request (as they make it in the service) and its link's secret,
    read from the letter as a person would."""
    values: dict[str, Any] = {"contact": "Mw. De Wit", "count": 2, "save": False, **kw}
    written = fg.as_user(supervisor).request(rec, **values)
    letter, _ = letter_and_forms(written)
    found = LINK.search("".join(letter.split()))  # the link may wrap
    assert found, letter
    return written, found.group(1)


def test_the_forms_name_the_contact_to_return_to_and_withdraw_with(fg: Formgen) -> None:
    student, supervisor = people(fg)
    rec = partner_recording(fg, student)
    written, secret = requested(fg, supervisor, rec)
    letter, forms = letter_and_forms(written)
    first, second = forms[1], forms[2]  # a form's pages 2 and 3
    # The letter: the link as text and as a QR code a phone reads; no mailbox for scans.
    assert "upload ze via deze link" in letter and "jansen@example.org" not in letter
    assert f"{PUBLIC}/r/{secret}" in "".join(letter.split())
    images = rasterise(written.data, 200, range(letter_pages(written)))
    codes = [c.text for image in images for c in zxingcpp.read_barcodes(image)]
    assert codes == [f"{PUBLIC}/r/{secret}"]
    open_until = (days_from_today(10) + dt.timedelta(days=14)).day
    assert f"tot en met {open_until} " in letter
    # Every form: hand the page to the contact, and withdraw by telling them.
    flat = " ".join(first.split())
    assert "zeg het tegen Mw. De Wit van OBS De Regenboog" in flat, flat
    assert "privacy@hva.nl of zeg het tegen Sam de Vries" not in flat
    assert "terug aan Mw. De Wit van OBS De Regenboog." in " ".join(second.split())
    # Printed again later, the forms still name the contact (the request is kept).
    again = text_of(fg.forms(rec, save=False).data)
    assert "zeg het tegen Mw. De Wit van OBS De Regenboog" in " ".join(again[1].split())
    # The store keeps the link's hash, never the link.
    assert secret not in store_dump(fg.engine.url.render_as_string(hide_password=False))
    shown = fg.as_user(supervisor).institution_requests(rec)
    assert [r.contact for r in shown] == ["Mw. De Wit"] and shown[0].linked
    assert shown[0].url is None and secret not in repr(shown[0].as_dict())
    assert sorted(shown[0].forms) == sorted(f["form_id"] for f in written.forms)


def test_english_forms_name_the_contact_too(fg: Formgen) -> None:
    student, supervisor = people(fg)
    rec = partner_recording(fg, student, situation=1)
    written, _ = requested(fg, supervisor, rec, contact="Ms. Smith", lang="en", under_16=False)
    letter, forms = letter_and_forms(written)
    letter, first, second = (" ".join(p.split()) for p in (letter, forms[1], forms[2]))
    assert "upload them through this link" in letter
    assert "tell Ms. Smith of OBS De Regenboog" in first
    assert "to Ms. Smith of OBS De Regenboog." in second


def test_the_upload_lands_as_the_supervisors_job_for_this_recording_only(
    fg: Formgen, tmp_path: Path
) -> None:
    student, supervisor = people(fg)
    rec = partner_recording(fg, student)
    other = partner_recording(fg, student, title="Taalles groep 6")
    written, secret = requested(fg, supervisor, rec, count=1)
    elsewhere, _ = requested(fg, supervisor, other, count=1)
    mine = signed_scan(fg, written, tmp_path / "mine.pdf")
    theirs = signed_scan(fg, elsewhere, tmp_path / "theirs.pdf")
    link = fg.return_link(secret)
    assert link.open_until == days_from_today(10) + dt.timedelta(days=14)
    job = fg.return_upload(
        secret, [("stapel.pdf", mine.read_bytes()), ("x.pdf", theirs.read_bytes())]
    )
    assert job.user_id == supervisor.id and job.state == "queued"
    assert fg.work(once=True) == 1
    done = fg.as_user(supervisor).job(job.id)  # the supervisor sees it as their own
    assert done.state == "done"
    form = written.forms[0]["form_id"]
    landed = {p["form_id"]: p for p in done.pages if p.get("form_id")}
    # A blank form's name is written by hand: it lands, for the supervisor to type it.
    assert landed[form]["status"] == "review", done.pages
    assert "name written by hand" in landed[form]["reason"]
    # Another recording's form (the same supervisor's) does not land through this link.
    theirs_form = elsewhere.forms[0]["form_id"]
    assert landed[theirs_form]["status"] == "error"
    assert landed[theirs_form]["reason"] == f"form {theirs_form} is not in this record"
    assert fg.status(rec).participants[0].clauses["recording"] is Status.REVIEW
    assert fg.status(other).participants[0].clauses["recording"] is Status.REQUESTED
    # The supervisor's page lists the job; the student (who must not ask) does not get it.
    assert [j.id for j in fg.as_user(supervisor).institution_requests(rec)[0].jobs] == [job.id]
    with pytest.raises(NotFound):
        fg.as_user(student).job(job.id)
    with pytest.raises(Exception, match="may not request"):
        fg.as_user(student).institution_requests(rec)


def test_the_link_expires_and_a_new_one_ends_the_old(fg: Formgen, tmp_path: Path) -> None:
    student, supervisor = people(fg)
    rec = partner_recording(fg, student)
    back_by = days_from_today(5)
    _, old = requested(fg, supervisor, rec, return_by=back_by)
    last_day = back_by + dt.timedelta(days=14)
    assert fg.return_link(old, today=last_day).open_until == last_day
    with pytest.raises(ReturnLinkExpired):
        fg.return_link(old, today=last_day + dt.timedelta(days=1))
    with pytest.raises(ReturnLinkExpired):
        fg.return_upload(old, [("a.pdf", b"%PDF-1.4")], today=last_day + dt.timedelta(days=1))
    request_id = fg.institution_requests(rec)[0].id
    renewed = fg.as_user(supervisor).renew_return_link(rec, request_id)
    assert renewed.url and LINK.fullmatch(renewed.url)
    new = LINK.fullmatch(renewed.url).group(1)  # type: ignore[union-attr]
    with pytest.raises(ReturnLinkRefused):
        fg.return_link(old)
    with pytest.raises(ReturnLinkRefused):
        fg.return_upload(old, [("a.pdf", b"%PDF-1.4")])
    assert fg.return_link(new).request_id == request_id
    # Only the supervisor (or the officer) makes a new one.
    with pytest.raises(Exception, match="may not request"):
        fg.as_user(student).renew_return_link(rec, request_id)
    with pytest.raises(NotFound):
        fg.as_user(supervisor).renew_return_link(rec, "Q-NOPE00")


def test_guesses_and_garbage_are_refused_and_nothing_is_stored(fg: Formgen) -> None:
    student, supervisor = people(fg)
    rec = partner_recording(fg, student)
    _, secret = requested(fg, supervisor, rec)
    for guess in ("", "x", "A" * 26, secret[:-1] + ("0" if secret[-1] != "0" else "1"), "../../"):
        with pytest.raises(ReturnLinkRefused):
            fg.return_link(guess)
    before = fg.work(once=True)
    with pytest.raises(RecordError, match="not a PDF or an image"):
        fg.return_upload(secret, [("evil.html", b"<script>alert(1)</script>")])
    with pytest.raises(RecordError, match="no files"):
        fg.return_upload(secret, [])
    assert fg.work(once=True) == before == 0  # no job was stored


def test_destroying_the_recording_ends_the_link_and_forgets_the_contact(fg: Formgen) -> None:
    student, supervisor = people(fg)
    rec = partner_recording(fg, student)
    _, secret = requested(fg, supervisor, rec)
    fg.destroy(rec, by="Officer")
    with pytest.raises(ReturnLinkRefused):
        fg.return_link(secret)
    assert "Mw. De Wit" not in store_dump(fg.engine.url.render_as_string(hide_password=False))


def test_no_link_without_a_public_address_or_a_supervisors_account(
    store_url: str, tmp_path: Path
) -> None:
    with Formgen.open(store_url, test_config(output_dir=tmp_path / "out")) as fg:
        student, supervisor = people(fg)
        rec = partner_recording(fg, student)
        written = fg.as_user(supervisor).request(rec, contact="Mw. De Wit", count=1, save=False)
        assert "/r/" not in text_of(written.data)[0]
        assert any("set public_url" in w for w in written.warnings)
        assert not fg.institution_requests(rec)[0].linked
    with Formgen.open(store_url, test_config(output_dir=tmp_path / "out", public_url=PUBLIC)) as fg:
        cli = fg.create_recording(
            title="Les", student="Sam", supervisor="Dr. Jansen", situation=2,
            purpose="reflection", date=days_from_today(3), institution="OBS De Regenboog",
        ).id  # fmt: skip
        written = fg.request(cli, contact="Mw. De Wit", count=1, save=False)
        assert "/r/" not in text_of(written.data)[0]
        assert any("no supervisor's account" in w for w in written.warnings)
        with pytest.raises(RecordError, match="no return link can be made: the recording has no"):
            fg.renew_return_link(cli, fg.institution_requests(cli)[0].id)


@pytest.mark.parametrize("situation", [1, 2])
def test_in_situations_1_and_2_the_student_sends_no_invitations_or_reminders(
    fg: Formgen, situation: int
) -> None:
    student, supervisor = people(fg)
    rec = partner_recording(fg, student, situation=situation, date=days_from_today(1))
    fg.as_user(supervisor).request(rec, contact="Mw. De Wit", count=1, save=False)
    for reminder in (False, True):
        with pytest.raises(RecordError, match="sends no invitations or reminders"):
            fg.as_user(student).invite(rec, reminder=reminder)
    with pytest.raises(RecordError, match="the institution keeps the declarations"):
        fg.as_user(student).remind(rec, save=False)
