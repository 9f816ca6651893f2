"""Time and proof: consent is never asked after the fact. A recording dated before today
and a deletion date on or before today are refused; declarations, request letters,
invitations and online answers for a recording already made are refused, except a
re-consent round, which asks only the people who consented. On SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from formgen import Formgen, rules
from formgen.config import Config
from formgen.errors import ConfigError, RecordError
from formgen.mail.mailbox import Mailbox
from formgen.rules import OnlineMode, Status

from .conftest import RECORDING, Run, store_dump
from .helpers import DPO, test_config
from .helpers.online import mail_config, printed_token, recording
from .helpers.timetravel import backdate, days_from_today, today


@pytest.fixture
def fg(store_url: str, box: Mailbox, tmp_path: Path) -> Iterator[Formgen]:
    with Formgen.open(store_url, mail_config(tmp_path, box.port)) as lib:
        yield lib


def test_the_rules() -> None:
    day = dt.date(2030, 5, 1)
    assert rules.check_new_recording_date(day, day) == day  # the day itself is fine
    with pytest.raises(ValueError, match="2030-04-30 has passed"):
        rules.check_new_recording_date(day - dt.timedelta(1), day)
    with pytest.raises(ValueError, match="is not between"):  # the typing mistake first
        rules.check_new_recording_date(dt.date(1990, 1, 1), day)
    with pytest.raises(ValueError, match="deletion date 2030-05-01 is not after today"):
        rules.check_deletion_date(day, day)
    assert rules.check_deletion_date(day, day - dt.timedelta(1)) == day
    assert rules.may_ask_consent(day, day, 1) and not rules.may_ask_consent(
        day, day + dt.timedelta(1), 1
    )
    assert rules.may_ask_consent(day, day + dt.timedelta(300), 2)  # a re-consent round
    assert rules.asks_again_after_the_fact({"recording": Status.GIVEN, "360": Status.REFUSED})
    assert not rules.asks_again_after_the_fact({"recording": Status.NO_ANSWER})


def test_the_cli_refuses_a_recording_in_the_past(db_url: str, run: Run, js: Any) -> None:
    args = list(RECORDING)
    js(*args)  # a store with a recording in it
    before = store_dump(db_url)
    for day in (today() - dt.timedelta(1), dt.date(2020, 1, 1)):
        args[args.index("--date") + 1] = day.isoformat()
        refused = run(*args, ok=False)
        assert refused.exit_code != 0 and "Traceback" not in refused.stderr
        lines = refused.stderr.strip().splitlines()
        assert lines == [
            f"formgen: recording date {day.isoformat()} has passed: consent cannot be asked"
            " for a recording already made"
        ]
    assert store_dump(db_url) == before  # nothing written
    args[args.index("--date") + 1] = today().isoformat()
    assert js(*args)["date"] == today().isoformat()  # today is not the past


def test_a_zero_retention_gives_no_deletion_date_today_or_before(
    store_url: str, tmp_path: Path
) -> None:
    config = test_config(
        output_dir=tmp_path / "output",
        retention={**rules.DEFAULT_RETENTION, rules.Purpose.REFLECTION: rules.Period(0, "weeks")},
    )
    with Formgen.open(store_url, config) as fg:
        with pytest.raises(RecordError, match="is not after today"):
            recording(fg, purpose="reflection", date=today())
        assert fg.recordings() == []


def test_extending_to_today_is_refused(fg: Formgen) -> None:
    rec = recording(fg)
    with pytest.raises(RecordError, match=f"deletion date {today().isoformat()} is not after"):
        fg.change_recording(rec, by="Dr. Jansen", extend_to=today(), save=False)


def test_no_declaration_request_or_invitation_after_the_fact(fg: Formgen) -> None:
    rec = recording(fg, date=days_from_today(1))
    fg.add_participant(rec, "Noor Bakker", email="noor@example.org")
    backdate(rec, 3, fg.engine)  # made two days ago
    made = (today() - dt.timedelta(2)).isoformat()
    late = f"recording {rec} was made on {made}: consent cannot be asked after the fact"
    with pytest.raises(RecordError, match=late):
        fg.forms(rec, save=False)
    with pytest.raises(RecordError, match=late):
        fg.invite(rec, by="Sam")
    with pytest.raises(RecordError, match=late):
        fg.invite(rec, by="Sam", reminder=True)
    partner = recording(fg, situation=2, institution="OBS De Regenboog", date=days_from_today(1))
    backdate(partner, 3, fg.engine)
    with pytest.raises(RecordError, match="consent cannot be asked after the fact"):
        fg.request(partner, contact="Mw. De Wit", count=2, save=False)


def test_online_a_made_recording_takes_no_answer_but_a_withdrawal(
    fg: Formgen, box: Mailbox
) -> None:
    rec = recording(fg, date=days_from_today(1))
    noor = fg.add_participant(rec, "Noor Bakker")
    fg.add_participant(rec, "Daan Visser")
    fg.set_consent(noor.form_id, "recording", "given", by="Sam", reason="paper")
    noor_token, daan_token = printed_token(fg, rec, 0), printed_token(fg, rec, 3)
    backdate(rec, 2, fg.engine)  # made yesterday
    daan = fg.online_form(daan_token)
    assert daan.too_late and daan.mode is OnlineMode.CLOSED
    with pytest.raises(Exception, match="nothing left to answer"):
        fg.online_answer(
            daan_token, answers={"recording": "yes", "livestream": "yes"}, name="Daan",
            email="daan@example.org",
        )  # fmt: skip
    assert fg.status(rec).participants[1].clauses == {
        "recording": Status.REQUESTED,
        "livestream": Status.REQUESTED,
    }
    # Taking a yes back stays possible as long as the recording exists.
    form = fg.online_form(noor_token)
    assert form.mode is OnlineMode.STRICTER and not form.too_late


def test_reconsent_after_the_fact_asks_only_who_consented(fg: Formgen) -> None:
    rec = recording(fg, date=days_from_today(1))
    noor = fg.add_participant(rec, "Noor Bakker")
    daan = fg.add_participant(rec, "Daan Visser")
    fg.set_consent(noor.form_id, "recording", "given", by="Sam", reason="paper")
    fg.set_consent(daan.form_id, "recording", "refused", by="Sam", reason="paper")
    backdate(rec, 5, fg.engine)
    change = fg.change_recording(rec, by="Dr. Jansen", purpose="final-level", save=False)
    assert [p.id for p in change.issued] == [noor.id]  # Daan was kept out; not asked now
    assert change.issued[0].round == 2
    assert change.written is not None and change.written.forms[0]["form_id"] == (
        change.issued[0].form_id
    )
    # The new round's form prints after the date; the first round's cannot.
    assert fg.forms(rec, participants=[noor.id], save=False).forms
    with pytest.raises(RecordError, match="after the fact"):
        fg.forms(rec, participants=[daan.id], save=False)


def test_the_organisation_time_zone(tmp_path: Path) -> None:
    from formgen import config as config_module

    assert Config().org.timezone == "Europe/Amsterdam"
    asia = config_module.from_mapping({"organisation": {"timezone": "Asia/Tokyo"}})
    stored = dt.datetime(2026, 12, 4, 16, 4)  # UTC, as the store keeps it
    assert config_module.local(asia, stored) == dt.datetime(2026, 12, 5, 1, 4)
    assert config_module.local(Config(), stored) == dt.datetime(2026, 12, 4, 17, 4)
    with pytest.raises(ConfigError, match="'Mars/Olympus' is not a time zone"):
        config_module.from_mapping({"organisation": {"timezone": "Mars/Olympus"}})


def test_an_extension_stays_within_the_purposes_retention(fg: Formgen) -> None:
    rec = recording(fg, purpose="reflection")
    made = fg.recording(rec).recorded_on
    cap = rules.delete_by(made, rules.Purpose.REFLECTION)
    with pytest.raises(RecordError, match=f"is later than {cap.isoformat()}: a recording for"):
        fg.change_recording(rec, by="Dr. Jansen", extend_to=dt.date(2060, 1, 1), save=False)
    assert fg.recording(rec).delete_by == cap
    with pytest.raises(RecordError, match="kept at most 1 years"):  # a new purpose: its own
        fg.change_recording(
            rec, by="Dr. Jansen", purpose="assessment", extend_to=dt.date(2060, 1, 1), save=False
        )


def test_an_expired_procedure_is_warned_about(db_url: str, run: Run, js: Any) -> None:
    from formgen import config as config_module

    Path("formgen.toml").write_text(
        f'[organisation]\ndpo_contact = "{DPO}"\n'
        'procedure = "Werkwijze beeld- en geluidsopnamen FOO"\n'
        'procedure_version = "20 augustus 2020"\nprocedure_valid_until = "2021-08-31"\n',
    )
    rec = js(*RECORDING)["id"]
    js("participant", "add", rec, "--name", "Ann")
    printed = run("forms", rec)
    assert (
        "formgen: warning: the procedure the forms cite (Werkwijze beeld- en geluidsopnamen FOO,"
        " version 20 augustus 2020) was valid until 2021-08-31" in printed.stderr
    )
    current = config_module.from_mapping(
        {"organisation": {"procedure_valid_until": days_from_today(0).isoformat()}}
    )
    assert config_module.procedure_warning(current) is None  # valid through that day
    assert config_module.procedure_warning(Config()) is None  # no end date known
    expired = config_module.from_mapping(
        {"organisation": {"procedure_valid_until": "2021-08-31", "dpo_contact": DPO}}
    )
    with Formgen.open(db_url, expired) as lib:  # what `formgen serve` says when it starts
        assert [w.split(":")[0] for w in lib.config_warnings()] == [
            "the procedure the forms cite (Werkwijze beeld- en geluidsopnamen FOO, version 20"
            " augustus 2020) was valid until 2021-08-31"
        ]
    with pytest.raises(ConfigError, match="'31-08-2021' is not a date"):
        config_module.from_mapping({"organisation": {"procedure_valid_until": "31-08-2021"}})


def test_the_form_names_the_postal_address_and_where_data_are_stored(
    db_url: str, run: Run, js: Any
) -> None:
    from .helpers.rendering import text_of

    Path("formgen.toml").write_text(
        f'[organisation]\ndpo_contact = "{DPO}"\n'
        'postal_address = "Postbus 99, 1000 AA Amsterdam"\n'
        'storage_location = "in de EU"\nstorage_location_en = "in the EU"\n',
    )
    rec = js(*RECORDING)["id"]
    js("participant", "add", rec, "--name", "Ann")
    js("participant", "add", rec, "--name", "Dex", "--lang", "en", "--under-16")
    pages = text_of(Path(js("forms", rec)["pdf"]).read_bytes())
    # three pages a form; the information the person keeps is on pages 1 and 2
    assert "Postadres: Postbus 99, 1000 AA Amsterdam." in pages[0]
    assert "We bewaren de opname en dit formulier in de EU." in pages[1]
    assert "Postal address: Postbus 99, 1000 AA Amsterdam." in pages[3]
    assert "We store the recording and this form in the EU." in pages[4]


def test_the_receipt_tells_the_time_on_the_organisations_clock(fg: Formgen, box: Mailbox) -> None:
    from formgen import config as config_module

    from .helpers.online import code_in
    from .helpers.rendering import text_of

    rec = recording(fg)
    fg.add_participant(rec, "Noor Bakker")
    token = printed_token(fg, rec)
    pending = fg.online_answer(
        token, answers={"recording": "yes", "livestream": "no"}, name="Noor Bakker",
        email="noor@example.org",
    )  # fmt: skip
    done = fg.online_confirm(token, pending.id, code_in(box, "noor@example.org"))
    local = config_module.local(fg.config, done.at)
    assert local - done.at in (dt.timedelta(hours=1), dt.timedelta(hours=2))  # CET / CEST
    receipt = box.last("noor@example.org")
    assert f"{local:%H:%M}" in receipt.text and f"{done.at:%H:%M}" not in receipt.text
    assert f"{local:%H:%M}" in " ".join(text_of(fg.receipt(token, done)))


@pytest.mark.parametrize("situation", [1, 2])
def test_no_invitation_or_online_reminder_in_situations_1_and_2(
    fg: Formgen, box: Mailbox, situation: int
) -> None:
    rec = recording(fg, situation=situation, institution="OBS De Regenboog")
    fg.add_participant(rec, "Noor Bakker", email="noor@example.org")
    for reminder in (False, True):
        with pytest.raises(RecordError, match=f"is in situation {situation}: the institution"):
            fg.invite(rec, by="Sam de Vries", reminder=reminder)
    assert box.to("noor@example.org") == []  # nothing was sent


def test_a_destruction_late_in_the_evening_is_dated_by_the_organisations_day(
    fg: Formgen,
) -> None:
    """Destroyed at 23:30 UTC on 31 December (00:30 on 1 January in Amsterdam): every
    refusal and the checklist say 1 January, the day the organisation destroyed it."""
    from formgen.errors import Conflict

    from .helpers.timetravel import clock

    rec = fg.create_recording(
        title="Rekenles", student="Sam", supervisor="Dr. J", situation=3,
        purpose="assessment", date=days_from_today(7),
    ).id  # fmt: skip
    fg.add_participant(rec, "Ann")
    late = dt.datetime(dt.date.today().year, 12, 31, 23, 30)
    with clock(late):
        fg.destroy(rec, by="Sam")
    day = f"{late.year + 1}-01-01"
    with pytest.raises(Conflict) as refused:
        fg.add_participant(rec, "Bo")
    assert str(refused.value) == f"recording {rec} was destroyed on {day}"
    with pytest.raises(RecordError) as refused:
        fg.describe(rec)
    assert f"destroyed on {day}" in str(refused.value)
    steps = {s["step"]: s for s in fg.checklist(rec)["steps"]}
    assert day in str(steps["destroyed"]) and late.date().isoformat() not in str(steps["destroyed"])
