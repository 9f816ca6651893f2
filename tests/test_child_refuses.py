"""The parental form's box for a child of 12 or older who does not want to appear: one
box (``layout`` clause ``child_refuses``, answer ``yes``), printed in Dutch and English;
ticked on the scan it refuses every clause of the form, with its own reason. On SQLite
and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from formgen import rules
from formgen.rules import BoxInk, Decision, Mark, Status

from .conftest import RECORDING, Run
from .helpers.rendering import rasterise, text_of
from .helpers.scans import Fill, degrade, fill_page, save_png

pytestmark = pytest.mark.usefixtures("db_url")
Js = Callable[..., Any]

BOX = {
    "nl": "Mijn kind wil niet in beeld.",
    "en": "My child does not want to appear.",
}


def test_the_rules() -> None:
    refused = rules.child_box_decision(Mark.MARKED, None)
    assert refused is not None and refused.status is Status.REFUSED
    unsure = rules.child_box_decision(Mark.UNSURE, "faint")
    assert unsure is not None and unsure.status is Status.REVIEW and "faint" in unsure.reason
    assert rules.child_box_decision(Mark.EMPTY, None) is None
    yes = Decision(Status.GIVEN, "yes")
    assert rules.with_child_box(yes, refused).status is Status.REFUSED
    assert rules.with_child_box(yes, unsure).status is Status.REVIEW  # never consent
    assert rules.with_child_box(Decision(Status.REFUSED, "no"), unsure).status is Status.REFUSED
    # no answer, with the child's refusal unclear: a person looks (it may be refused)
    assert rules.with_child_box(Decision(Status.NO_ANSWER), unsure).status is Status.REVIEW
    assert rules.with_child_box(yes, None) is yes
    # A clean empty box reads as empty.
    assert rules.read_box(BoxInk(ink=0.0))[0] is Mark.EMPTY


def printed(js: Js, tmp_path: Path) -> tuple[str, dict[str, Any], dict[str, Any], list[str]]:
    rec = js(*RECORDING, "--livestream")["id"]
    child = js("participant", "add", rec, "--name", "Daan", "--under-16")
    adult = js("participant", "add", rec, "--name", "Ann", "--lang", "en")
    written = js("forms", rec, "--out", str(tmp_path / "forms.pdf"))
    return rec, child, adult, text_of(Path(written["pdf"]).read_bytes())


def test_only_the_parental_form_has_the_box(js: Js, tmp_path: Path) -> None:
    _rec, child, adult, pages = printed(js, tmp_path)
    assert BOX["nl"] in pages[2] and "een kruisje hier betekent nee tegen alles" in pages[2]
    assert BOX["en"] not in " ".join(pages[3:])
    boxes = js("layout", child["form_id"])["pages"][2]["boxes"]
    single = [b for b in boxes if b["clause"] == "child_refuses"]
    assert [b["answer"] for b in single] == ["yes"]  # one box
    assert {b["clause"] for b in boxes} == {"recording", "livestream", "child_refuses"}
    assert all(
        b["clause"] != "child_refuses" for b in js("layout", adult["form_id"])["pages"][2]["boxes"]
    )


def test_the_english_parental_form_has_it_too(js: Js, tmp_path: Path) -> None:
    rec = js(*RECORDING)["id"]
    js("participant", "add", rec, "--name", "Dex", "--under-16", "--lang", "en")
    pages = text_of(Path(js("forms", rec, "--out", str(tmp_path / "f.pdf"))["pdf"]).read_bytes())
    assert BOX["en"] in pages[2] and "a tick here means no to everything above" in pages[2]


@pytest.mark.parametrize(
    ("child_box", "expected"),
    [
        (["yes"], {"recording": "refused", "livestream": "refused"}),
        ([], {"recording": "given", "livestream": "given"}),
    ],
)
def test_the_ticked_box_refuses_every_clause(
    js: Js, run: Run, tmp_path: Path, child_box: list[str], expected: dict[str, str]
) -> None:
    rec, child, _adult, _pages = printed(js, tmp_path)
    page = rasterise((tmp_path / "forms.pdf").read_bytes(), 300)[2]
    sheet = js("layout", child["form_id"])["pages"][2]
    fill = Fill({"recording": ["yes"], "livestream": ["yes"], "child_refuses": child_box})
    rng = np.random.default_rng(7)
    scanned = save_png(
        tmp_path / "p.png", degrade(fill_page(page, sheet, fill, rng), "flatbed-200-gray", rng)
    )
    report = json.loads(run("scan", "import", str(scanned), "--json").stdout)["pages"][0]
    assert report["form_id"] == child["form_id"]
    status = js("status", rec)
    assert status["participants"][0]["clauses"] == expected
    events = js("consent", "history", child["form_id"])["events"]
    reasons = {e["clause"]: e["reason"] for e in events if e["clause"] in expected}
    if child_box:
        assert set(reasons.values()) == {"the child (12 or older) does not want to appear"}
        assert child["id"] in {p["id"] for p in status["must_not_appear"]}
    else:
        assert "child" not in " ".join(str(r) for r in reasons.values())
