"""After recording: the platform description (procedure TIP 1 and 2) and the seven-step
checklist with steps a person confirms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import Result

from formgen import rules
from formgen.aftercare import steps
from formgen.record import records
from formgen.record.store import open_store

from .conftest import RECORDING, Run
from .helpers import phrases, test_config
from .helpers.timetravel import backdate, days_from_today

Js = Callable[..., Any]
BASE = (*RECORDING[:-6], "--date", "2030-12-01")  # without situation and purpose
SITUATION_1 = ("--situation", "1", "--institution", "OBS De Regenboog", "--purpose", "reflection")


def refused(result: Result, words: str) -> None:
    """A refusal: exit code 1 and one line on stderr naming the problem."""
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("formgen: ") and result.stderr.count("\n") == 1
    assert words in result.stderr, result.stderr


def give(run: Run, form_id: str, decision: str = "given") -> None:
    run("consent", "set", form_id, "recording", decision, "--by", "S", "--reason", "r")


def check_footage(rec: str) -> dict[str, Any]:
    """Confirm step 3 on the recording date: there is no footage to check before it."""
    engine = open_store()
    try:
        day = records.get_recording(engine, rec).recorded_on
        return steps.confirm_step(engine, rec, "footage_checked", "Sam", today=day)
    finally:
        engine.dispose()


def steps_of(js: Js, rec: str) -> dict[str, dict[str, Any]]:
    return {s["step"]: s for s in js("checklist", rec)["steps"]}


def test_describe_in_dutch_has_what_the_procedure_asks_and_no_names(
    js: Js, run: Run, rec: str
) -> None:
    ann = js("participant", "add", rec, "--name", "Ann Smit")
    bob = js("participant", "add", rec, "--name", "Bob Bakker")
    give(run, ann["form_id"])
    give(run, bob["form_id"], "refused")
    found = js("describe", rec)
    assert (found["id"], found["lang"], found["delete_on"]) == (rec, "nl", "2030-12-29")
    text = found["text"]
    assert "Bewaren: tot 29 december 2030" in text  # keep-until date
    # The purpose and who may see it, in the form's own words (phrases.PURPOSE, ACCESS).
    assert f"Doel: {phrases.PURPOSE['nl']['reflection']}" in text
    assert f"Toegang: alleen {phrases.ACCESS['nl']['reflection']}." in text
    assert "beoordelaars" not in text and "publiceer" in text
    assert "de student die deze opname maakte, bewaart de toestemmingsformulieren" in text
    assert f"registratienummer {rec}" in text  # where: situation 3, by the student
    assert "Wie geen toestemming gaf, mag niet op de opname staan" in text
    for name in ("Ann", "Bob", "Smit", "Bakker", "Sam de Vries", "Jansen"):
        assert name not in text
    assert found["notes"]  # the footage check is not confirmed yet
    shown = run("describe", rec).stdout
    assert shown.startswith(text) and "Set automatic deletion on: 2030-12-29" in shown


def test_describe_in_english_after_the_footage_check(js: Js, run: Run) -> None:
    rec = js(*BASE, "--situation", "3", "--purpose", "assessment", "--lang", "en")["id"]
    ann = js("participant", "add", rec, "--name", "Ann Smit")
    bob = js("participant", "add", rec, "--name", "Bob Bakker")
    give(run, ann["form_id"])
    give(run, bob["form_id"], "no_answer")
    check_footage(rec)
    found = js("describe", rec)
    assert (found["lang"], found["delete_on"], found["notes"]) == ("en", "2031-12-01", [])
    text = found["text"]
    assert "Keep until: 1 December 2031" in text
    assert f"Purpose: {phrases.PURPOSE['en']['assessment']}" in text
    assert f"Access: only {phrases.ACCESS['en']['assessment']}," in text
    assert f"under record number {rec}" in text
    assert "The recording was checked for this on" in text
    assert "Ann" not in text and "Sam de Vries" not in text


def test_describe_names_the_institution_in_situation_1(js: Js, run: Run) -> None:
    rec = js(*BASE, *SITUATION_1)["id"]
    text = js("describe", rec)["text"]  # nobody in the record: generic declarations
    assert "de instelling (OBS De Regenboog) bewaart de toestemmingsformulieren" in text
    assert "begeleider, bij registratienummer" not in text
    extra = js("participant", "add", rec, "--blank")["participants"][0]
    give(run, extra["form_id"])
    assert (
        "Extra toestemmingsformulieren voor deze opname bewaart de begeleider van de"
        " hogeschool, bij"
        f" registratienummer {rec}" in (js("describe", rec)["text"])
    )


def test_describe_refuses_missing_consent_and_destroyed(js: Js, run: Run, rec: str) -> None:
    ann = js("participant", "add", rec, "--name", "Ann")
    js("participant", "add", rec, "--name", "Bob")
    give(run, ann["form_id"])
    refused(run("describe", rec, ok=False), "consent of 1 participant(s) is not settled")
    refused(run("describe", rec, "--json", ok=False), "see the status")
    run("destroy", rec, "--by", "S")
    refused(run("describe", rec, ok=False), "was destroyed on")
    refused(run("describe", "R-NOSUCH", ok=False), "no recording")


def test_describe_refuses_past_the_deletion_date(js: Js, run: Run, rec: str) -> None:
    give(run, js("participant", "add", rec, "--name", "Ann")["form_id"])
    engine, config = open_store(), test_config()
    assert steps.describe(engine, config, rec, today=dt.date(2030, 12, 29))["text"]
    with pytest.raises(records.RecordError, match="was to be deleted by 2030-12-29"):
        steps.describe(engine, config, rec, today=dt.date(2030, 12, 30))


def test_checklist_follows_the_seven_steps(js: Js, run: Run, rec: str) -> None:
    found = js("checklist", rec)
    assert [s["step"] for s in found["steps"]] == [s.key for s in rules.STEPS]
    assert [s["procedure_step"] for s in found["steps"]] == [1, 2, 3, 3, 4, 5, 6, 7]
    assert (found["delete_by"], found["overdue"]) == ("2030-12-29", False)
    ann = js("participant", "add", rec, "--name", "Ann")
    before = steps_of(js, rec)
    assert before["consent"]["state"] == "open" and "1 of 1" in before["consent"]["known"]
    assert before["camera"]["state"] == "open"
    assert before["reminded"]["state"] == "open"
    assert {k: before[k]["state"] for k in ("transport", "stored", "destroyed")} == {
        "transport": "open",
        "stored": "open",
        "destroyed": "open",
    }
    assert before["reconsent"]["state"] == "not_needed"
    assert all(s["confirmed"] is None for s in before.values())
    give(run, ann["form_id"])
    after = steps_of(js, rec)
    assert after["consent"]["state"] == "done"
    assert after["camera"]["state"] == "done" and "everyone consented" in after["camera"]["known"]
    # Everyone in the record consented (situation 3): no one to look for in the footage.
    assert after["footage_checked"]["state"] == "not_needed"
    # The reminder comes after the recording (1 December 2030).
    assert after["reminded"]["state"] == "open"
    assert "after the recording on 2030-12-01" in after["reminded"]["known"]
    text = run("checklist", rec).stdout
    assert "1 [x] consent" in text and "4 [ ] transport" in text and "7 [-] reconsent" in text


def recorded_days_ago(js: Js, days: int = 3, *extra: str) -> str:
    """A situation-3 reflection recording made ``days`` ago (4 weeks' retention)."""
    day = days_from_today(1).isoformat()
    rec = js(*BASE[:-2], "--date", day, "--situation", "3", "--purpose", "reflection", *extra)
    backdate(rec["id"], days + 1)
    return str(rec["id"])


def test_reminders_count_once_sent_and_not_needed_in_situation_1(js: Js, run: Run) -> None:
    rec = recorded_days_ago(js)
    ann = js("participant", "add", rec, "--name", "Ann")
    give(run, ann["form_id"])
    assert steps_of(js, rec)["reminded"]["state"] == "open"
    refused(run("remind", rec, "--sent", "--by", "S", ok=False), "no reminder letters were made")
    js("remind", rec, "--by", "S")
    made = steps_of(js, rec)["reminded"]
    # A letter in a drawer reminds no one: made is not done.
    assert made["state"] == "open" and "send them" in made["known"]
    sent = js("remind", rec, "--sent", "--by", "Sam")
    assert (sent["id"], sent["sent"], sent["by"]) == (rec, [ann["form_id"]], "Sam")
    done = steps_of(js, rec)["reminded"]
    assert done["state"] == "done" and done["known"].startswith("reminders sent on")
    refused(run("remind", rec, "--sent", "--by", "S", ok=False), "were recorded as sent on")
    # Someone who consents after the reminders went out still needs one.
    bob = js("participant", "add", rec, "--name", "Bob")
    give(run, bob["form_id"])
    again = steps_of(js, rec)["reminded"]
    assert again["state"] == "open" and "make the reminders" in again["known"]
    usage = run("remind", rec, "--sent", "--by", "S", "--out", "x.pdf", ok=False)
    assert usage.exit_code == 2 and "--sent writes no letters" in usage.stderr
    partner = js(*BASE, *SITUATION_1)["id"]
    reminded = steps_of(js, partner)["reminded"]
    assert reminded["state"] == "not_needed"
    refused(
        run("checklist", partner, "--confirm", "reminded", "--by", "S", ok=False),
        "reminders for",
    )


def test_no_reminder_before_the_recording_date(js: Js, run: Run, rec: str) -> None:
    """Procedure step 3: the reminder comes "achteraf", after the recording."""
    give(run, js("participant", "add", rec, "--name", "Ann")["form_id"])
    refused(run("remind", rec, "--by", "S", ok=False), "comes after the recording")
    engine, config = open_store(), test_config()
    from formgen.documents import declarations

    with pytest.raises(records.RecordError, match="comes after the recording"):
        declarations.write_reminders(engine, config, rec, by="S", today=dt.date(2030, 11, 30))
    written = declarations.write_reminders(engine, config, rec, by="S", today=dt.date(2030, 12, 1))
    assert len(written.forms) == 1


def test_the_reminder_names_only_what_was_answered_yes(js: Js, run: Run) -> None:
    from pathlib import Path

    from .helpers.rendering import text_of

    rec = recorded_days_ago(js, 3, "--livestream", "--lang", "en")
    ann = js("participant", "add", rec, "--name", "Ann")
    dex = js("participant", "add", rec, "--name", "Dex", "--under-16", "--lang", "nl")
    give(run, ann["form_id"])
    run("consent", "set", ann["form_id"], "livestream", "refused", "--by", "S", "--reason", "r")
    give(run, dex["form_id"])
    give(run, dex["form_id"], "refused")  # corrected: recording refused...
    run("consent", "set", dex["form_id"], "livestream", "given", "--by", "S", "--reason", "r")
    written = js("remind", rec, "--by", "S")
    ann_letter, ann_sheet, dex_letter, dex_sheet = text_of(Path(written["pdf"]).read_bytes())
    assert "With form" in ann_letter and "you gave consent to:" in ann_letter
    assert "the video recording with image and sound for reflection" in ann_letter
    assert "the live stream;" not in ann_letter
    assert "I withdraw my consent to the recording." in ann_sheet
    assert "live stream" not in ann_sheet
    assert "gaf u voor uw kind toestemming voor: de livestream;" in dex_letter
    assert "de video-opname" not in dex_letter
    assert "Ik trek mijn toestemming in voor de livestream van mijn kind." in dex_sheet
    assert "voor de opname van mijn kind" not in dex_sheet
    pages = js("layout", ann["form_id"])["pages"]
    sheet = next(p for p in pages if p["kind"] == "withdrawal")
    assert {b["clause"] for b in sheet["boxes"]} == {"recording"}
    # Boxes that say what they do; and where the sheet goes.
    assert "Withdraw Keep" in ann_sheet and "Intrekken Niet intrekken" in dex_sheet
    assert "Give this page to Sam de Vries, the student, or send a photo or scan" in ann_sheet
    assert "gegevensbescherming-foo@hva.nl" in ann_sheet


def test_confirming_steps(js: Js, run: Run, rec: str) -> None:
    done = js("checklist", rec, "--confirm", "transport", "--by", "Sam")
    assert (done["id"], done["step"], done["state"]) == (rec, "transport", "done")
    assert done["confirmed"]["by"] == "Sam"
    assert steps_of(js, rec)["transport"]["confirmed"] == done["confirmed"]
    text = run("checklist", rec, "--confirm", "stored", "--by", "Sam").stdout
    assert text.strip() == f"{rec}: step stored confirmed by Sam"
    engine = open_store()
    with engine.connect() as conn:
        logged = [e for e in records.recording_log(conn, rec) if e["kind"] == "step"]
    engine.dispose()
    assert [(e["detail"], e["source"]) for e in logged] == [
        ({"step": "transport"}, "manual:Sam"),
        ({"step": "stored"}, "manual:Sam"),
    ]
    refused(
        run("checklist", rec, "--confirm", "transport", "--by", "Kim", ok=False),
        "already confirmed by Sam",
    )
    refused(
        run("checklist", rec, "--confirm", "uploaded", "--by", "Sam", ok=False),
        "the steps are consent, camera, footage_checked",
    )
    refused(
        run("checklist", rec, "--confirm", "consent", "--by", "Sam", ok=False),
        "not confirmed by hand",
    )
    refused(
        run("checklist", rec, "--confirm", "stored", "--by", " ", ok=False),
        "author's name is empty",
    )
    usage = run("checklist", rec, "--confirm", "stored", ok=False)
    assert usage.exit_code == 2 and "go together" in usage.stderr
    run("destroy", rec, "--by", "S")
    refused(
        run("checklist", rec, "--confirm", "footage_checked", "--by", "Sam", ok=False),
        "was destroyed on",
    )
    gone = steps_of(js, rec)
    assert gone["destroyed"]["state"] == "done" and "by S" in gone["destroyed"]["known"]


def test_footage_check_reopens_after_a_withdrawal(
    js: Js, run: Run, rec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = js("participant", "add", rec, "--name", "Ann")
    bob = js("participant", "add", rec, "--name", "Bob")
    give(run, ann["form_id"])
    give(run, bob["form_id"], "refused")
    refused(
        run("checklist", rec, "--confirm", "reminded", "--by", "Sam", ok=False), "reminders for"
    )
    assert steps_of(js, rec)["footage_checked"]["state"] == "open"
    check_footage(rec)
    later = records.now() + dt.timedelta(minutes=5)
    monkeypatch.setattr(records, "now", lambda: later)
    js("withdraw", ann["form_id"], "--by", "Sam")
    footage = steps_of(js, rec)["footage_checked"]
    assert footage["state"] == "open" and "confirm again" in footage["known"]
    assert check_footage(rec)["state"] == "done"


def test_overdue_and_not_needed_refusals(js: Js, run: Run, rec: str) -> None:
    give(run, js("participant", "add", rec, "--name", "Ann")["form_id"])
    engine, config = open_store(), test_config()
    late = steps.checklist(engine, config, rec, today=dt.date(2030, 12, 29))
    assert late["overdue"] is True
    destroyed = next(s for s in late["steps"] if s["step"] == "destroyed")
    assert destroyed["state"] == "open" and destroyed["known"].startswith("OVERDUE")
    refused(
        run("checklist", rec, "--confirm", "footage_checked", "--by", "S", ok=False),
        "not needed",
    )
