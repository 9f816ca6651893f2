"""Withdrawal as easy as giving: the reminder letter with its one-page withdrawal form
(same form ID), printed, marked, scanned and read back into the record."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .conftest import RECORDING, Run
from .helpers.rendering import rasterise, text_of
from .helpers.scans import Fill, degrade, fill_page, save_png
from .helpers.timetravel import backdate, days_from_today


def given(run: Run, form_id: str, clause: str = "recording") -> None:
    run("consent", "set", form_id, clause, "given", "--by", "S", "--reason", "paper")


@pytest.fixture
def consented(js: Callable[..., Any], run: Run) -> dict[str, Any]:
    """A live-streamed situation-3 recording: Ann gave both consents, Dex (under 16,
    English) gave the recording only, Bob refused. Recorded five days ago (reminders
    follow the recording), kept for a year."""
    args = list(RECORDING)
    args[args.index("--date") + 1] = days_from_today(1).isoformat()
    args[args.index("--purpose") + 1] = "assessment"
    rec = js(*args, "--livestream")["id"]
    ann = js("participant", "add", rec, "--name", "Ann")
    bob = js("participant", "add", rec, "--name", "Bob")
    dex = js("participant", "add", rec, "--name", "Dex", "--under-16", "--lang", "en")
    given(run, ann["form_id"])
    given(run, ann["form_id"], "livestream")
    given(run, dex["form_id"])
    run("consent", "set", bob["form_id"], "recording", "refused", "--by", "S", "--reason", "p")
    js("forms", rec)  # the declarations, printed before the recording
    backdate(rec, 6)  # consent asked the day before; recorded five days ago
    return {"rec": rec, "ann": ann, "bob": bob, "dex": dex}


def test_reminders_go_to_who_consented(js: Callable[..., Any], consented: dict[str, Any]) -> None:
    written = js("remind", consented["rec"], "--by", "Sam")
    forms = [f["form_id"] for f in written["forms"]]
    assert forms == [consented["ann"]["form_id"], consented["dex"]["form_id"]]
    pdf = Path(written["pdf"])
    assert oct(pdf.stat().st_mode & 0o777) == "0o600"
    assert consented["rec"] in pdf.name and "Ann" not in pdf.name
    pages = text_of(pdf.read_bytes())
    assert len(pages) == 4  # a letter and a withdrawal form each
    ann_letter, ann_form, dex_letter, dex_form = pages
    assert "altijd intrekken" in ann_letter and consented["ann"]["form_id"] in ann_letter
    assert "gegevensbescherming-foo@hva.nl" in ann_letter
    assert "Toestemming intrekken" in ann_form and "livestream" in ann_form
    assert "withdraw" in dex_letter and "parent or guardian" in dex_letter
    assert "Withdraw consent" in dex_form and "of my child" in dex_form
    layout = js("layout", consented["dex"]["form_id"])
    assert [(p["page"], p["kind"]) for p in layout["pages"]] == [
        (1, "declaration"),
        (2, "declaration"),
        (3, "declaration"),
        (9, "withdrawal"),
    ]


def test_remind_refusals(js: Callable[..., Any], run: Run, rec: str) -> None:
    js("participant", "add", rec, "--name", "Ann")
    nobody = run("remind", rec, "--by", "Sam", ok=False)
    assert nobody.exit_code == 1 and "nobody has given consent" in nobody.stderr
    other = js(
        "recording", "create", "--title", "T", "--student", "S", "--supervisor", "V",
        "--situation", "1", "--institution", "School", "--purpose", "reflection",
        "--date", "2030-12-01",
    )["id"]  # fmt: skip
    institution = run("remind", other, "--by", "Sam", ok=False)
    assert institution.exit_code == 1 and "situation 1" in institution.stderr
    assert institution.stderr.count("\n") == 1


def withdrawal_sheet(
    js: Callable[..., Any], form_id: str, tmp_path: Path
) -> tuple[np.ndarray, dict[str, Any]]:
    """The stand-alone withdrawal form of a declaration, rasterised at 300 dpi."""
    written = js("withdrawal-form", form_id, "--out", str(tmp_path / f"{form_id}.pdf"))
    page = rasterise(Path(written["pdf"]).read_bytes(), 300)
    assert len(page) == 1
    sheet = next(p for p in js("layout", form_id)["pages"] if p["kind"] == "withdrawal")
    return page[0], sheet


def scan_back(run: Run, path: Path) -> dict[str, Any]:
    return json.loads(run("scan", "import", str(path), "--json", ok=False).stdout)["pages"][0]


def test_withdrawal_form_round_trip(
    js: Callable[..., Any], run: Run, consented: dict[str, Any], tmp_path: Path
) -> None:
    rng = np.random.default_rng(5)
    rec, ann = consented["rec"], consented["ann"]
    # The declaration was printed earlier (before the recording); its layout must
    # survive the new sheet.
    page, sheet = withdrawal_sheet(js, ann["form_id"], tmp_path)
    assert [p["page"] for p in js("layout", ann["form_id"])["pages"]] == [1, 2, 3, 9]
    filled = fill_page(page, sheet, Fill({"livestream": ["yes"], "recording": ["no"]}), rng)
    scanned = save_png(tmp_path / "w.png", degrade(filled, "flatbed-200-gray", rng))
    report = scan_back(run, scanned)
    assert report["status"] == "ok" and report["form_id"] == ann["form_id"]
    assert report["decisions"] == {"livestream": "withdrawn"}
    status = js("status", rec)
    clauses = {p["id"]: p["clauses"] for p in status["participants"]}
    assert clauses[ann["id"]] == {"recording": "given", "livestream": "withdrawn"}
    # The sheet's signature is the withdrawal's, not a new state of the declaration's.
    assert status["participants"][0]["signed"] is None
    assert ann["id"] in {p["id"] for p in status["must_not_appear"]}
    assert status["withdrawn"][0]["clauses"] == ["livestream"]
    last = js("consent", "history", ann["form_id"])["events"][-1]
    assert last["source"].startswith("scan:") and last["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("fill", "reason"),
    [
        (Fill({"recording": ["yes", "no"]}), "both yes and no"),
        (Fill({"recording": ["yes"]}, signed=False), "not signed"),
    ],
)
def test_unclear_withdrawal_goes_to_review_never_keeps_consent(
    js: Callable[..., Any],
    run: Run,
    consented: dict[str, Any],
    tmp_path: Path,
    fill: Fill,
    reason: str,
) -> None:
    rng = np.random.default_rng(11)
    dex = consented["dex"]
    page, sheet = withdrawal_sheet(js, dex["form_id"], tmp_path)
    filled = fill_page(page, sheet, fill, rng)
    report = scan_back(run, save_png(tmp_path / "w.png", degrade(filled, "flatbed-rot5", rng)))
    assert report["status"] == "review" and reason in report["reason"]
    # Consent that may have been withdrawn does not count until someone looked.
    status = js("status", consented["rec"])
    assert dex["id"] in {p["id"] for p in status["must_not_appear"]}
    item = f"{dex['form_id']}:recording"
    assert item in {i["item"] for i in js("review", "list")["items"]}
    done = js("review", "resolve", item, "withdrawn", "--by", "Sup")
    assert done["status"] == "withdrawn"
    assert js("status", consented["rec"])["participants"][2]["clauses"]["recording"] == "withdrawn"


def test_withdrawal_form_changes_nothing_that_was_not_given(
    js: Callable[..., Any], run: Run, consented: dict[str, Any], tmp_path: Path
) -> None:
    rng = np.random.default_rng(3)
    bob = consented["bob"]
    page, sheet = withdrawal_sheet(js, bob["form_id"], tmp_path)
    filled = fill_page(page, sheet, Fill({"recording": ["yes"], "livestream": ["yes"]}), rng)
    report = scan_back(run, save_png(tmp_path / "w.png", filled))
    assert report["status"] == "ok" and report.get("decisions", {}) == {}
    assert "changes nothing" in report["reason"]
    bob_now = js("status", consented["rec"])["participants"][1]
    assert bob_now["clauses"] == {"recording": "refused", "livestream": "requested"}
    # A reviewer cannot turn a refusal into a withdrawal either.
    refused = run(
        "review", "resolve", f"{bob['form_id']}:recording", "withdrawn", "--by", "S", ok=False
    )
    assert refused.exit_code == 1 and "not waiting for review" in refused.stderr


def test_withdrawal_form_for_unknown_form(run: Run) -> None:
    result = run("withdrawal-form", "7KQ2-M9XD-4", ok=False)
    assert result.exit_code == 1 and result.stderr.startswith("formgen: ")
