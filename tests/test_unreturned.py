"""Forms that never come back: after the return date the student closes them as "not
returned: no consent" (no_answer, never given) and discards an institution's unused
blank forms, so the recording settles and its description can be made."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from formgen import rules
from formgen.rules import Status

from .conftest import RECORDING, Run, store_dump
from .helpers import test_config

pytestmark = pytest.mark.usefixtures("db_url")

Js = Callable[..., Any]
RETURN_DATE = "2030-12-01"  # RECORDING's date: forms made before it are due back by then
DAY_BEFORE = "2030-11-30"


def test_rule_closes_only_a_fully_requested_form_after_its_return_date() -> None:
    day = dt.date(2030, 12, 1)
    asked = {"recording": Status.REQUESTED, "livestream": Status.REQUESTED}
    assert rules.unreturned_clauses(asked, day, day) == ["recording", "livestream"]
    with pytest.raises(ValueError, match="due back before 2030-12-01"):
        rules.unreturned_clauses(asked, day, day - dt.timedelta(days=1))
    for came_back in (Status.GIVEN, Status.REVIEW, Status.REFUSED, Status.NO_ANSWER):
        with pytest.raises(ValueError, match="came back"):
            rules.unreturned_clauses({**asked, "livestream": came_back}, day, day)
    with pytest.raises(ValueError):
        rules.unreturned_clauses({}, day, day)


def test_one_person_not_returned_is_no_answer_with_its_own_source(js: Js, run: Run) -> None:
    rec = js(*RECORDING)["id"]
    ann = js("participant", "add", rec, "--name", "Ann")
    bob = js("participant", "add", rec, "--name", "Bob")

    before = store_dump()
    early = run("not-returned", rec, ann["id"], "--by", "Sam", "--on", DAY_BEFORE, ok=False)
    assert early.exit_code != 0 and "due back before 2030-12-01" in early.stderr
    assert "Traceback" not in early.stderr and len(early.stderr.strip().splitlines()) == 1
    assert store_dump() == before

    done = js("not-returned", rec, ann["id"], "--by", "Sam", "--on", RETURN_DATE)
    assert done == {"id": rec, "closed": [ann["form_id"]], "discarded": []}
    events = js("consent", "history", ann["form_id"])["events"]
    last = events[-1]
    assert (last["status"], last["source"], last["reason"]) == (
        "no_answer",
        "not_returned:Sam",
        "not returned: no consent",
    )
    people = {p["id"]: p for p in js("status", rec)["participants"]}
    assert set(people[ann["id"]]["clauses"].values()) == {"no_answer"}
    assert set(people[bob["id"]]["clauses"].values()) == {"requested"}  # untouched

    # Closed once is closed: marking again is refused, and so is a form that came back.
    again = run("not-returned", rec, ann["id"], "--by", "Sam", "--on", RETURN_DATE, ok=False)
    assert again.exit_code != 0 and "came back" in again.stderr
    run("consent", "set", bob["form_id"], "recording", "given", "--by", "S", "--reason", "p")
    back = run("not-returned", rec, bob["id"], "--by", "Sam", "--on", RETURN_DATE, ok=False)
    assert back.exit_code != 0 and "came back" in back.stderr
    unknown = run("not-returned", rec, "P-nobody", "--by", "Sam", "--on", RETURN_DATE, ok=False)
    assert unknown.exit_code != 0 and "no participant" in unknown.stderr


def test_all_at_once_discards_blank_forms_and_the_description_works(
    js: Js, run: Run, tmp_path: Any
) -> None:
    args = list(RECORDING)
    args[args.index("--situation") + 1] = "2"
    rec = js(*args, "--institution", "De Regenboog")["id"]
    ann = js("participant", "add", rec, "--name", "Ann")
    cem = js("participant", "add", rec, "--name", "Cem")
    run("consent", "set", cem["form_id"], "recording", "given", "--by", "S", "--reason", "p")
    letter = js(
        "request", rec, "--contact", "Mw. Bakker", "--count", "3", "--out", str(tmp_path / "r.pdf")
    )
    blanks = [f["form_id"] for f in letter["forms"]]
    assert len(js("status", rec)["participants"]) == 5
    refused = run("describe", rec, ok=False)
    assert refused.exit_code != 0 and "not settled" in refused.stderr

    assert run("not-returned", rec, "--by", "Sam", ok=False).exit_code != 0  # before the date
    done = js("not-returned", rec, "--all", "--by", "Sam", "--on", RETURN_DATE)
    assert done["closed"] == [ann["form_id"]]
    assert sorted(done["discarded"]) == sorted(blanks)

    status = js("status", rec)
    assert [p["name"] for p in status["participants"]] == ["Ann", "Cem"]  # blanks are no one
    assert not any(
        s == "given"
        for p in status["participants"]
        for s in p["clauses"].values()
        if p["name"] == "Ann"
    )
    for form_id in blanks:
        last = js("consent", "history", form_id)["events"][-1]
        assert (last["status"], last["clause"], last["source"]) == (
            "discarded",
            None,
            "not_returned:Sam",
        )
    description = js("describe", rec)
    assert description["id"] == rec and description["text"]

    nothing = run("not-returned", rec, "--all", "--by", "Sam", "--on", RETURN_DATE, ok=False)
    assert nothing.exit_code != 0 and "no form to close" in nothing.stderr

    # A discarded form that comes back after all counts again, and never as consent by
    # itself: here a person decides on it.
    run("consent", "set", blanks[0], "recording", "refused", "--by", "S", "--reason", "late")
    assert len(js("status", rec)["participants"]) == 3


def test_names_or_all_not_both(js: Js, run: Run) -> None:
    rec = js(*RECORDING)["id"]
    ann = js("participant", "add", rec, "--name", "Ann")
    assert run("not-returned", rec, "--by", "S", ok=False).exit_code == 2
    both = run("not-returned", rec, ann["id"], "--all", "--by", "S", ok=False)
    assert both.exit_code == 2


def test_closing_at_once_closes_each_form_once(db_url: str, tmp_path: Any) -> None:
    from formgen import Formgen
    from formgen.errors import Conflict

    from .helpers.parallel import at_once

    with Formgen.open(db=db_url, config=test_config(output_dir=tmp_path / "o")) as fg:
        rec = fg.create_recording(
            title="Les", student="S", supervisor="V", situation=3, purpose="reflection",
            date=dt.date(2030, 12, 1),
        ).id  # fmt: skip
        people = fg.add_participants(rec, ["Ann", "Bob", "Cem"])
        day = dt.date(2030, 12, 1)
        outcomes = at_once(
            [lambda: fg.close_unreturned(rec, by="Sam", today=day) for _ in range(4)]
        )
        done = [o for o in outcomes if isinstance(o, dict)]
        assert len(done) == 1, outcomes
        assert all(isinstance(o, Conflict) for o in outcomes if not isinstance(o, dict))
        for person in people:
            events = fg.history(person.form_id)["events"]
            assert [e["status"] for e in events].count("no_answer") == 1
