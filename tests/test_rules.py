"""The procedure's rules, each at its boundaries."""

from __future__ import annotations

import datetime as dt

import pytest

from formgen import rules
from formgen.rules import (
    Advice,
    Clause,
    Mark,
    Media,
    Period,
    Plan,
    Purpose,
    Situation,
    Status,
    camera_advice,
    decide_pair,
    delete_by,
)

D = dt.date


@pytest.mark.parametrize(
    ("recorded", "purpose", "expected"),
    [
        (D(2026, 12, 1), Purpose.REFLECTION, D(2026, 12, 29)),
        (D(2026, 12, 20), Purpose.REFLECTION, D(2027, 1, 17)),  # over the year's end
        (D(2028, 2, 10), Purpose.REFLECTION, D(2028, 3, 9)),  # leap February
        (D(2027, 2, 10), Purpose.REFLECTION, D(2027, 3, 10)),
        (D(2026, 12, 1), Purpose.ASSESSMENT, D(2027, 12, 1)),
        (D(2028, 2, 29), Purpose.ASSESSMENT, D(2029, 2, 28)),  # leap day: never later
        (D(2026, 12, 31), Purpose.ASSESSMENT, D(2027, 12, 31)),
        (D(2026, 12, 1), Purpose.FINAL_LEVEL, D(2033, 12, 1)),
        (D(2028, 2, 29), Purpose.FINAL_LEVEL, D(2035, 2, 28)),
        (D(2024, 2, 29), Purpose.FINAL_LEVEL, D(2031, 2, 28)),
    ],
)
def test_retention_gives_a_concrete_date(recorded: D, purpose: Purpose, expected: D) -> None:
    assert delete_by(recorded, purpose) == expected


def test_month_ends_clamp_to_the_shorter_month() -> None:
    assert rules.add_months(D(2027, 1, 31), 1) == D(2027, 2, 28)
    assert rules.add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert rules.add_months(D(2027, 8, 31), 1) == D(2027, 9, 30)
    assert rules.add_months(D(2027, 11, 30), 3) == D(2028, 2, 29)


def test_retention_table_can_be_configured() -> None:
    table = {**rules.DEFAULT_RETENTION, Purpose.REFLECTION: Period.parse("6 weeks")}
    assert delete_by(D(2026, 1, 1), Purpose.REFLECTION, table) == D(2026, 2, 12)
    assert Period.parse("7y") == Period(7, "years")
    with pytest.raises(ValueError):
        Period.parse("forever")


@pytest.mark.parametrize(
    ("consented", "present", "level", "allow_360"),
    [
        (0, 0, Advice.NONE, False),  # nobody known: nobody known to consent
        (0, 1, Advice.NONE, False),
        (1, 1, Advice.ALL, True),
        (30, 30, Advice.ALL, True),
        (29, 30, Advice.MOST, False),  # one missing already forbids 360
        (16, 30, Advice.MOST, False),
        (15, 30, Advice.FEW, False),  # exactly half is not "het merendeel"
        (2, 4, Advice.FEW, False),
        (3, 4, Advice.MOST, False),
        (1, 30, Advice.FEW, False),
        (0, 30, Advice.NONE, False),
    ],
)
def test_camera_advice_boundaries(
    consented: int, present: int, level: Advice, allow_360: bool
) -> None:
    advice = camera_advice(consented, present)
    assert advice.level is level
    assert advice.allow_360 is allow_360


def test_camera_advice_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        camera_advice(3, 2)


def test_situations() -> None:
    assert rules.consent_collector(Situation.PARTNER) == "institution"
    assert rules.consent_collector(Situation.INTERNSHIP) == "institution"
    assert rules.consent_collector(Situation.OUTSIDE) == "student"
    assert rules.may_request_from_institution(Situation.INTERNSHIP)
    assert not rules.may_request_from_institution(Situation.OUTSIDE)
    assert rules.reminder_required(Situation.OUTSIDE)
    assert not rules.reminder_required(Situation.PARTNER)


@pytest.mark.parametrize(
    ("plan", "clauses"),
    [
        (Plan(Purpose.REFLECTION), [Clause.RECORDING]),
        (Plan(Purpose.REFLECTION, livestream=True), [Clause.RECORDING, Clause.LIVESTREAM]),
        (
            Plan(Purpose.ASSESSMENT, livestream=True, livestream_stored=True, view360=True),
            [Clause.RECORDING, Clause.LIVESTREAM, Clause.VIEW360],
        ),
        (Plan(Purpose.FINAL_LEVEL, view360=True), [Clause.RECORDING, Clause.VIEW360]),
    ],
)
def test_clauses_follow_the_plan(plan: Plan, clauses: list[Clause]) -> None:
    assert rules.clauses_for(plan) == clauses


def test_impossible_plans_are_refused() -> None:
    with pytest.raises(ValueError, match="live-streamed"):
        Plan(Purpose.REFLECTION, livestream_stored=True)
    with pytest.raises(ValueError, match="360"):
        Plan(Purpose.REFLECTION, media=Media.AUDIO, view360=True)


E, M, U = Mark.EMPTY, Mark.MARKED, Mark.UNSURE


@pytest.mark.parametrize(
    ("yes", "no", "signed", "status"),
    [
        (M, E, True, Status.GIVEN),
        (E, M, True, Status.REFUSED),
        (E, E, True, Status.NO_ANSWER),
        (M, M, True, Status.REVIEW),
        (U, E, True, Status.REVIEW),
        (E, U, True, Status.REVIEW),
        (M, E, False, Status.REVIEW),  # unsigned: never consent
        (M, E, None, Status.REVIEW),  # signature unclear
        (E, M, False, Status.REVIEW),
        (E, E, False, Status.REVIEW),
    ],
)
def test_mark_decision_rule(yes: Mark, no: Mark, signed: bool | None, status: Status) -> None:
    decision = decide_pair(yes, no, signed)
    assert decision.status is status
    assert (decision.reason is None) == (status is not Status.REVIEW)


def test_only_a_lone_yes_on_a_signed_form_gives_consent() -> None:
    for yes in Mark:
        for no in Mark:
            for signed in (True, False, None):
                given = decide_pair(yes, no, signed).status is Status.GIVEN
                assert given == (yes is M and no is E and signed is True)


def test_classify_mark_has_an_uncertain_band() -> None:
    t = rules.Thresholds()
    assert rules.classify_mark(0.0) is E
    assert rules.classify_mark(t.empty - 1e-6) is E
    assert rules.classify_mark((t.empty + t.marked) / 2) is U
    assert rules.classify_mark(t.marked + 1e-6) is M


def test_lifecycle_transitions() -> None:
    assert rules.transition(Status.REQUESTED, Status.GIVEN) is Status.GIVEN
    assert rules.transition(Status.GIVEN, Status.WITHDRAWN) is Status.WITHDRAWN
    assert rules.transition(Status.REVIEW, Status.REFUSED) is Status.REFUSED
    for final in rules.FINAL:
        for target in Status:
            with pytest.raises(rules.TransitionError):
                rules.transition(final, target)
    with pytest.raises(rules.TransitionError):
        rules.transition(Status.REFUSED, Status.WITHDRAWN)  # nothing to withdraw
    with pytest.raises(rules.TransitionError):
        rules.transition(Status.REQUESTED, Status.WITHDRAWN)
    # An unclear withdrawal form: review, then a person records the withdrawal.
    assert rules.transition(Status.REVIEW, Status.WITHDRAWN) is Status.WITHDRAWN
    for start in (Status.REQUESTED, *rules.DECIDED):
        assert rules.transition(start, Status.INVALIDATED) is Status.INVALIDATED
        assert rules.transition(start, Status.EXPIRED) is Status.EXPIRED


@pytest.mark.parametrize(
    ("read", "current", "expected"),
    [
        (Status.GIVEN, Status.GIVEN, Status.WITHDRAWN),  # "yes, I withdraw"
        (Status.REFUSED, Status.GIVEN, None),  # "no": keeps the consent
        (Status.NO_ANSWER, Status.GIVEN, None),
        (Status.REVIEW, Status.GIVEN, Status.REVIEW),  # doubt ends counting consent
        (Status.GIVEN, Status.REFUSED, None),  # nothing to withdraw
        (Status.GIVEN, Status.REQUESTED, None),
        (Status.REVIEW, Status.REQUESTED, None),
        (Status.GIVEN, None, None),
    ],
)
def test_withdrawal_form_decisions(
    read: Status, current: Status | None, expected: Status | None
) -> None:
    outcome = rules.decide_withdrawal(rules.Decision(read, "why"), current)
    assert (outcome.status if outcome else None) is expected


def test_reconsent_needed_for_new_purpose_or_longer_retention() -> None:
    day, later = dt.date(2031, 1, 1), dt.date(2031, 6, 1)
    r, a = Purpose.REFLECTION, Purpose.ASSESSMENT
    assert "purpose changed from reflection to assessment" in str(
        rules.reconsent_reason(r, day, a, later)
    )
    assert "purpose changed" in str(rules.reconsent_reason(a, later, r, day))  # even shorter
    assert "retention extended" in str(rules.reconsent_reason(r, day, r, later))
    assert rules.reconsent_reason(r, later, r, day) is None  # keeping less needs no consent
    assert rules.reconsent_reason(r, day, r, day) is None


def test_who_may_appear() -> None:
    given = {"recording": Status.GIVEN, "livestream": Status.GIVEN}
    assert rules.may_appear(given, True)
    assert not rules.may_appear(given, False)
    assert not rules.may_appear({"recording": Status.GIVEN, "livestream": Status.REFUSED}, True)
    assert not rules.may_appear({}, True)
    assert rules.blocking_clauses({"recording": Status.NO_ANSWER}, False) == [
        "not signed",
        "recording: no_answer",
    ]


@pytest.mark.parametrize("name", ["'t Hooft", "Çelik", "<b>bold</b>", "Anne-Marie O'Neil & co"])
def test_names_are_kept_as_typed(name: str) -> None:
    assert rules.check_name(name) == name


@pytest.mark.parametrize("name", ["", "   ", "a\x00b", "line\nbreak", "x" * 121, "bell\x07"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        rules.check_name(name)
