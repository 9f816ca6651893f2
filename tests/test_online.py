"""Consent online beside paper, through the library: the QR link of a rendered form, the
answer confirmed by a code from a real SMTP server on loopback, the receipt, withdrawal,
the other parent, paper after online, invitations, and every refusal. On SQLite and
PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from formgen import Formgen
from formgen.documents import render
from formgen.errors import Conflict, NotFound, RecordError
from formgen.mail.mailbox import Mailbox
from formgen.online.answers import CodeRefused, Kind, LinkRefused
from formgen.record import sealing
from formgen.rules import OnlineMode, Status

from .conftest import store_dump
from .helpers import test_config
from .helpers.online import (
    PUBLIC,
    code_in,
    mail_config,
    printed_token,
    qr_links,
    recording,
    scan_signed_page,
    token_of,
)
from .helpers.parallel import at_once
from .helpers.rendering import text_of


@pytest.fixture
def fg(store_url: str, box: Mailbox, tmp_path: Path) -> Iterator[Formgen]:
    with Formgen.open(store_url, mail_config(tmp_path, box.port)) as lib:
        yield lib


def answer(fg: Formgen, box: Mailbox, token: str, choices: dict[str, str], **kw: Any) -> object:
    address = kw.pop("email", "noor@example.org")
    pending = fg.online_answer(token, answers=choices, name="Noor Bakker", email=address, **kw)
    assert pending.code == ""  # the code goes by e-mail only
    return fg.online_confirm(token, pending.id, code_in(box, address))


def statuses(fg: Formgen, rec: str, person: int = 0) -> dict[str, Status]:
    return fg.status(rec).participants[person].clauses


def test_the_qr_code_is_a_link_that_opens_the_form(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    noor = fg.add_participant(rec, "Noor Bakker")
    written = fg.forms(rec, save=False)
    links = qr_links(written.data)
    assert len(links) == 3 and all(link.startswith(PUBLIC + "/c/FG1.") for link in links)
    assert "Noor" not in "".join(links) and noor.form_id.replace("-", "") in links[0]
    assert token_of(links[0]).rsplit(".", 1)[1] == token_of(links[1]).rsplit(".", 1)[1]
    form = fg.online_form(token_of(links[1]))
    assert form.form_id == noor.form_id and form.mode is OnlineMode.ANSWER
    page = fg.online_page(form)
    assert 'name="clause:recording" value="yes"' in page
    assert 'name="clause:livestream" value="no"' in page
    assert "checked" not in page  # nothing preselected
    assert "Rekenles groep 5" in page and "AVG" in page  # the paper's words
    # Printing again makes a new link; the old one still opens the form.
    again = qr_links(fg.forms(rec, save=False).data)
    assert again[0] != links[0]
    assert fg.online_form(token_of(again[0])).form_id == fg.online_form(token_of(links[0])).form_id


def test_the_code_mail_says_who_asks_and_keeps_the_code_out_of_the_subject(
    fg: Formgen, box: Mailbox
) -> None:
    rec = recording(fg)
    fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    fg.online_answer(
        token, answers={"recording": "yes", "livestream": "no"}, name="Noor Bakker",
        email="noor@example.org",
    )  # fmt: skip
    mail = box.last("noor@example.org")
    code = code_in(box, "noor@example.org")
    assert code not in mail.subject and mail.subject.startswith("Bevestig uw antwoord")
    assert (
        "van de Hogeschool van Amsterdam, voor de opname 'Rekenles groep 5' die Sam de Vries"
        " maakt" in mail.text
    )


def test_answer_confirmed_by_code_lands_with_receipt(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    pending = fg.online_answer(
        token,
        answers={"recording": "yes", "livestream": "no"},
        name="Noor Bakker",
        email="Noor@Example.org",
    )
    assert statuses(fg, rec) == {"recording": Status.REQUESTED, "livestream": Status.REQUESTED}
    mail = box.last("noor@example.org")
    code = code_in(box, "noor@example.org")
    assert code not in mail.subject and "15 minuten" in mail.text  # the code only inside
    done = fg.online_confirm(token, pending.id, code)
    assert done.changed == {"recording": "given", "livestream": "refused"}
    person = fg.status(rec).participants[0]
    assert person.clauses == {"recording": Status.GIVEN, "livestream": Status.REFUSED}
    assert person.signed is True
    history = fg.history(person.form_id)["events"]
    online = [e for e in history if e["source"] == "online"]
    assert {e["clause"] for e in online} == {"recording", "livestream", "signature"}
    assert all(len(e["detail"]["text"]) == 64 for e in online)  # the text shown, hashed
    assert "noor" not in str(history).lower()  # the address is proof, kept apart
    receipt = box.last("noor@example.org")
    assert receipt.subject.startswith("Ontvangstbewijs")
    assert "- opname: ja\r\n- livestream: nee" in receipt.text  # SMTP lines end in CRLF
    # It names the recording, its purpose and dates, and each clause in words.
    made = render.long_date(fg.recording(rec).recorded_on, "nl")
    until = render.long_date(fg.recording(rec).delete_by, "nl")
    assert (
        f"Opname: 'Rekenles groep 5' van Sam de Vries op {made}, voor bewijs bij een"
        f" beoordeling van de student. De opname wordt uiterlijk op {until} verwijderd."
    ) in receipt.text.replace("\r\n", " ")
    link = re.search(r"https://\S+/c/\S+", receipt.text)
    assert link and fg.online_form(token_of(link.group(0))).mode is OnlineMode.STRICTER
    [(name, pdf)] = receipt.attachments()
    assert name == f"{person.form_id}-receipt.pdf"
    words = " ".join(text_of(pdf))
    assert "noor@example.org" in words and "Noor Bakker" in words
    with pytest.raises(CodeRefused):  # a code works once
        fg.online_confirm(token, pending.id, code)


def test_wrong_codes_expiry_and_limits(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    yes = {"recording": "yes", "livestream": "yes"}
    pending = fg.online_answer(token, answers=yes, name="Noor", email="noor@example.org")
    code = code_in(box, "noor@example.org")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        with pytest.raises(CodeRefused, match=f"{left} tries left"):
            fg.online_confirm(token, pending.id, wrong)
    with pytest.raises(CodeRefused, match="ask for a new one"):
        fg.online_confirm(token, pending.id, wrong)
    with pytest.raises(CodeRefused, match="too many"):  # the right code is too late now
        fg.online_confirm(token, pending.id, code)
    assert statuses(fg, rec)["recording"] is Status.REQUESTED
    # A code is valid for 15 minutes.
    later = fg.online_answer(token, answers=yes, name="Noor", email="noor@example.org")
    with pytest.raises(CodeRefused, match="expired"):
        fg.online_confirm(
            token,
            later.id,
            code_in(box, "noor@example.org"),
            now=dt.datetime.now() + dt.timedelta(minutes=16),
        )
    # At most five codes an hour for one form (and for one address).
    for n in range(3):
        fg.online_answer(token, answers=yes, name="Noor", email=f"n{n}@example.org")
    with pytest.raises(Conflict, match="too many codes"):
        fg.online_answer(token, answers=yes, name="Noor", email="other@example.org")
    # Answers must be complete, names and addresses real.
    with pytest.raises(RecordError, match="every question"):
        fg.online_answer(token, answers={"recording": "yes"}, name="N", email="x@example.org")
    with pytest.raises(RecordError, match="e-mail"):
        fg.online_answer(token, answers=yes, name="Noor", email="not an address")


def test_links_that_open_nothing_say_nothing(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    head, secret = token.rsplit(".", 1)
    guessed = head + "." + ("0" if secret[0] != "0" else "1") + secret[1:]
    # A real link of another installation (its own signing key): refused like a guess.
    other_store = f"sqlite:///{fg.config.output_dir.parent / 'other.db'}"
    with Formgen.open(other_store, dataclasses.replace(fg.config, mail=None)) as other:
        foreign_rec = recording(other)
        other.add_participant(foreign_rec, "X")
        foreign = printed_token(other, foreign_rec)
    plain = head  # a paper-only payload: no secret
    messages = set()
    for bad in (guessed, plain, foreign, "FG1.nonsense", "", "../../etc/passwd", token + "x"):
        with pytest.raises(LinkRefused) as refused:
            fg.online_form(bad)
        messages.add(str(refused.value))
    assert len(messages) == 1 and "Noor" not in messages.pop()
    # Past the deletion date, and once the recording is destroyed, the link is closed.
    delete_by = fg.status(rec).recording.delete_by
    with pytest.raises(LinkRefused):
        fg.online_form(token, delete_by)
    fg.destroy(rec, by="P. Vermeer")
    with pytest.raises(LinkRefused):
        fg.online_form(token)


def test_withdrawal_online_and_the_other_parent(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    daan = fg.add_participant(rec, "Daan 't Hooft", under_16=True)
    token = printed_token(fg, rec, 1)
    yes = {"recording": "yes", "livestream": "yes"}
    with pytest.raises(RecordError, match="parent or guardian"):
        fg.online_answer(token, answers=yes, name="Ria", email="ria@example.org")
    # Unticked, "I have parental authority over this child" refuses the answer.
    with pytest.raises(RecordError, match="parental authority"):
        fg.online_answer(token, answers=yes, name="Ria", email="ria@example.org", relation="parent")
    answer(
        fg, box, token, yes, email="ria@example.org", relation="parent",
        other_email="kees@example.org", child_agrees="Daantje", authority=True,
    )  # fmt: skip
    assert statuses(fg, rec) == {"recording": Status.GIVEN, "livestream": Status.GIVEN}
    assert fg.status(rec).must_not_appear == []
    # The child's own line (optional) is on the receipt, and nowhere in the record.
    [(_, pdf)] = box.last("ria@example.org").attachments()
    assert "Daantje" in " ".join(text_of(pdf))
    assert "Daantje" not in str(fg.history(daan.form_id))
    # The other parent gets a link of their own and can only make it stricter.
    invited = box.last("kees@example.org")
    link = re.search(r"https://\S+/c/\S+", invited.text)
    assert link
    # It says who asks, for which child, recording and date, what was answered and how
    # to say no (the issue of the privacy officer's review).
    made = render.long_date(fg.recording(rec).recorded_on, "nl")
    for said in (
        "De Hogeschool van Amsterdam vroeg toestemming voor de opname 'Rekenles groep 5'"
        f" van {made}, waarop Daan 't Hooft te zien of te horen kan zijn.",
        "- opname: ja",
        "- livestream: ja",
        "Zeg dan hier 'nee'",
        f"gegevensbescherming-foo@hva.nl met het formuliernummer {daan.form_id}",
    ):
        assert said in invited.text, said
    theirs = token_of(link.group(0))
    form = fg.online_form(theirs)
    assert form.mode is OnlineMode.STRICTER and form.withdrawable == ["recording", "livestream"]
    page = fg.online_page(form)
    assert 'name="clause:livestream" value="no"' in page and "zo laten" in page
    with pytest.raises(RecordError, match="choose no"):
        fg.online_answer(
            theirs, answers={"recording": "yes"}, name="Kees", email="kees@example.org"
        )
    answer(fg, box, theirs, {"livestream": "no"}, email="kees@example.org")
    assert statuses(fg, rec) == {"recording": Status.GIVEN, "livestream": Status.WITHDRAWN}
    status = fg.status(rec)
    assert [p.form_id for p in status.must_not_appear] == [daan.form_id]
    withdrawn = box.last("kees@example.org")
    assert withdrawn.subject.startswith("Ontvangstbewijs: toestemming")
    # What happens next, and by when.
    until = render.long_date(fg.recording(rec).delete_by, "nl")
    assert "Wat nu gebeurt: Sam de Vries haalt u uit de opname, of verwijdert de opname." in (
        withdrawn.text
    )
    assert f"Uiterlijk op {until} is de opname in elk geval verwijderd." in withdrawn.text
    # Withdrawing the rest through the receipt link; then nothing is left to do.
    receipt = [m for m in box.to("ria@example.org") if m.attachments()][-1]
    mine = token_of(re.search(r"https://\S+/c/\S+", receipt.text).group(0))  # type: ignore[union-attr]
    answer(fg, box, mine, {"recording": "no"}, email="ria@example.org")
    assert statuses(fg, rec) == {"recording": Status.WITHDRAWN, "livestream": Status.WITHDRAWN}
    assert fg.online_form(mine).mode is OnlineMode.CLOSED
    with pytest.raises(Conflict, match="nothing left"):
        fg.online_answer(mine, answers={"recording": "no"}, name="Ria", email="ria@example.org")


def test_the_student_hears_at_once_of_a_withdrawal_or_a_no(fg: Formgen, box: Mailbox) -> None:
    """A "no" or a withdrawal given online changes whom the student may film: an e-mail
    to the student's account says who, which form and what, with the recording page."""
    student = fg.add_user("sam@example.nl", name="Sam de Vries", role="student", lang="nl")
    fg.add_user("jansen@example.nl", name="Dr. A. Jansen", role="supervisor")
    rec = (
        fg.as_user(student)
        .create_recording(
            title="Rekenles groep 5",
            supervisor="jansen@example.nl",
            situation=3,
            purpose="assessment",
            date=dt.date.today() + dt.timedelta(days=7),
            livestream=True,
        )
        .id
    )
    noor = fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    answer(fg, box, token, {"recording": "yes", "livestream": "yes"})
    assert box.to("sam@example.nl") == []  # a yes changes nothing for the student
    receipt = box.last("noor@example.org")
    mine = token_of(re.search(r"https://\S+/c/\S+", receipt.text).group(0))  # type: ignore[union-attr]
    answer(fg, box, mine, {"livestream": "no"})
    told = box.last("sam@example.nl")
    assert told.subject == "Toestemming veranderd voor uw opname Rekenles groep 5"
    assert f"Noor Bakker (formulier {noor.form_id}) heeft online de toestemming ingetrokken" in (
        told.text
    )
    assert f"{PUBLIC}/recordings/{rec}" in told.text
    # A first answer that says no tells the student too.
    dex = fg.add_participant(rec, "Dex Smit")
    answer(fg, box, printed_token(fg, rec, 3), {"recording": "no", "livestream": "no"},
           email="dex@example.org")  # fmt: skip
    told = box.last("sam@example.nl")
    assert f"Dex Smit (formulier {dex.form_id}) heeft online nee gezegd tegen: opname," in (
        told.text
    )


def test_a_no_to_everything_needs_only_a_name(fg: Formgen, box: Mailbox) -> None:
    """No address, no code: a no to every question lands at once (it can only keep
    someone out); anything else without an address is refused, and nothing lands."""
    rec = recording(fg)
    noor = fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    before = len(box.received)
    with pytest.raises(RecordError, match="only a no to everything"):
        fg.online_answer(
            token, answers={"recording": "yes", "livestream": "no"}, name="N", email=""
        )
    assert statuses(fg, rec) == {"recording": Status.REQUESTED, "livestream": Status.REQUESTED}
    pending = fg.online_answer(
        token, answers={"recording": "no", "livestream": "no"}, name="Noor Bakker", email=""
    )
    assert pending.landed is not None and pending.code == "" and len(box.received) == before
    assert statuses(fg, rec) == {"recording": Status.REFUSED, "livestream": Status.REFUSED}
    assert fg.status(rec).participants[0].signed is None  # a no needs no signature
    assert [p.form_id for p in fg.status(rec).must_not_appear] == [noor.form_id]
    # Nothing is left to answer; a code for it confirms nothing.
    assert fg.online_form(token).mode is OnlineMode.CLOSED
    with pytest.raises((CodeRefused, Conflict, NotFound)):
        fg.online_confirm(token, pending.id, "000000")


def test_paper_after_online(fg: Formgen, box: Mailbox, tmp_path: Path) -> None:
    rec = recording(fg)
    same = fg.add_participant(rec, "Noor Bakker")
    differ = fg.add_participant(rec, "Alex Çelik")
    links = qr_links(fg.forms(rec, save=False).data)
    yes = {"recording": "yes", "livestream": "yes"}
    answer(fg, box, token_of(links[0]), yes, email="noor@example.org")
    answer(fg, box, token_of(links[3]), yes, email="alex@example.org")  # the next form
    yes, no = (
        {"recording": ["yes"], "livestream": ["yes"]},
        {"recording": ["yes"], "livestream": ["no"]},
    )
    agree = scan_signed_page(fg, rec, same.form_id, yes, tmp_path / "agree.png")
    disagree = scan_signed_page(fg, rec, differ.form_id, no, tmp_path / "disagree.png")
    report = fg.import_scans([agree, disagree])
    assert [p.status for p in report.pages] == ["ok", "review"]
    assert statuses(fg, rec, 0) == {"recording": Status.GIVEN, "livestream": Status.GIVEN}
    assert statuses(fg, rec, 1) == {"recording": Status.GIVEN, "livestream": Status.REVIEW}
    assert "livestream: conflicts with the earlier decision (given)" in report.pages[1].reason


def test_invitations_and_reminders(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    noor = fg.add_participant(rec, "Noor Bakker")
    alex = fg.add_participant(rec, "Alex Çelik", lang="en")
    fg.add_participant(rec, "Bo Zonder Adres")
    fg.set_email(noor.id, "noor@example.org")
    fg.set_email(alex.id, "Alex@Example.org")
    with pytest.raises(RecordError):
        fg.set_email(alex.id, "alex at example")
    assert fg.emails(rec) == {noor.id: "noor@example.org", alex.id: "alex@example.org"}
    assert box.received == []  # nothing goes out before someone presses the button
    sent = fg.invite(rec, by="Sam de Vries")
    assert sent["sent"] == [noor.form_id, alex.form_id] and sent["without_address"] == 1
    invitation = box.last("alex@example.org")
    assert invitation.subject == "Your consent is requested for a recording: Rekenles groep 5"
    assert "Who makes the recording?" in invitation.text and "Alex" not in invitation.subject
    link = re.search(r"https://\S+/c/\S+", box.last("noor@example.org").text)
    assert link and "Waarvoor gebruiken we de opname?" in box.last("noor@example.org").text
    answer(fg, box, token_of(link.group(0)), {"recording": "yes", "livestream": "no"},
           email="noor@example.org")  # fmt: skip
    before = len(box.received)
    reminded = fg.invite(rec, by="Sam de Vries", reminder=True)
    assert reminded["sent"] == [alex.form_id] and len(box.received) == before + 1
    reminder = box.last("alex@example.org")
    assert reminder.subject.startswith("Reminder")
    text = reminder.text
    assert "This is the only reminder: no other one will follow." in text
    assert "Not answering is fine: it means no consent" in text
    # One reminder per person, however often the student asks.
    again = fg.invite(rec, by="Sam de Vries", reminder=True)
    assert again["sent"] == [] and len(box.received) == before + 1
    # Destroying the recording deletes the addresses and links with it; the confirmed
    # answer is proof, kept until the proof retention ends.
    done = fg.destroy(rec, by="P. Vermeer")
    assert fg.emails(rec) == {}
    from formgen.record.schema import online_answers, online_links

    with fg.engine.connect() as conn:
        kept = [
            sealing.open_answer(conn, rec, a)
            for a in conn.execute(online_answers.select()).mappings().all()
        ]
        assert [(a["email"], a["confirmed_at"] is not None) for a in kept] == [
            ("noor@example.org", True)
        ]
        assert conn.execute(online_links.select()).first() is None
    assert fg.erase_due_proofs(on=dt.date.fromisoformat(done["proof_kept_until"])) == [rec]
    with fg.engine.connect() as conn:
        assert conn.execute(online_answers.select()).first() is None


def test_without_public_url_paper_stays_as_it_was(store_url: str, tmp_path: Path) -> None:
    with Formgen.open(store_url, test_config(output_dir=tmp_path)) as fg:
        rec = recording(fg)
        fg.add_participant(rec, "Noor Bakker")
        assert all(link.startswith("FG1.") for link in qr_links(fg.forms(rec, save=False).data))
        with pytest.raises(RecordError, match="public_url"):
            fg.invite(rec, by="Sam")
        with pytest.raises(NotFound):
            fg.online_form("FG1.AAAA.AAAAAAAAA.1.AAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAA")
    # A public address without a mail server: links, but no invitations (and no log).
    with Formgen.open(store_url, test_config(output_dir=tmp_path, public_url=PUBLIC)) as fg:
        assert not fg.online
        with pytest.raises(RecordError, match=r"\[mail\]"):
            fg.invite(rec, by="Sam")
        with fg.engine.connect() as conn:
            from formgen.record.schema import recording_events

            kinds = [k for (k,) in conn.execute(select(recording_events.c.kind))]
        assert kinds == []  # the refused invitation logged nothing


def test_mail_server_down_records_nothing(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    box.stop()
    from formgen.mail import MailError

    with pytest.raises(MailError, match="cannot send e-mail") as failed:
        fg.online_answer(
            token, answers={"recording": "yes", "livestream": "yes"}, name="N",
            email="noor@example.org",
        )  # fmt: skip
    assert "noor" not in str(failed.value)
    with fg.engine.connect() as conn:
        from formgen.record.schema import online_answers

        assert conn.execute(online_answers.select()).first() is None


def test_online_after_paper_only_makes_it_stricter(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    noor = fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    fg.set_consent(noor.form_id, "recording", "given", by="Sam", reason="paper")
    fg.set_consent(noor.form_id, "livestream", "refused", by="Sam", reason="paper")
    form = fg.online_form(token)
    assert form.mode is OnlineMode.STRICTER and form.withdrawable == ["recording"]
    page = fg.online_page(form)
    assert 'name="clause:recording" value="no"' in page
    assert 'name="clause:livestream"' not in page  # a no stays no: nothing to choose
    with pytest.raises(RecordError, match="choose no"):  # a yes online changes nothing
        fg.online_answer(
            token, answers={"livestream": "yes"}, name="Noor", email="noor@example.org"
        )
    answer(fg, box, token, {"recording": "no"}, email="noor@example.org")
    assert statuses(fg, rec) == {"recording": Status.WITHDRAWN, "livestream": Status.REFUSED}


def test_answers_stand_when_the_receipt_cannot_be_sent(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    yes = {"recording": "yes", "livestream": "yes"}
    pending = fg.online_answer(token, answers=yes, name="Noor", email="noor@example.org")
    code = code_in(box, "noor@example.org")
    box.stop()  # the mail server goes away between the code and the confirmation
    done = fg.online_confirm(token, pending.id, code)
    assert done.receipt_sent is False  # the page says so, instead of promising a mail
    assert statuses(fg, rec) == {"recording": Status.GIVEN, "livestream": Status.GIVEN}


def test_a_code_alone_confirms_its_own_answer(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    first = {"recording": "yes", "livestream": "yes"}
    fg.online_answer(token, answers=first, name="Noor", email="noor@example.org")
    first_code = code_in(box, "noor@example.org")
    second = {"recording": "yes", "livestream": "no"}  # she changed her mind before confirming
    fg.online_answer(token, answers=second, name="Noor", email="noor@example.org")
    second_code = code_in(box, "noor@example.org")
    wrong = next(
        f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in (first_code, second_code)
    )
    with pytest.raises(CodeRefused, match="4 tries left"):
        fg.online_confirm(token, "", wrong)
    done = fg.online_confirm(token, "", second_code)  # the code picks the answer it was sent for
    assert done.answers == second
    assert statuses(fg, rec) == {"recording": Status.GIVEN, "livestream": Status.REFUSED}


def signatures(fg: Formgen, form_id: str) -> list[dict[str, object]]:
    return [e for e in fg.history(form_id)["events"] if e["clause"] == "signature"]


def test_a_second_pending_answer_only_takes_back_what_is_yes(fg: Formgen, box: Mailbox) -> None:
    """Two people answer a fresh form before either confirms: the first confirmation is
    the answer; the second, confirmed on an answered form, counts only as taking a yes
    back, never as a second signature."""
    rec = recording(fg)
    noor = fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    yes, no = {"recording": "yes", "livestream": "yes"}, {"recording": "no", "livestream": "no"}
    first = fg.online_answer(token, answers=yes, name="Noor", email="noor@example.org")
    first_code = code_in(box, "noor@example.org")
    second = fg.online_answer(token, answers=no, name="Someone", email="else@example.org")
    second_code = code_in(box, "else@example.org")
    fg.online_confirm(token, first.id, first_code)
    done = fg.online_confirm(token, second.id, second_code)
    assert done.changed == {"recording": "withdrawn", "livestream": "withdrawn"}
    events = [e for e in fg.history(noor.form_id)["events"] if e["source"] == "online"]
    assert [(e["clause"], e["status"]) for e in events] == [
        ("recording", "given"),
        ("livestream", "given"),
        ("signature", "signed"),
        ("recording", "withdrawn"),
        ("livestream", "withdrawn"),
    ]
    assert statuses(fg, rec) == {"recording": Status.WITHDRAWN, "livestream": Status.WITHDRAWN}


def test_answers_confirmed_at_once_sign_the_form_once(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    noor = fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    pending = []
    for i in range(5):  # the most codes one form may ask for in an hour
        choice = "yes" if i % 2 == 0 else "no"
        address = f"person{i}@example.org"
        asked = fg.online_answer(
            token,
            answers={"recording": choice, "livestream": choice},
            name=f"Person {i}",
            email=address,
        )
        pending.append((asked.id, code_in(box, address)))
    outcomes = at_once([lambda p=p: fg.online_confirm(token, *p) for p in pending])
    assert not [o for o in outcomes if isinstance(o, BaseException)], outcomes
    [signed] = signatures(fg, noor.form_id)
    first = next(o for o in outcomes if o.kind is Kind.ANSWER)  # type: ignore[union-attr]
    assert [o.kind for o in outcomes].count(Kind.ANSWER) == 1  # type: ignore[union-attr]
    assert signed["detail"]["answer"] == first.answer_id
    # After the answer, only withdrawals: a yes that was given may only end.
    online = [e for e in fg.history(noor.form_id)["events"] if e["source"] == "online"]
    after = online[online.index(signed) + 1 :]
    assert all(e["status"] == "withdrawn" for e in after)
    # A later answer keeps only its "no"s: they end the first answer's yes, if it was one.
    later_no = any(o.answers for o in outcomes if o is not first)  # type: ignore[union-attr]
    if first.answers["recording"] == "no":
        expected = "refused"
    else:
        expected = "withdrawn" if later_no else "given"
    assert statuses(fg, rec)["recording"] == Status(expected)


def test_a_code_confirms_once_however_often_it_is_sent_at_once(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    noor = fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    yes = {"recording": "yes", "livestream": "yes"}
    asked = fg.online_answer(token, answers=yes, name="Noor", email="noor@example.org")
    code = code_in(box, "noor@example.org")
    outcomes = at_once([lambda: fg.online_confirm(token, asked.id, code)] * 8)
    refused = [o for o in outcomes if isinstance(o, BaseException)]
    assert len(refused) == 7 and all(isinstance(o, CodeRefused) for o in refused)
    assert len(signatures(fg, noor.form_id)) == 1


NOT_ONE_ADDRESS = [
    "alex@example.net,extra",
    "alex@example.net, eve@example.org",
    "<evil@example.org>",
    "Alex <alex@example.net>",
    "alex@example.net\r\nBcc: eve@example.org",
    "alex@example.net\nBcc: eve@example.org",
    '"alex smith"@example.net',
    "alex@[127.0.0.1]",
    "alex@",
    "alex",
]


@pytest.mark.slow  # every kind of bad address through the whole online path
def test_every_address_is_one_parsed_address(fg: Formgen, box: Mailbox, store_url: str) -> None:
    rec = recording(fg)
    noor = fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    yes = {"recording": "yes", "livestream": "yes"}
    before = store_dump(store_url)
    for bad in NOT_ONE_ADDRESS:
        attempts = [
            lambda b=bad: fg.online_answer(token, answers=yes, name="Noor", email=b),
            lambda b=bad: fg.add_participants(rec, ["Daan"], emails=[b]),
            lambda b=bad: fg.set_email(noor.id, b),
            lambda b=bad: fg.add_user(b, name="Alex", role="student"),
        ]
        for attempt in attempts:
            with pytest.raises(RecordError, match="is not an e-mail address"):
                attempt()
    assert store_dump(store_url) == before and box.received == []
    # The other parent's address, on a parental form.
    child = fg.add_participant(rec, "Daan", under_16=True)
    before = store_dump(store_url)
    childs = printed_token(fg, rec, page=3)  # the child's form, its first page
    for bad in NOT_ONE_ADDRESS:
        with pytest.raises(RecordError, match="the other parent's address"):
            fg.online_answer(
                childs,
                answers=yes,
                name="Parent",
                email="parent@example.org",
                relation="parent",
                other_email=bad,
            )
    assert box.received == [] and child.form_id
    # A good address is kept as one, normalised: the code goes to it alone.
    fg.set_email(noor.id, "  Noor@Example.ORG ")
    assert fg.emails(rec) == {noor.id: "noor@example.org"}
    pending = fg.online_answer(token, answers=yes, name="Noor", email="Noor@Example.ORG")
    assert pending.email == "noor@example.org"
    assert [m.to for m in box.received] == [["noor@example.org"]]
    assert before != store_dump(store_url)


def test_the_text_shown_is_kept_with_the_answer(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    noor = fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    shown = fg.online_page(fg.online_form(token))
    answer(fg, box, token, {"recording": "yes", "livestream": "no"})
    [kept] = fg.online_answers(rec)
    assert (kept["form_id"], kept["email"], kept["name"]) == (
        noor.form_id,
        "noor@example.org",
        "Noor Bakker",
    )
    assert kept["answers"] == {"recording": "yes", "livestream": "no"} and kept["text_kept"]
    page, matches = fg.online_text(rec, kept["id"])
    # Exactly the page the person answered on, and the hash the events name is its hash.
    assert page == shown and matches
    hashes = {e["detail"]["text"] for e in fg.history(noor.form_id)["events"] if e["detail"]}
    assert hashes == {Formgen.text_hash(shown)}
    with pytest.raises(NotFound):
        fg.online_text(rec, "A-NOSUCH")
    other = recording(fg)
    with pytest.raises(NotFound):  # an answer is opened from its own recording only
        fg.online_text(other, kept["id"])


def test_addresses_of_the_organisation_and_of_accounts_cannot_confirm(
    fg: Formgen, box: Mailbox, store_url: str
) -> None:
    rec = recording(fg)
    fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    fg.add_user("sam@example.org", name="Sam de Vries", role="student")
    yes = {"recording": "yes", "livestream": "yes"}
    before = store_dump(store_url)
    for address in ("noor@hva.nl", "Noor@Student.HvA.nl", "SAM@example.org"):
        with pytest.raises(RecordError, match="use your own e-mail address"):
            fg.online_answer(token, answers=yes, name="Noor Bakker", email=address)
    assert box.received == [] and store_dump(store_url) == before
    # Another faculty names its own domains; a look-alike domain is not one of them.
    fg.config = dataclasses.replace(
        fg.config, org=dataclasses.replace(fg.config.org, mail_domains=("uva.nl",))
    )
    with pytest.raises(RecordError, match="use your own e-mail address"):
        fg.online_answer(token, answers=yes, name="Noor Bakker", email="n@fnwi.uva.nl")
    answer(fg, box, token, yes, email="noor@notuva.nl")
    assert statuses(fg, rec) == {"recording": Status.GIVEN, "livestream": Status.GIVEN}


def test_one_browser_or_address_for_two_people_goes_to_review(fg: Formgen, box: Mailbox) -> None:
    rec = recording(fg)
    noor = fg.add_participant(rec, "Noor Bakker")
    alex = fg.add_participant(rec, "Alex Çelik")
    bo = fg.add_participant(rec, "Bo de Wit")
    links = qr_links(fg.forms(rec, save=False).data)
    tokens = [token_of(links[i]) for i in (0, 3, 6)]  # each form's first page
    yes = {"recording": "yes", "livestream": "yes"}
    phone = "b" * 30
    answer(fg, box, tokens[0], yes, email="noor@example.org", browser=phone)
    assert statuses(fg, rec, 0) == {"recording": Status.GIVEN, "livestream": Status.GIVEN}
    # The same browser answers Alex's form: nothing is decided, a person checks it.
    answer(fg, box, tokens[1], yes, email="alex@example.org", browser=phone)
    assert statuses(fg, rec, 1) == {"recording": Status.REVIEW, "livestream": Status.REVIEW}
    assert fg.status(rec).participants[1].signed is None
    # The receipt says a person checks it first (the first one's says nothing of it).
    assert "controleert de begeleider van de hogeschool het" in box.last("alex@example.org").text
    assert "controleert" not in box.to("noor@example.org")[-1].text
    said = (
        f"check this online answer: the same browser answered form {noor.form_id} of this"
        " recording; it said yes"
    )
    waiting = {i.item: i.reason for i in fg.review_items()}
    assert waiting == {f"{alex.form_id}:recording": said, f"{alex.form_id}:livestream": said}
    # Bo's form is answered from another browser, with Noor's address.
    answer(fg, box, tokens[2], {"recording": "yes", "livestream": "no"},
           email="noor@example.org", browser="c" * 30)  # fmt: skip
    assert statuses(fg, rec, 2) == {"recording": Status.REVIEW, "livestream": Status.REVIEW}
    flags = {a["form_id"]: a["flag"] for a in fg.online_answers(rec)}
    assert flags == {
        noor.form_id: None,
        alex.form_id: f"browser:{noor.form_id}",
        bo.form_id: f"address:{noor.form_id}",
    }
    # The supervisor accepts Alex's answer (what it said) and rejects Bo's, with a reason.
    for clause in ("recording", "livestream"):
        fg.resolve(f"{alex.form_id}:{clause}", "given", by="Dr. A. Jansen")
        fg.resolve(
            f"{bo.form_id}:{clause}", "no_answer", by="Dr. A. Jansen", reason="not Bo's parent"
        )
    alex_now = fg.status(rec).participants[1]
    assert alex_now.signed is True and alex_now.clauses["recording"] is Status.GIVEN
    assert statuses(fg, rec, 2) == {"recording": Status.NO_ANSWER, "livestream": Status.NO_ANSWER}
    reasons = [e["reason"] for e in fg.history(bo.form_id)["events"]]
    assert reasons[-1] == "review resolved: not Bo's parent"
    # The address and the flag are in the officer's audit table.
    table = fg.consent_csv([rec]).decode("utf-8-sig")
    assert f"alex@example.org,the same browser answered form {alex.form_id}" not in table
    assert f"alex@example.org,the same browser answered form {noor.form_id}" in table
    assert f"noor@example.org,the same address was used for form {noor.form_id}" in table
    # The browser's id is nowhere in the store: only its hash.
    with fg.engine.connect() as conn:
        from formgen.record.schema import online_answers

        kept = set(conn.execute(select(online_answers.c.browser_hash)).scalars())
    assert phone not in str(kept) and len(kept) == 2
