"""forms, layout, request and sample through the CLI."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from .conftest import RECORDING, Run
from .rendering import text_of


def test_forms_and_layout(js: Callable[..., Any], run: Run, rec: str, db: Path) -> None:
    people = [js("participant", "add", rec, "--name", n) for n in ("Ann", "Bob")]
    child = js("participant", "add", rec, "--name", "Cas", "--under-16", "--lang", "en")
    written = js("forms", rec)
    pdf = Path(written["pdf"])
    assert pdf.parent.name == "output" and "Ann" not in pdf.name
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o600
    assert [f["form_id"] for f in written["forms"]] == [p["form_id"] for p in (*people, child)]
    assert [f["variant"] for f in written["forms"]] == ["adult", "adult", "parent"]
    assert [f["lang"] for f in written["forms"]] == ["nl", "nl", "en"]
    assert all(f["pages"] == 2 for f in written["forms"])
    assert len(PdfReader(pdf).pages) == 6
    layout = js("layout", child["form_id"])
    assert layout["form_id"] == child["form_id"]
    assert layout["page_size_mm"] == [210.0, 297.0]
    assert [p["page"] for p in layout["pages"]] == [1, 2]
    assert layout["pages"][0]["boxes"] == [] and layout["pages"][0]["signature"] is None
    (yes, no) = layout["pages"][1]["boxes"]
    assert (yes["clause"], yes["answer"], no["answer"]) == ("recording", "yes", "no")
    assert len(yes["rect_mm"]) == 4 and yes["rect_mm"][2] >= 5 and yes["rect_mm"][3] >= 5
    *_, sw, sh = layout["pages"][1]["signature"]["rect_mm"]
    assert sw >= 60 and sh >= 20
    # Printing again keeps the IDs.
    again = js("forms", rec, "--participant", child["id"], "--out", "one.pdf")
    assert again["pdf"] == "one.pdf"
    assert [f["form_id"] for f in again["forms"]] == [child["form_id"]]
    assert child["form_id"] in " ".join(text_of(Path("one.pdf").read_bytes()))


def test_layout_before_printing_and_unknown_forms(
    js: Callable[..., Any], run: Run, rec: str
) -> None:
    person = js("participant", "add", rec, "--name", "Ann")
    result = run("layout", person["form_id"], "--json", ok=False)
    assert result.exit_code == 1 and "not been printed" in result.stderr
    assert "no form" in run("layout", "0000-0000-0", ok=False).stderr
    assert "no participant" in run("forms", rec, "--participant", "P-NOPE", ok=False).stderr
    assert "no recording" in run("forms", "R-NOPE", ok=False).stderr


def test_forms_without_participants(run: Run, rec: str) -> None:
    assert "no participants" in run("forms", rec, ok=False).stderr


def test_request_for_an_institution(js: Callable[..., Any], run: Run) -> None:
    args = list(RECORDING)
    args[args.index("--situation") + 1] = "2"
    rec = js(*args, "--institution", "OBS De Regenboog")["id"]
    written = js(
        "request",
        rec,
        "--institution",
        "OBS De Regenboog",
        "--contact",
        "Mw. De Wit",
        "--count",
        "3",
    )
    assert len(written["forms"]) == 3 and {f["variant"] for f in written["forms"]} == {"parent"}
    text = text_of(Path(written["pdf"]).read_bytes())
    assert len(text) == 1 + 3 * 2
    letter = text[0]
    for fragment in (
        "Mw. De Wit",
        "Rekenles groep 5",
        "1 december 2030",
        "29 december 2030",
        "4 weken",
        "3 extra toestemmingsverklaringen",
        "de instelling",
        "niet de student",
        "Terugsturen",
        written["forms"][0]["form_id"],
    ):
        assert fragment in letter, fragment
    status = js("status", rec)
    assert [p["form_id"] for p in status["participants"]] == [
        f["form_id"] for f in written["forms"]
    ]
    assert all(p["name"] is None for p in status["participants"])
    english = js("request", rec, "--institution", "X", "--contact", "Ms. Smith", "--lang", "en")
    assert "Dear Ms. Smith" in text_of(Path(english["pdf"]).read_bytes())[0]


def test_request_refused_in_situation_3(run: Run, rec: str, db: Path) -> None:
    before = db.read_bytes()
    result = run("request", rec, "--institution", "X", "--contact", "Y", ok=False)
    assert result.exit_code == 1 and "personally" in result.stderr
    assert db.read_bytes() == before
    assert not list(Path("output").glob("*.pdf")) if Path("output").exists() else True


def test_sample(js: Callable[..., Any]) -> None:
    made = js("sample")
    assert Path(made["pdf"]).exists() and len(made["forms"]) == 3
    assert js("status", made["id"])["participants"][1]["under_16"] is True
