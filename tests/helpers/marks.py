"""Marks on a real printed page 3, read back as the import reads them: the page
(``printed_form``), pen marks and signatures drawn on it (``draw``, tests/synth.py),
the page degraded as a device would (``degrade``), and each clause's decision
(``read``). Shared by the scan test modules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium

from formgen import rules, scan
from formgen.documents import render
from formgen.record.formid import Instance, check_char
from formgen.rules import Plan, Purpose, Status

from .. import synth
from . import test_config
from .rendering import spec

DPI = 300
PX_MM = DPI / 25.4
CLAUSES = ("recording", "livestream", "360")

Marks = Mapping[tuple[str, str], tuple[str, str]]  # (clause, answer) -> (kind, pen)


def printed_form(lang: str = "nl", variant: str = "adult") -> dict[str, Any]:
    """Page 3 of a real declaration (Dutch, adult unless asked; recording, live stream,
    360) as printed, at 300 dpi, with its layout and the QR secret that reads it."""
    # A fixed secret and form ID: the QR code's modules move the print a reader sees by a
    # little, so random ones made a stray speck's reading differ from run to run.
    inst = Instance(bytes(range(32)))
    declaration = replace(
        spec(Plan(Purpose.ASSESSMENT, livestream=True, view360=True), lang, variant),
        form_id=f"7KQ2-M9XD-{check_char('7KQ2M9XD')}",
    )
    out = render.render([declaration], inst, test_config())
    layout = out.layouts[declaration.form_id]
    document = pdfium.PdfDocument(out.pdf)
    pages = [document[i].render(scale=DPI / 72, grayscale=True).to_numpy().copy() for i in (0, 2)]
    document.close()
    return {
        "inst": inst,
        "form_id": declaration.form_id,
        "sheet": next(p for p in layout["pages"] if p["page"] == 3),  # the page handed in
        "front": pages[0],
        "clean": pages[1],  # page 3
    }


def px(rect: list[float]) -> tuple[float, float, float, float]:
    x, y, w, h = rect
    return x * PX_MM, y * PX_MM, w * PX_MM, h * PX_MM


def draw(
    form: dict[str, Any],
    marks: Marks,
    signature: tuple[str, str] | None,
    seed: int,
) -> np.ndarray:
    """Page 2 filled in: ``marks`` in the boxes, ``signature`` (style, pen) or None."""
    rng = np.random.default_rng(seed)
    img = cv2.cvtColor(form["clean"], cv2.COLOR_GRAY2RGB)
    for box in form["sheet"]["boxes"]:
        what = marks.get((box["clause"], box["answer"]))
        if what:
            pen = synth.random_pen(rng, DPI, what[1])
            rect = px(box["rect_mm"])
            word = synth.find_label(form["clean"], rect, DPI)  # for a circle round it
            synth.draw_mark(img, rect, what[0], pen, rng, DPI, inplace=True, label=word)
    if signature is not None:
        style, pen_kind = signature
        pen = synth.random_pen(rng, DPI, pen_kind)
        rect = px(form["sheet"]["signature"]["rect_mm"])
        synth.draw_signature(img, rect, pen, rng, inplace=True, style=style)
    return synth.draw_dust(img, rng, 20, DPI)


def filled_back(form: dict[str, Any], seed: int) -> np.ndarray:
    """A realistic other side for show-through: the same form filled in and signed (a
    cross in the first "no" box), its print and marks to shine through (drawn from
    ``seed + 7``, apart from the page in front)."""
    marks: Marks = {("recording", "no"): ("cross", "blue-ballpoint")}
    return draw(form, marks, ("full", "blue-ballpoint"), seed + 7)


def degrade(page: np.ndarray, condition: str, seed: int) -> np.ndarray:
    return synth.CONDITIONS[condition](page, np.random.default_rng(seed))[0]


def look(form: dict[str, Any], image: np.ndarray) -> scan.PageLook:
    def identify(texts: list[str]) -> scan.Identity:
        for index, text in enumerate(texts):
            if form["inst"].verify(text) == (form["form_id"], 3):
                return scan.Identity(form["form_id"], 3, index, form["sheet"])
        return scan.Identity(error="not this form's page 3")

    return scan.look(scan.PageImage("test", 1, image, None), identify)


def read(form: dict[str, Any], image: np.ndarray) -> tuple[dict[str, rules.Decision], Any]:
    """What the import decides per clause, and the signature (True/False/None)."""
    seen = look(form, image)
    assert seen.registered, (seen.reason, seen.error)
    measured = seen.measured
    assert measured is not None and not measured.problems, measured and measured.problems
    assert measured.signature is not None
    sig = measured.signature
    signed, _ = rules.classify_signature(sig.longest_mm, sig.length_mm, sig.faint_mm)
    boxes = {(b.clause, b.answer): rules.BoxInk(**b.evidence()) for b in measured.boxes}
    lost = rules.pencil_may_be_lost(seen.bilevel, [rules.read_box(b)[0] for b in boxes.values()])
    decisions = {
        clause: rules.decide_answers(
            boxes[(clause, "yes")], boxes[(clause, "no")], signed, pencil_lost=lost
        )
        for clause in CLAUSES
    }
    return decisions, signed


def statuses(decisions: Mapping[str, rules.Decision]) -> dict[str, Status]:
    return {clause: d.status for clause, d in decisions.items()}


# One tick or cross per clause, and what it reads as.
ANSWERED: Marks = {
    ("recording", "yes"): ("tick", "blue-ballpoint"),
    ("livestream", "no"): ("cross", "black-ballpoint"),
    ("360", "yes"): ("tick", "black-felt"),
}
READ = {"recording": Status.GIVEN, "livestream": Status.REFUSED, "360": Status.GIVEN}
