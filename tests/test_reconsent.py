"""Procedure steps 6 and 7: re-consent when the purpose changes or retention is extended, and
destruction that leaves only the proof of consent."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formgen.api import Formgen
from formgen.record.store import open_store

from .conftest import Run, store_dump
from .helpers import write_toml
from .helpers.rendering import rasterise
from .helpers.scans import Fill, fill_page, save_png

pytestmark = pytest.mark.usefixtures("db_url")  # on SQLite and on PostgreSQL


def given(run: Run, form_id: str, clause: str = "recording") -> None:
    run("consent", "set", form_id, clause, "given", "--by", "S", "--reason", "paper")


def test_purpose_change_invalidates_and_asks_again(
    js: Callable[..., Any], run: Run, rec: str
) -> None:
    ann = js("participant", "add", rec, "--name", "Ann")
    bob = js("participant", "add", rec, "--name", "Bob")
    cas = js("participant", "add", rec, "--name", "Cas")
    given(run, ann["form_id"])
    run("consent", "set", bob["form_id"], "recording", "refused", "--by", "S", "--reason", "p")
    given(run, cas["form_id"])
    run("withdraw", cas["form_id"], "--by", "S")
    assert js("status", rec)["delete_by"] == "2030-12-29"

    change = js("recording", "change", rec, "--purpose", "assessment", "--by", "Dr. Jansen")
    assert change["before"] == {"purpose": "reflection", "delete_by": "2030-12-29"}
    assert change["after"] == {"purpose": "assessment", "delete_by": "2031-12-01"}
    assert "purpose changed from reflection to assessment" in change["reason"]
    # Ann's consent and Bob's refusal end; Cas had withdrawn everything and is not asked.
    assert set(change["invalidated"]) == {ann["form_id"], bob["form_id"]}
    issued = {i["participant_id"]: i for i in change["issued"]}
    assert set(issued) == {ann["id"], bob["id"]}
    assert all(i["round"] == 2 for i in issued.values())
    new_ids = {i["form_id"] for i in issued.values()}
    assert not new_ids & {ann["form_id"], bob["form_id"]}
    assert Path(change["pdf"]).is_file()

    status = js("status", rec)
    assert status["purpose"] == "assessment"
    people = {p["id"]: p for p in status["participants"]}
    assert people[ann["id"]]["form_id"] == issued[ann["id"]]["form_id"]
    assert people[ann["id"]]["clauses"] == {"recording": "requested"}
    assert people[cas["id"]]["clauses"] == {"recording": "withdrawn"}
    assert status["camera_advice"] == "none"  # old consent never counts for the new purpose

    # The old form's history is kept, ending in invalidated with the reason.
    history = js("consent", "history", ann["form_id"])["events"]
    assert [e["status"] for e in history] == ["requested", "given", "invalidated"]
    assert "purpose changed" in history[-1]["reason"]
    # Nothing brings the old consent back; the new form takes new consent.
    back = run(
        "consent", "set", ann["form_id"], "recording", "given", "--by", "S", "--reason", "r",
        ok=False,
    )  # fmt: skip
    assert back.exit_code == 1 and "invalidated" in back.stderr
    given(run, issued[ann["id"]]["form_id"])
    assert js("status", rec)["camera"]["consented"] == 1


def test_extending_retention_needs_new_consent(js: Callable[..., Any], run: Run, rec: str) -> None:
    ann = js("participant", "add", rec, "--name", "Ann")
    given(run, ann["form_id"])
    assert js("status", rec)["camera_advice"] == "all"
    # An extension stays within the purpose's retention: beyond 4 weeks only once the
    # faculty keeps reflection recordings longer.
    refused = run("recording", "change", rec, "--extend-to", "2031-03-01", "--by", "V", ok=False)
    assert "is later than 2030-12-29: a recording for reflection is kept at most 4 weeks" in (
        refused.stderr
    )
    assert js("status", rec)["delete_by"] == "2030-12-29"
    write_toml(Path("."), '[retention]\nreflection = "16 weeks"\n')
    change = js("recording", "change", rec, "--extend-to", "2031-03-01", "--by", "V")
    assert "retention extended from 2030-12-29 to 2031-03-01" in change["reason"]
    status = js("status", rec)
    assert status["delete_by"] == "2031-03-01"
    # Extended, but without new consent nobody may appear any more.
    assert status["camera_advice"] == "none"
    assert status["must_not_appear"][0]["id"] == ann["id"]
    assert status["participants"][0]["clauses"] == {"recording": "requested"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--extend-to", "2030-12-01"), "is not later than 2030-12-29"),
        (("--purpose", "reflection"), "already has purpose reflection"),
        ((), "say what changes"),
        (("--purpose", "assessment", "--extend-to", "2031-06-01"), "not later than"),
    ],
)
def test_change_refusals_change_nothing(
    js: Callable[..., Any], run: Run, rec: str, db: Path, args: tuple[str, ...], message: str
) -> None:
    ann = js("participant", "add", rec, "--name", "Ann")
    given(run, ann["form_id"])
    snapshot = store_dump()
    result = run("recording", "change", rec, *args, "--by", "V", ok=False)
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert store_dump() == snapshot


def stored_images(db: Path) -> list[tuple[str, str]]:
    engine = open_store()
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT p.form_id, i.name FROM scan_images i JOIN scan_pages p ON p.id = i.page_id"
            )
            return [tuple(r) for r in rows]  # type: ignore[misc]
    finally:
        engine.dispose()


def test_destroy_leaves_only_the_proof(
    js: Callable[..., Any], run: Run, rec: str, tmp_path: Path, db: Path
) -> None:
    ann = js("participant", "add", rec, "--name", "Ann")
    other = js(
        "recording", "create", "--title", "Other", "--student", "S", "--supervisor", "V",
        "--situation", "3", "--purpose", "assessment", "--date", "2030-11-01",
    )["id"]  # fmt: skip
    bob = js("participant", "add", other, "--name", "Bob")
    pages = []
    for recording, person in ((rec, ann), (other, bob)):
        pdf = Path(js("forms", recording)["pdf"]).read_bytes()
        sheet = js("layout", person["form_id"])["pages"][2]
        page = rasterise(pdf, 300)[2]
        pages.append(fill_page(page, sheet, Fill({"recording": ["yes"]}), np.random.default_rng(1)))
    files = [save_png(tmp_path / f"scan{i}.png", p) for i, p in enumerate(pages)]
    imported = json.loads(run("scan", "import", *map(str, files), "--json").stdout)
    assert [p["status"] for p in imported["pages"]] == ["ok", "ok"]
    kept = stored_images(db)
    assert {form for form, _ in kept} == {ann["form_id"], bob["form_id"]}

    js("withdrawal-form", ann["form_id"])
    mine = {p.name for p in Path("output").glob("*.pdf") if other not in p.name}
    assert mine == {f"{ann['form_id']}-withdrawal.pdf", f"{rec}-declarations.pdf"}
    done = js("destroy", rec, "--by", "Sam")
    assert done["consents_expired"] == 1
    # The signed page is the proof: it stays until the proof retention ends.
    assert done["scan_images_removed"] == 0
    # The printed documents (with names) go; the other recording's stay.
    assert done["documents_removed"] == 2
    assert [p.name for p in Path("output").glob("*.pdf")] == [f"{other}-declarations.pdf"]
    assert stored_images(db) == kept
    # When the proof retention ends the destroyed recording's scans go; the other one's stay.
    with Formgen.open() as fg:
        assert fg.erase_due_proofs(on=dt.date.fromisoformat(done["proof_kept_until"])) == [rec]
    left = stored_images(db)
    assert left and {form for form, _ in left} == {bob["form_id"]}
    status = js("status", rec)
    assert status["destroyed"]["by"] == "Sam"
    assert status["participants"][0]["clauses"] == {"recording": "expired"}
    assert status["camera_advice"] == "none"
    # The events stay, naming the scan by its hash.
    history = js("consent", "history", ann["form_id"])["events"]
    assert [e["status"] for e in history] == ["requested", "signed", "given", "expired"]
    assert history[2]["source"].startswith("scan:")
    assert js("due", "--on", "2031-06-01")["recordings"] == []

    again = run("destroy", rec, "--by", "Sam", ok=False)
    assert again.exit_code == 1 and "was destroyed on" in again.stderr
    for args in (
        ("participant", "add", rec, "--name", "Late"),
        ("recording", "change", rec, "--purpose", "assessment", "--by", "V"),
    ):
        refused = run(*args, ok=False)
        assert refused.exit_code == 1 and "was destroyed" in refused.stderr


def test_destroy_unknown_recording(run: Run) -> None:
    result = run("destroy", "R-NOPE00", "--by", "S", ok=False)
    assert result.exit_code == 1 and "no recording" in result.stderr


def test_a_late_scan_of_the_old_declaration_gives_no_consent(
    js: Callable[..., Any], run: Run, rec: str, tmp_path: Path
) -> None:
    ann = js("participant", "add", rec, "--name", "Ann")
    pdf = Path(js("forms", rec)["pdf"]).read_bytes()
    sheet = js("layout", ann["form_id"])["pages"][2]
    js("recording", "change", rec, "--purpose", "final-level", "--by", "V")
    # The old paper, ticked yes and signed, arrives after the change.
    page = fill_page(
        rasterise(pdf, 300)[2], sheet, Fill({"recording": ["yes"]}), np.random.default_rng(2)
    )
    result = run("scan", "import", str(save_png(tmp_path / "old.png", page)), "--json")
    report = json.loads(result.stdout)["pages"][0]
    assert report["form_id"] == ann["form_id"] and "decisions" not in report
    assert "already invalidated" in report["reason"]
    status = js("status", rec)
    assert status["participants"][0]["clauses"] == {"recording": "requested"}
    assert status["camera_advice"] == "none"
    history = js("consent", "history", ann["form_id"])["events"]
    assert [e["status"] for e in history if e["clause"] == "recording"][-1] == "invalidated"
