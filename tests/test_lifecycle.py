"""Withdrawal, expiry and what is due (first parts of the record lifecycle)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import Run


def test_withdrawal_puts_the_person_out_of_frame(
    js: Callable[..., Any], run: Run, rec: str
) -> None:
    person = js("participant", "add", rec, "--name", "Ann")
    run("consent", "set", person["form_id"], "recording", "given", "--by", "S", "--reason", "r")
    assert js("status", rec)["camera_advice"] == "all"
    done = js("withdraw", person["form_id"], "--by", "Sam", "--reason", "email")
    assert done["withdrawn"] == ["recording"]
    status = js("status", rec)
    assert status["participants"][0]["clauses"] == {"recording": "withdrawn"}
    assert [p["id"] for p in status["must_not_appear"]] == [person["id"]]
    assert status["withdrawn"][0]["clauses"] == ["recording"]
    assert "destroy" in status["withdrawn"][0]["action"]
    again = run("withdraw", person["form_id"], "--by", "Sam", ok=False)
    assert "no given consent" in again.stderr
    back = run(
        "consent",
        "set",
        person["form_id"],
        "recording",
        "given",
        "--by",
        "S",
        "--reason",
        "r",
        ok=False,
    )
    assert "cannot go from withdrawn" in back.stderr


def test_withdrawing_refusals_and_unknown_forms(js: Callable[..., Any], run: Run, rec: str) -> None:
    person = js("participant", "add", rec, "--name", "Ann")
    assert "no given consent" in run("withdraw", person["form_id"], "--by", "x", ok=False).stderr
    assert "no form" in run("withdraw", "0000-0000-0", "--by", "x", ok=False).stderr
    assert (
        "no clause"
        in run("withdraw", person["form_id"], "--clause", "360", "--by", "x", ok=False).stderr
    )


def test_due_and_expired(js: Callable[..., Any], run: Run, rec: str) -> None:
    person = js("participant", "add", rec, "--name", "Ann")
    run("consent", "set", person["form_id"], "recording", "given", "--by", "S", "--reason", "r")
    assert js("due", "--on", "2030-12-28")["recordings"] == []
    soon = js("due", "--on", "2030-12-20", "--within", "14")["recordings"]
    assert [(r["id"], r["overdue"]) for r in soon] == [(rec, False)]
    assert [r["overdue"] for r in js("due", "--on", "2030-12-29")["recordings"]] == [True]
    status = js("status", rec)  # today is before delete_by 2030-12-29
    from formgen.record import consent_status
    from formgen.record.store import open_store

    engine = open_store()
    later = consent_status.status(
        engine, rec, today=__import__("datetime").date(2030, 12, 30)
    ).as_dict()
    engine.dispose()
    assert later["participants"][0]["clauses"] == {"recording": "expired"}
    assert later["camera_advice"] == "none"
    assert status["delete_by"] == "2030-12-29"
