"""Filled-in, degraded scans of real declarations, for the reader's tests."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
from PIL import Image

from formgen.rules import Status

from .. import synth

DPI = 300
PX = DPI / 25.4


@dataclass(frozen=True)
class Fill:
    """What a person did on the page handed in (page 3): per clause which boxes got a
    mark, and signing."""

    marks: Mapping[str, Sequence[str]]  # clause -> answers marked ("yes", "no")
    signed: bool = True
    kind: str = "tick"
    pen: str = "blue-ballpoint"

    def truth(self, clause: str) -> Status:
        marked = set(self.marks.get(clause, ()))
        if len(marked) == 2 or not self.signed:
            return Status.REVIEW
        if marked == {"yes"}:
            return Status.GIVEN
        if marked == {"no"}:
            return Status.REFUSED
        return Status.NO_ANSWER


def fill_page(
    page: np.ndarray, sheet: Mapping[str, Any], fill: Fill, rng: np.random.Generator
) -> np.ndarray:
    """Draw the marks and signature on a clean 300-dpi grayscale render of page 3."""
    img = cv2.cvtColor(page, cv2.COLOR_GRAY2RGB)
    pen = synth.random_pen(rng, DPI, fill.pen)
    for box in sheet["boxes"]:
        if box["answer"] in fill.marks.get(box["clause"], ()):
            rect = tuple(v * PX for v in box["rect_mm"])
            img = synth.draw_mark(img, rect, fill.kind, pen, rng, dpi=DPI, inplace=True)
    if fill.signed and sheet["signature"]:
        rect = tuple(v * PX for v in sheet["signature"]["rect_mm"])
        img = synth.draw_signature(img, rect, pen, rng, inplace=True)
    return img


def degrade(img: np.ndarray, condition: str, rng: np.random.Generator) -> np.ndarray:
    out, _dpi = synth.CONDITIONS[condition].apply(img, rng)
    return out


def save_png(path: Path, img: np.ndarray) -> Path:
    bgr = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(path), bgr)
    return path


def save_pdf(path: Path, images: Sequence[np.ndarray], dpi: int = 200) -> Path:
    """A scanner's PDF: one JPEG-compressed page image per page."""
    pages = [Image.fromarray(i).convert("L") for i in images]
    buffer = io.BytesIO()
    pages[0].save(buffer, "PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    path.write_bytes(buffer.getvalue())
    return path


def blank_backside(rng: np.random.Generator, dpi: int = 200) -> np.ndarray:
    page = np.full((int(297 / 25.4 * dpi), int(210 / 25.4 * dpi)), 246, np.uint8)
    return synth.draw_dust(page, rng, 30, dpi)
