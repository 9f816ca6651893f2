"""Reading scans v2 (issue 12), each new kind on a few real pages: short signatures and
initials, signatures over the field's edge, felt tip and ballpoint; circles round "Ja"
or "Nee"; ticks that run far out of the box; small dot-like ticks; corrections; filled
boxes; fax-like black-and-white pages; noisy blank backsides; scanner streaks.

A declaration is rendered, page 3 rasterised at 300 dpi, filled in by tests/synth.py,
degraded as a scanner, fax or phone would, and read back by ``scan.look``; what it
means is ``rules``' (the same functions the import uses). Nothing here is mocked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from formgen import scan
from formgen.rules import Status

from . import synth
from .helpers.marks import (
    ANSWERED,
    CLAUSES,
    DPI,
    PX_MM,
    READ,
    Marks,
    degrade,
    draw,
    look,
    printed_form,
    px,
    read,
    statuses,
)


@pytest.fixture(scope="module")
def form() -> dict[str, Any]:
    return printed_form()


# --- Signatures: present by their strokes, however short ------------------------------------


@pytest.mark.parametrize("condition", ["flatbed-200-gray", "fax-150-bw", "phone-photo"])
@pytest.mark.parametrize(
    "signature",
    [("short", "blue-ballpoint"), ("initials", "black-felt"), ("over-edge", "black-ballpoint")],
)
def test_short_signatures_and_initials_are_signed(
    form: dict[str, Any], signature: tuple[str, str], condition: str
) -> None:
    for seed in (1, 2):
        image = degrade(draw(form, ANSWERED, signature, seed), condition, seed)
        decisions, signed = read(form, image)
        assert signed is True, (signature, condition, seed)
        assert statuses(decisions) == READ, decisions


def _streak_through(image: np.ndarray, x_mm: float, dpi: float) -> np.ndarray:
    """A black scanner streak down the whole page at x_mm of an upright scan."""
    out = image.copy()
    x = round(x_mm * dpi / 25.4)
    out[:, x : x + 2] = 30
    return out


@pytest.mark.parametrize(
    "condition", ["flatbed-200-gray", "noisy", "fax-150-bw", "flatbed-300-dither", "phone-photo"]
)
def test_an_empty_field_is_not_signed(form: dict[str, Any], condition: str) -> None:
    """Dust, speckle, fax noise, JPEG artefacts, a phone photo's shading, and a
    scanner's streak across the field: none of it is a signature."""
    rng = np.random.default_rng(3)
    page = synth.draw_dust(draw(form, ANSWERED, None, 3), rng, 800, DPI)  # a dusty glass
    image, dpi = synth.CONDITIONS[condition](page, rng)
    if condition != "phone-photo":
        x, _, w, _ = form["sheet"]["signature"]["rect_mm"]
        image = _streak_through(image, x + w / 3, dpi)
    decisions, signed = read(form, image)
    assert signed is False, condition
    assert all(d.status is Status.REVIEW and d.reason == "not signed" for d in decisions.values())


def test_a_small_mark_in_the_field_is_for_a_person(form: dict[str, Any]) -> None:
    """Between dust and writing: a 2 mm scratch only, with nothing else: not sure."""
    page = draw(form, ANSWERED, None, 4)
    x, y, w, h = px(form["sheet"]["signature"]["rect_mm"])
    pen = synth.random_pen(np.random.default_rng(4), DPI, "black-ballpoint")
    scratch = np.array([[x + w / 2, y + h / 2], [x + w / 2 + 2.0 * PX_MM, y + h / 2 - 0.4 * PX_MM]])
    page = synth._render(page, [(scratch, pen.width_px)], pen, np.random.default_rng(4), False)
    decisions, signed = read(form, degrade(page, "flatbed-300-gray", 4))
    assert signed is None
    assert all(d.status is Status.REVIEW for d in decisions.values())


# --- Answers people actually give ----------------------------------------------------------


@pytest.mark.parametrize("condition", ["flatbed-300-gray", "flatbed-rot180", "phone-photo"])
def test_circled_answers(form: dict[str, Any], condition: str) -> None:
    """A circle round "Ja" or "Nee" (or its box, or both) instead of a tick; both
    circled is both marked. Never a wrong answer; on a phone photo one circle of the six
    may go to a person (a loop the camera's blur leaves short of three quarters round)."""
    marks: Marks = {
        ("recording", "yes"): ("circle", "blue-ballpoint"),
        ("livestream", "no"): ("circle", "blue-ballpoint"),
        ("360", "yes"): ("circle", "black-felt"),
        ("360", "no"): ("circle", "black-felt"),
    }
    expected = {"recording": Status.GIVEN, "livestream": Status.REFUSED, "360": Status.REVIEW}
    reviewed = []
    for seed in (5, 6, 7):
        image = degrade(draw(form, marks, ("full", "blue-ballpoint"), seed), condition, seed)
        decisions, signed = read(form, image)
        assert signed is True
        for clause, status in statuses(decisions).items():
            if status is not expected[clause]:
                assert status is Status.REVIEW, (condition, seed, decisions)
                reviewed.append((seed, clause, decisions[clause].reason))
    assert len(reviewed) <= (1 if condition == "phone-photo" else 0), (condition, reviewed)


@pytest.mark.parametrize("condition", ["flatbed-200-gray", "flatbed-rot5", "phone-photo"])
def test_far_overruns_and_dot_ticks(form: dict[str, Any], condition: str) -> None:
    """A tick whose stroke runs 5-10 mm out of its box marks its box only; a small firm
    dot or dash is a mark, an accidental speck is not."""
    marks: Marks = {
        ("recording", "yes"): ("overrun-far", "black-ballpoint"),
        ("livestream", "no"): ("dot-tick", "black-felt"),
        ("livestream", "yes"): ("dot", "black-felt"),  # a stray speck
        ("360", "yes"): ("dot-tick", "blue-ballpoint"),
    }
    for seed in (8, 9, 10):
        image = degrade(draw(form, marks, ("full", "black-ballpoint"), seed), condition, seed)
        decisions, _ = read(form, image)
        assert statuses(decisions) == READ, (condition, seed, decisions)


@pytest.mark.parametrize("condition", ["flatbed-300-gray", "noisy", "phone-photo"])
def test_corrections_go_to_review_and_say_why(form: dict[str, Any], condition: str) -> None:
    """One box ticked and scribbled out, the other ticked: which counts is for a person."""
    marks: Marks = {
        ("recording", "yes"): ("struck", "black-ballpoint"),
        ("recording", "no"): ("tick", "black-ballpoint"),
        ("livestream", "yes"): ("tick", "blue-ballpoint"),
        ("livestream", "no"): ("struck", "blue-ballpoint"),
        ("360", "yes"): ("fill", "black-felt"),  # a filled box alone: a mark
    }
    for seed in (11, 12):
        image = degrade(draw(form, marks, ("short", "black-ballpoint"), seed), condition, seed)
        decisions, _ = read(form, image)
        for clause, heavy in (("recording", "yes"), ("livestream", "no")):
            decision = decisions[clause]
            assert decision.status is Status.REVIEW
            assert decision.reason and "correction" in decision.reason, decision.reason
            assert f"the {heavy} box" in decision.reason
        assert decisions["360"].status is Status.GIVEN


# --- Fax-like and black-and-white pages ----------------------------------------------------


@pytest.mark.parametrize("seed", [13, 14])
def test_fax_pages_read_like_gray_ones_where_the_ink_survived(
    form: dict[str, Any], seed: int
) -> None:
    page = draw(form, ANSWERED, ("short", "black-ballpoint"), seed)
    fax = degrade(page, "fax-150-bw", seed)
    assert scan.is_binary(fax) and fax.shape == (1754, 1240)
    assert look(form, fax).bilevel
    assert not look(form, degrade(page, "flatbed-150-gray", seed)).bilevel
    decisions, signed = read(form, fax)
    assert signed is True and statuses(decisions) == READ


def test_pencil_lost_on_a_fax_is_never_consent(form: dict[str, Any]) -> None:
    """Pencil below a fixed threshold leaves no pixel: nothing on the page says no
    answer, it says review; and a signature in pen with the ticks lost is no consent."""
    pencil: Marks = {k: ("tick", "pencil") for k in ANSWERED}
    for signature in (("full", "pencil"), ("full", "black-ballpoint")):
        page = draw(form, pencil, signature, 15)
        decisions, _ = read(form, degrade(page, "fax-150-bw", 15))
        assert all(d.status is Status.REVIEW for d in decisions.values()), decisions


# --- Blank backsides and streaks -----------------------------------------------------------


@pytest.mark.parametrize("style", synth.BLANK_STYLES)
def test_noisy_blank_backsides_are_blank(form: dict[str, Any], style: str) -> None:
    for seed in (16, 17):
        image, _ = synth.blank_backside(np.random.default_rng(seed), style)
        seen = look(form, image)
        assert seen.blank and seen.error is None, (style, seed, seen.error)


@pytest.mark.parametrize("condition", ["flatbed-200-gray", "fax-150-bw"])
def test_a_streak_through_the_boxes_marks_nothing(form: dict[str, Any], condition: str) -> None:
    """A scanner's streak down the column of "Ja" boxes, on a page answered only with
    "Nee": the boxes it crosses stay empty."""
    marks: Marks = {(c, "no"): ("tick", "black-ballpoint") for c in CLAUSES}
    page = draw(form, marks, ("full", "black-ballpoint"), 18)
    image, dpi = synth.CONDITIONS[condition](page, np.random.default_rng(18))
    x, _, w, _ = form["sheet"]["boxes"][0]["rect_mm"]
    streaked = _streak_through(image, x + w / 2, dpi)
    assert scan.find_streaks(scan.ink_gray(streaked))
    decisions, signed = read(form, streaked)
    assert signed is True
    assert statuses(decisions) == dict.fromkeys(CLAUSES, Status.REFUSED)


# --- Loading: the scan's own bytes, fax PDFs -----------------------------------------------


def test_a_scanned_pdf_page_keeps_its_own_jpeg(form: dict[str, Any], tmp_path: Path) -> None:
    page = degrade(draw(form, ANSWERED, ("full", "blue-ballpoint"), 19), "flatbed-200-gray", 19)
    path = tmp_path / "scan.pdf"
    Image.fromarray(synth.to_gray(page)).save(path, "PDF", resolution=200.0, quality=85)
    data = path.read_bytes()
    start = data.index(b"\xff\xd8\xff")
    stored = data[start : data.index(b"\xff\xd9", start) + 2]
    with scan.PageFile(path) as pages:
        loaded = pages.page(0)
    assert loaded.encoded == stored
    # read at half its size (100 dpi): enough to read every mark the same
    assert loaded.image.shape == (1170, 827) and loaded.dpi == pytest.approx(100.0, abs=0.5)
    assert statuses(read(form, loaded.image)[0]) == READ
    started = scan.look_start(loaded)
    assert started.encoded == stored  # kept as the page image, not encoded again
    seen = look(form, loaded.image)  # (an image without its bytes is encoded)
    assert seen.images["page.jpg"][:3] == b"\xff\xd8\xff"


def test_a_fax_pdf_reads_as_one_bit(form: dict[str, Any], tmp_path: Path) -> None:
    fax = degrade(draw(form, ANSWERED, ("initials", "black-felt"), 20), "fax-150-bw", 20)
    path = tmp_path / "fax.pdf"
    Image.fromarray(fax).convert("1").save(path, "PDF", resolution=150.0)
    (loaded,) = scan.load_pages(path)
    assert loaded.encoded is None and set(np.unique(loaded.image)) <= {0, 255}
    assert loaded.dpi is not None and abs(loaded.dpi - 150.0) < 0.5
    decisions, signed = read(form, loaded.image)
    assert signed is True and statuses(decisions) == READ


# --- Through `formgen scan import` ----------------------------------------------------------


def test_import_flags_black_and_white_pages(
    js: Callable[..., Any], run: Callable[..., Any], tmp_path: Path
) -> None:
    """The page report says ``bilevel: true`` for a fax-like page, and the summary
    warns that pencil may have vanished from it."""
    from .conftest import RECORDING
    from .helpers.rendering import rasterise

    rec = js(*RECORDING)["id"]
    people = [js("participant", "add", rec, "--name", n) for n in ("Ann", "Bob")]
    pdf = Path(js("forms", rec)["pdf"]).read_bytes()
    pages = rasterise(pdf, DPI)
    files = []
    for index, person in enumerate(people):
        sheet = js("layout", person["form_id"])["pages"][2]
        rng = np.random.default_rng(21 + index)
        img = cv2.cvtColor(pages[3 * index + 2], cv2.COLOR_GRAY2RGB)
        pen = synth.random_pen(rng, DPI, "black-ballpoint")
        for box in sheet["boxes"]:
            if box["answer"] == "yes":
                synth.draw_mark(img, px(box["rect_mm"]), "tick", pen, rng, DPI, inplace=True)
        synth.draw_signature(img, px(sheet["signature"]["rect_mm"]), pen, rng, inplace=True)
        condition = "fax-150-bw" if index == 0 else "flatbed-200-gray"
        image, dpi = synth.CONDITIONS[condition](img, rng)
        path = tmp_path / f"page-{index}.png"
        pil = Image.fromarray(image)
        (pil.convert("1") if index == 0 else pil).save(path, dpi=(dpi, dpi))
        files.append(path)
    report = json.loads(run("scan", "import", str(files[0]), "--json").stdout)
    (page,) = report["pages"]
    assert page["bilevel"] is True and page["status"] == "ok", page
    assert page["decisions"] == {"recording": "given"} and page["signed"] is True
    text = run("scan", "import", str(files[1])).stdout
    assert "black-and-white" not in text  # a gray page: no warning
    # the same fax page again, fed upside down (another file): the summary warns
    other = tmp_path / "fax-again.png"
    Image.open(files[0]).rotate(180).save(other, dpi=(150, 150))
    text = run("scan", "import", str(other)).stdout
    assert "warning: 1 page(s) are black-and-white scans" in text, text
