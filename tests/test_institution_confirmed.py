"""Situations 1 and 2: the student records what the institution confirmed (per person or
for the group: covered by the institution's consent, not covered, extra declaration
requested) with the contact's name and the date as its source, and the camera advice
follows it. A confirmation never becomes a form's consent, and the request letter's
blank forms stand for no one until one comes back. The rules pure; the library on
SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from formgen import Formgen, rules
from formgen.errors import FormgenError, NotFound, RecordError
from formgen.record import records
from formgen.rules import Advice, Clause, Confirmed, Situation, Status

from .conftest import store_dump
from .helpers import test_config
from .helpers.partners import partner_recording, people

G, R, N, A = Status.GIVEN, Status.REQUESTED, Status.NO_ANSWER, Status.REFUSED
REC = str(Clause.RECORDING)
DAY = dt.date(2026, 12, 1)

# --- The rules (pure) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("own", "signed", "confirmed", "expected"),
    [
        (G, True, None, True),  # their own yes
        (R, None, None, False),  # nothing said: not in frame
        (R, None, Confirmed.COVERED, True),  # the institution's consent covers them
        (N, None, Confirmed.COVERED, True),  # the extra declaration never came back
        (A, True, Confirmed.COVERED, False),  # their own no wins
        (Status.WITHDRAWN, True, Confirmed.COVERED, False),
        (Status.REVIEW, None, Confirmed.COVERED, False),  # a doubt keeps them out
        (Status.EXPIRED, None, Confirmed.COVERED, False),
        (R, None, Confirmed.NOT_COVERED, False),
        (R, None, Confirmed.REQUESTED, False),  # until the extra declaration says yes
        (G, True, Confirmed.NOT_COVERED, True),  # the extra declaration said yes
        (G, False, Confirmed.COVERED, False),  # a form without its signature is no yes
    ],
)
def test_in_frame_with_the_institutions_answer(
    own: Status, signed: bool | None, confirmed: Confirmed | None, expected: bool
) -> None:
    assert rules.in_frame({REC: own}, signed, confirmed) is expected


def test_the_institution_covers_being_in_frame_only() -> None:
    clauses = {REC: R, str(Clause.LIVESTREAM): R, str(Clause.VIEW360): G}
    allowed = rules.appear_with_institution(clauses, None, Confirmed.COVERED)
    assert allowed == {REC: True, str(Clause.LIVESTREAM): False, str(Clause.VIEW360): True}
    # Without a confirmation it is exactly may_appear_in.
    assert rules.appear_with_institution(clauses, None, None) == rules.may_appear_in(clauses, None)


def test_a_persons_own_answer_comes_before_the_groups() -> None:
    assert rules.confirmation_for(Confirmed.NOT_COVERED, Confirmed.COVERED) is (
        Confirmed.NOT_COVERED
    )
    assert rules.confirmation_for(None, Confirmed.COVERED) is Confirmed.COVERED
    assert rules.confirmation_for(None, None) is None


def test_camera_advice_with_the_institution() -> None:
    # A covered group, no one known apart: everyone consents, never the 360 camera.
    advice = rules.institution_camera_advice([], Confirmed.COVERED)
    assert (advice.level, advice.allow_360, advice.present) == (Advice.ALL, False, 0)
    for group in (None, Confirmed.NOT_COVERED, Confirmed.REQUESTED):
        assert rules.institution_camera_advice([], group).level is Advice.NONE
    # People known by name count as before; the group covers what they do not say.
    assert rules.institution_camera_advice([True, True, False], None).level is Advice.MOST
    assert rules.institution_camera_advice([True, False, False], None).level is Advice.FEW
    everyone = rules.institution_camera_advice([True, True], None)
    assert everyone.level is Advice.ALL and everyone.allow_360
    through = rules.institution_camera_advice([True, True], None, through_institution=True)
    assert through.level is Advice.ALL and not through.allow_360


def test_the_set_up_says_360_degrees_only_when_allowed() -> None:
    covered = rules.institution_camera_advice([], Confirmed.COVERED)
    assert rules.setup_words(covered) == rules.ALL_BUT_360
    everyone = rules.camera_advice(2, 2)
    assert rules.setup_words(everyone) == rules.SETUP[Advice.ALL]
    assert "360 degrees allowed" in rules.setup_words(everyone)
    assert rules.setup_words(rules.camera_advice(1, 3)) == rules.SETUP[Advice.FEW]


def test_a_confirmation_is_checked() -> None:
    today = DAY
    ok = rules.check_confirmation(Situation.PARTNER, "covered", " Mw. De Wit ", DAY, today)
    assert ok == (Confirmed.COVERED, "Mw. De Wit", DAY)
    assert rules.institution_source("Mw. De Wit", DAY) == "institution:Mw. De Wit, 2026-12-01"
    with pytest.raises(RecordError, match="situation 3"):
        rules.check_confirmation(Situation.OUTSIDE, "covered", "Mw. De Wit", DAY, today)
    with pytest.raises(RecordError, match="not an answer of the institution"):
        rules.check_confirmation(Situation.INTERNSHIP, "maybe", "Mw. De Wit", DAY, today)
    with pytest.raises(RecordError, match="empty"):
        rules.check_confirmation(Situation.INTERNSHIP, "covered", "  ", DAY, today)
    tomorrow = DAY + dt.timedelta(days=1)
    with pytest.raises(RecordError, match="between"):
        rules.check_confirmation(Situation.INTERNSHIP, "covered", "Mw. De Wit", tomorrow, today)


# --- The library, on SQLite and PostgreSQL ---------------------------------------------


@pytest.fixture
def fg(store_url: str, tmp_path: Path) -> Iterator[Formgen]:
    with Formgen.open(store_url, test_config(output_dir=tmp_path / "output")) as lib:
        yield lib


def test_a_covered_group_lets_everyone_appear_and_blank_forms_are_no_one(fg: Formgen) -> None:
    student, supervisor = people(fg)
    rec = partner_recording(fg, student)
    fg.as_user(supervisor).request(rec, contact="Mw. De Wit", count=25, save=False)
    before = fg.status(rec)
    # 25 blank forms out: no one yet, so nobody is "0 of 25 who may appear".
    assert len(before.participants) == 25 and all(p.blank_out for p in before.participants)
    assert (before.camera.level, before.camera.present) == (Advice.NONE, 0)
    today = fg.today()
    # The teacher on site confirms it (the letter's contact was someone else).
    done = fg.as_user(student).confirm_institution(
        rec, "covered", contact="Mw. Vos", on=today, by="ignored"
    )
    assert done == {
        "id": rec,
        "confirmed": "covered",
        "for": "group",
        "source": f"institution:Mw. Vos, {today.isoformat()}",
    }
    after = fg.status(rec)
    assert after.camera.level is Advice.ALL and not after.camera.allow_360
    report = after.as_dict()
    assert report["camera_advice"] == "all"
    assert report["institution"]["group"]["source"] == done["source"]
    # No form changed: the confirmation is not consent on paper.
    assert {s for p in after.participants for s in p.clauses.values()} == {Status.REQUESTED}
    # The author is the signed-in student, whatever ``by`` says; the names are sealed.
    with fg.engine.connect() as conn:
        (logged,) = [e for e in records.recording_log(conn, rec) if e["kind"] == "institution"]
    assert logged["source"] == "institution"
    assert logged["detail"]["by"] == "Sam de Vries"
    assert logged["detail"]["contact"] == "Mw. Vos"
    assert "Mw. Vos" not in store_dump(fg.engine.url.render_as_string(hide_password=False))


def test_per_person_answers_come_before_the_groups(fg: Formgen) -> None:
    student, _ = people(fg)
    rec = partner_recording(fg, student, situation=1)
    ada, bo, cas = fg.add_participants(rec, ["Ada", "Bo", "Cas"])
    me = fg.as_user(student)
    today = fg.today()
    me.confirm_institution(rec, "requested", contact="Dhr. Bakker", on=today, by="x")
    me.confirm_institution(
        rec, "covered", contact="Dhr. Bakker", on=today, by="x", participants=[ada.id]
    )
    me.confirm_institution(
        rec, "not_covered", contact="Dhr. Bakker", on=today, by="x", participants=[bo.id]
    )
    status = fg.status(rec)
    shown = {p.id: p for p in status.participants}
    assert [shown[p.id].confirmed for p in (ada, bo, cas)] == [
        Confirmed.COVERED,
        Confirmed.NOT_COVERED,
        Confirmed.REQUESTED,
    ]
    assert (status.camera.level, status.camera.consented, status.camera.present) == (
        Advice.FEW,
        1,
        3,
    )
    # The table agrees with the advice: Bo and Cas must not appear, Ada may.
    assert [p.id for p in status.must_not_appear] == [bo.id, cas.id]
    # Cas's extra declaration comes back yes: two of three.
    fg.set_consent(cas.form_id, "recording", "given", by="Sam de Vries", reason="paper")
    assert fg.status(rec).camera.level is Advice.MOST
    # Ada says no herself: her no wins over the institution's consent.
    fg.set_consent(ada.form_id, "recording", "refused", by="Sam de Vries", reason="paper")
    status = fg.status(rec)
    assert status.camera.consented == 1 and ada.id in [p.id for p in status.must_not_appear]


def test_the_latest_answer_counts_and_the_earlier_stays(fg: Formgen) -> None:
    student, _ = people(fg)
    rec = partner_recording(fg, student)
    me, today = fg.as_user(student), fg.today()
    me.confirm_institution(rec, "covered", contact="Mw. De Wit", on=today, by="x")
    me.confirm_institution(rec, "not_covered", contact="Mw. Jansen", on=today, by="x")
    status = fg.status(rec)
    assert status.camera.level is Advice.NONE
    assert [c.confirmed for c in status.institution.log] == ["covered", "not_covered"]
    assert status.institution.group is not None
    assert status.institution.group.contact == "Mw. Jansen"
    # The recording list reads the same answer (many recordings at once).
    (listed,) = me.statuses()
    assert listed.camera.level is Advice.NONE and listed.institution.group is not None


def test_refusals_change_nothing(fg: Formgen) -> None:
    student, _ = people(fg)
    other = fg.add_user("kim@example.org", name="Kim", role="student", password=None)
    rec = partner_recording(fg, student)
    outside = partner_recording(fg, student, situation=3, institution=None)
    (ada,) = fg.add_participants(rec, ["Ada"])
    url = fg.engine.url.render_as_string(hide_password=False)
    before = store_dump(url)
    me, today = fg.as_user(student), fg.today()
    attempts: list[tuple[type[FormgenError], str, dict[str, Any]]] = [
        (RecordError, outside, {}),
        (RecordError, rec, {"confirmed": "perhaps"}),
        (RecordError, rec, {"contact": " "}),
        (RecordError, rec, {"on": today + dt.timedelta(days=1)}),
        (RecordError, rec, {"participants": []}),
        (NotFound, rec, {"participants": [ada.id, "P-NOSUCH"]}),
    ]
    for error, recording, change in attempts:
        values: dict[str, Any] = {
            "confirmed": "covered",
            "contact": "Mw. De Wit",
            "on": today,
            "by": "x",
            **change,
        }
        confirmed = values.pop("confirmed")
        with pytest.raises(error):
            me.confirm_institution(recording, confirmed, **values)
    # Someone else's recording is not there for them.
    with pytest.raises(NotFound):
        fg.as_user(other).confirm_institution(rec, "covered", contact="X", on=today, by="x")
    assert store_dump(url) == before
    fg.destroy(rec, by="Officer")
    with pytest.raises(FormgenError, match="destroyed"):
        me.confirm_institution(rec, "covered", contact="Mw. De Wit", on=today, by="x")


def test_the_audit_table_and_the_export_name_the_source(fg: Formgen) -> None:
    import csv
    import io
    import json

    student, _ = people(fg)
    rec = partner_recording(fg, student)
    ada, bo = fg.add_participants(rec, ["Ada", "Bo"])
    me, today = fg.as_user(student), fg.today()
    me.confirm_institution(rec, "covered", contact="Mw. Vos", on=today, by="x")
    me.confirm_institution(
        rec, "requested", contact="Mw. Vos", on=today, by="x", participants=[bo.id]
    )
    table = list(csv.DictReader(io.StringIO(fg.consent_csv([rec]).decode("utf-8-sig"))))
    said = {row["participant"]: (row["institution"], row["institution_source"]) for row in table}
    source = f"institution:Mw. Vos, {today.isoformat()}"
    assert said == {ada.id: ("covered", source), bo.id: ("requested", source)}
    exported = json.dumps(fg.export(rec))
    assert '"kind": "institution"' in exported and "Mw. Vos" in exported


def test_a_reconsent_ends_what_the_institution_confirmed(fg: Formgen) -> None:
    """The institution confirmed consent for the recording as it was: a new purpose asks
    everyone again, so its earlier answer no longer counts."""
    student, _ = people(fg)
    rec = partner_recording(fg, student, purpose="reflection")
    fg.add_participants(rec, ["Ada"])
    me, today = fg.as_user(student), fg.today()
    me.confirm_institution(rec, "covered", contact="Mw. Vos", on=today, by="x")
    assert fg.status(rec).camera.level is Advice.ALL
    fg.change_recording(rec, by="Sam de Vries", purpose="assessment", save=False)
    for status in (fg.status(rec), me.statuses()[0]):
        assert status.institution.group is None
        assert status.camera.level is Advice.NONE
    me.confirm_institution(rec, "covered", contact="Mw. Vos", on=today, by="x")
    assert fg.status(rec).camera.level is Advice.ALL
    assert [p.confirmed for p in fg.status(rec).participants] == [Confirmed.COVERED]
