"""A pasted class list and the small rules for correcting mistakes, as pure functions."""

from __future__ import annotations

import datetime as dt

import pytest

from formgen import rules
from formgen.rules import ListedPerson, Plan, Purpose, Status, parse_class_list

DAY = dt.date(2031, 3, 15)


def test_a_spreadsheet_with_a_header_and_row_numbers() -> None:
    pasted = "Nr\tNaam\tOnder 16\n1\tPiet Jansen\tja\n2\tAnna de Wit\tnee\n3\tKees\t\n"
    found = parse_class_list(pasted, DAY)
    assert found.errors == []
    assert found.people == [
        ListedPerson(2, "Piet Jansen", True),
        ListedPerson(3, "Anna de Wit", False),
        ListedPerson(4, "Kees", None),
    ]


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_semicolons_commas_and_tabs(separator: str) -> None:
    found = parse_class_list(f"Naam{separator}16-\nAnn{separator}yes\nBob{separator}no", DAY)
    assert [(p.name, p.under_16) for p in found.people] == [("Ann", True), ("Bob", False)]


def test_a_comma_inside_a_name_stays_in_the_name() -> None:
    found = parse_class_list("Jansen, Piet\nWit, Anna, ja", DAY)
    assert [(p.name, p.under_16) for p in found.people] == [
        ("Jansen, Piet", None),
        ("Wit, Anna", True),
    ]


def test_numbered_lines() -> None:
    found = parse_class_list("1. Ann\n2) Bob\n 10 Cas\n", DAY)
    assert [p.name for p in found.people] == ["Ann", "Bob", "Cas"]


def test_a_birth_date_gives_the_age_on_the_recording_date() -> None:
    found = parse_class_list("Ann;15-03-2015\nBob;16-03-2015\nCas;2015-03-15\nDaan;14/03/2016", DAY)
    # Ann turns 16 on the day itself; Bob a day later.
    assert [(p.name, p.under_16) for p in found.people] == [
        ("Ann", False),
        ("Bob", True),
        ("Cas", False),
        ("Daan", True),
    ]
    assert rules.age_on(dt.date(2015, 3, 16), DAY) == 15


def test_wrong_lines_are_named_and_the_rest_is_kept() -> None:
    pasted = "Ann;ja\nBob;misschien\n\nCas;01-01-2040\nDaan;ja;x\nEva\x07\nFien"
    found = parse_class_list(pasted, DAY)
    assert [p.name for p in found.people] == ["Ann", "Fien"]
    lines = dict(found.errors)
    assert set(lines) == {2, 4, 5, 6}
    assert "'misschien' is not ja/nee" in lines[2]
    assert "after the recording date" in lines[4]
    assert "more than two columns" in lines[5]
    assert "control characters" in lines[6]


def test_duplicate_names_are_a_warning() -> None:
    found = parse_class_list("Ann\nBob\nann \nAnn\n", DAY)
    assert len(found.people) == 4 and found.errors == []
    assert found.duplicates == ["Ann"]


def test_a_first_line_that_is_a_name_is_not_a_header() -> None:
    assert [p.name for p in parse_class_list("Ann\nBob", DAY).people] == ["Ann", "Bob"]


def test_removable_outright_only_while_nothing_came_back() -> None:
    requested = [Status.REQUESTED, Status.REQUESTED]
    assert rules.removable_outright(requested, scanned=False, online=False)
    assert not rules.removable_outright(requested, scanned=True, online=False)
    assert not rules.removable_outright(requested, scanned=False, online=True)
    assert not rules.removable_outright([*requested, Status.REVIEW], scanned=False, online=False)


def test_what_an_edit_needs_new_consent_for() -> None:
    plan, until = Plan(Purpose.REFLECTION), dt.date(2031, 4, 12)
    streamed = Plan(Purpose.REFLECTION, livestream=True)
    stored = Plan(Purpose.REFLECTION, livestream=True, livestream_stored=True)
    same = rules.edit_reconsent_reason
    assert same(DAY, plan, until, DAY, plan, until) is None
    assert "date changed" in (same(DAY, plan, until, DAY + dt.timedelta(1), plan, until) or "")
    assert same(DAY, plan, until, DAY, streamed, until) == (
        "live streaming added: new consent needed"
    )
    assert "now stored" in (same(DAY, streamed, until, DAY, stored, until) or "")
    assert same(DAY, stored, until, DAY, plan, until) is None  # streaming less


def test_only_a_reviewers_last_decision_can_be_undone() -> None:
    undoable = rules.undoable_review
    resolved = rules.REVIEW_RESOLVED
    assert undoable([(Status.REVIEW, "unclear"), (Status.GIVEN, resolved)])
    assert not undoable([(Status.REVIEW, "unclear"), (Status.GIVEN, "paper")])
    assert not undoable([(Status.REVIEW, "unclear"), (Status.WITHDRAWN, resolved)])
    assert not undoable([(Status.REVIEW, "unclear")])


def test_step_three_and_destruction_before_the_recording_date() -> None:
    assert rules.too_early("footage_checked", DAY, DAY - dt.timedelta(1))
    assert not rules.too_early("footage_checked", DAY, DAY)
    assert not rules.too_early("transport", DAY, DAY - dt.timedelta(1))
    assert rules.destroy_needs_second_ask(DAY, DAY - dt.timedelta(1))
    assert not rules.destroy_needs_second_ask(DAY, DAY)
