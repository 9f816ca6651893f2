"""forms, layout, request and sample through the CLI."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from .conftest import RECORDING, Run
from .helpers.rendering import text_of


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
    assert all(f["pages"] == 3 for f in written["forms"])
    assert len(PdfReader(pdf).pages) == 9
    layout = js("layout", child["form_id"])
    assert layout["form_id"] == child["form_id"]
    assert layout["page_size_mm"] == [210.0, 297.0]
    assert [p["page"] for p in layout["pages"]] == [1, 2, 3]
    assert all(p["boxes"] == [] and p["signature"] is None for p in layout["pages"][:2])
    # The consent pair, then the parental form's own box for the child (answer yes).
    (yes, no, child_box) = layout["pages"][2]["boxes"]
    assert (child_box["clause"], child_box["answer"]) == ("child_refuses", "yes")
    assert (yes["clause"], yes["answer"], no["answer"]) == ("recording", "yes", "no")
    assert len(yes["rect_mm"]) == 4 and yes["rect_mm"][2] >= 5 and yes["rect_mm"][3] >= 5
    *_, sw, sh = layout["pages"][2]["signature"]["rect_mm"]
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
        "--supervisor-email",
        "a.jansen@hva.nl",
    )
    assert len(written["forms"]) == 3 and {f["variant"] for f in written["forms"]} == {"parent"}
    # Without public_url there is no return link: the letter says e-mail, and formgen
    # says what to set for a link.
    assert written["warnings"] == [
        "the letter has no return link: set public_url in the configuration"
    ]
    text = text_of(Path(written["pdf"]).read_bytes())
    assert len(text) == 1 + 3 * 3  # the letter, then three pages a form
    letter = text[0]
    for fragment in (
        "t.a.v. Mw. De Wit",
        "Beste mevrouw De Wit,",
        "Rekenles groep 5",
        "1 december 2030",
        "29 december 2030",
        "4 weken",
        "3 extra toestemmingsformulieren",
        "de instelling",
        "niet de student",
        "Terugsturen: graag vóór 1 december 2030",
        "a.jansen@hva.nl",
        "jonger dan 16 jaar",
        "Leerlingen van 16 jaar en ouder tekenen zelf, op het formulier voor volwassenen",
        "enkelzijdig",
        "houdt blad 1 en 2 en geeft alleen blad 3 terug",  # which page is handed in
    ):
        assert fragment in letter, fragment
    # The numbers are random: a list of every one, never a range.
    assert all(f["form_id"] in letter for f in written["forms"])
    assert "tot en met" not in letter
    assert "samenwerkingsprotocol" not in letter  # situation 2
    # The signed page goes back to the contact person, before the recording date.
    assert "Geef dit blad vóór 1 december 2030 terug aan Mw. De Wit van OBS De Regenboog." in (
        " ".join(text[3].split())
    )
    status = js("status", rec)
    assert [p["form_id"] for p in status["participants"]] == [
        f["form_id"] for f in written["forms"]
    ]
    assert all(p["name"] is None for p in status["participants"])
    english = js(
        "request", rec, "--contact", "Ms. Smith", "--lang", "en", "--for", "adults",
        "--supervisor-email", "a.jansen@hva.nl", "--return-by", "2030-11-20",
    )  # fmt: skip
    letter = text_of(Path(english["pdf"]).read_bytes())[0]
    assert "Dear Ms. Smith," in letter and "before 20 November 2030" in letter
    assert "These forms are for pupils of 16 and older and for adults" in letter
    assert "Amsterdam University of Applied Sciences (HvA)" in letter


def test_request_in_situation_1_names_the_protocol(js: Callable[..., Any], run: Run) -> None:
    args = list(RECORDING)
    args[args.index("--situation") + 1] = "1"
    rec = js(*args, "--institution", "OBS De Regenboog")["id"]
    written = js("request", rec, "--contact", "Mw. De Wit", "--count", "2")
    letter = text_of(Path(written["pdf"]).read_bytes())[0]
    assert "De Hogeschool van Amsterdam (HvA) en OBS De Regenboog hebben een" in letter
    assert "samenwerkingsprotocol" in letter
    # No supervisor's account and no address given: the paper goes in an envelope, and
    # formgen says the letter lacks an address.
    assert "Geef de ondertekende bladen in een gesloten envelop aan Dr. Jansen." in letter
    assert "no e-mail address" in written["warnings"][0]
    shown = run("request", rec, "--contact", "Mw. De Wit")
    assert shown.stderr.startswith("formgen: warning: the letter names no e-mail address")


def test_request_refuses_another_institution(js: Callable[..., Any], run: Run) -> None:
    args = list(RECORDING)
    args[args.index("--situation") + 1] = "2"
    rec = js(*args, "--institution", "OBS De Regenboog")["id"]
    same = js("request", rec, "--institution", "  obs de  regenboog ", "--contact", "X")
    assert len(same["forms"]) == 1  # the same institution, typed differently
    other = run("request", rec, "--institution", "Het Atelier", "--contact", "X", ok=False)
    assert other.exit_code == 1 and "made at OBS De Regenboog, not at Het Atelier" in other.stderr
    bad = run("request", rec, "--contact", "X", "--supervisor-email", "jansen", ok=False)
    assert bad.exit_code == 1 and "not an e-mail address" in bad.stderr
    late = run("request", rec, "--contact", "X", "--return-by", "2020-01-01", ok=False)
    assert late.exit_code == 1 and "is not after today" in late.stderr


def test_forms_warn_about_an_institution_in_situation_3(js: Callable[..., Any], run: Run) -> None:
    rec = js(*RECORDING, "--institution", "OBS De Regenboog")["id"]
    js("participant", "add", rec, "--name", "Ann")
    written = js("forms", rec)
    assert "situation 3" in written["warnings"][0] and "OBS De Regenboog" in written["warnings"][0]
    shown = run("forms", rec)
    assert shown.stderr.startswith("formgen: warning: the recording is in situation 3")


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
