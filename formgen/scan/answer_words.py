"""The printed answer word beside each box ("Ja", "Nee", "Yes", "No"): where it is on
the page (``_words``: the print wholly inside the place the layout gives it, or where
the same answer's word, found clean beside another box, matches the ink best), and what
a hand drew round or over it (``_ring``: a loop round the answer circles it; writing
over the word strikes it out). ``measuring`` measures each box with its word.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from formgen.scan.ink import _interior, _px
from formgen.scan.pixels import Array

# The printed answer word ("Ja", "Nee", "Yes", "No") next to its box: it starts about
# 2 mm to the right (templates/_form.html), bold, 2.5-3 mm high, 3-9 mm wide. Print
# wholly inside this place is the word; where it is, is measured on the page.
LABEL_GAP_MM = 2.0
LABEL_CORE_MM = (0.8, 13.0, 3.0)  # from the box's right edge: start, end; half height
DEFAULT_WORD_MM = 5.0  # a word's width when its print is not found
DEFAULT_WORD_INK = 0.4  # and the share of its place its bold print covers
# A loop round the answer: how far round it goes, in this many angular sectors.
RING_SECTORS = 24


@dataclass(frozen=True)
class _Word:
    rect: list[float]  # region mm
    # where a word's print still in the writing is (a loop or a scribble joined it):
    # its top-left pixel and mask, placed by the same word found clean elsewhere; or
    # the share of its place print covers, when there is none to go by
    print_mask: tuple[int, int, Array] | None = None
    print_share: float = 0.0


def _words(
    moved: Sequence[Sequence[float]],
    boxes: Sequence[Mapping[str, Any]],
    found: Mapping[int, Sequence[int]],
    printed: Mapping[int, int],
    labelled: tuple[Array, Array],
    ink: Array,
    px_mm: float,
) -> list[_Word]:
    """Each box's printed word: as found (and taken out of the writing); else where the
    same answer's word, found clean elsewhere on the page, matches the ink best (its
    print is still in the writing: a loop or a scribble joined it). ``labelled``: which
    labels are printed words, and the labels."""
    word, labels = labelled
    clean: dict[str, tuple[Array, float, float]] = {}  # answer: mask, offset from box (px)
    shares: dict[str, float] = {}
    for i, (a, b, c, d) in found.items():
        answer = boxes[i]["answer"]
        if answer not in clean:
            x, y, w, h = moved[i]
            clean[answer] = (
                word[labels[b:d, a:c]].astype(np.float32),
                a - _px(x + w, px_mm),
                b - _px(y + h / 2, px_mm),
            )
            shares[answer] = printed[i] / max((c - a) * (d - b), 1)
    words = []
    for i, (x, y, w, h) in enumerate(moved):
        if i in found:
            a, b, c, d = found[i]
            words.append(_Word([a / px_mm, b / px_mm, (c - a) / px_mm, (d - b) / px_mm]))
            continue
        answer = boxes[i]["answer"]
        if answer not in clean:
            rect = [x + w + LABEL_GAP_MM, y + h / 2 - 1.4, DEFAULT_WORD_MM, 2.8]
            words.append(_Word(rect, None, DEFAULT_WORD_INK))
            continue
        template, ox, oy = clean[answer]
        th, tw = template.shape
        search = round(1.5 * px_mm)
        x0 = round(_px(x + w, px_mm) + ox) - search
        y0 = round(_px(y + h / 2, px_mm) + oy) - search
        window = ink[max(y0, 0) : y0 + th + 2 * search, max(x0, 0) : x0 + tw + 2 * search]
        if window.shape[0] < th or window.shape[1] < tw:
            rect = [(x0 + search) / px_mm, (y0 + search) / px_mm, tw / px_mm, th / px_mm]
            words.append(_Word(rect, None, shares[answer]))
            continue
        score = cv2.matchTemplate(window.astype(np.float32), template, cv2.TM_CCORR)
        _, _, _, (bx, by) = cv2.minMaxLoc(score)
        px0, py0 = max(x0, 0) + bx, max(y0, 0) + by
        mask = cv2.dilate(template.astype(np.uint8), np.ones((3, 3), np.uint8))
        rect = [px0 / px_mm, py0 / px_mm, tw / px_mm, th / px_mm]
        words.append(_Word(rect, (px0, py0, mask)))
    return words


def _label_core(rect: Sequence[float], px_mm: float) -> tuple[int, int, int, int]:
    x, y, w, h = rect
    start, end, half = LABEL_CORE_MM
    cy = y + h / 2
    return _interior([x + w + start, cy - half, end - start, 2 * half], 0.0, px_mm)


def _ring(
    hw: Array,
    points: tuple[Array, Array],
    rect: Sequence[float],
    word: _Word,
    px_mm: float,
) -> tuple[float, float]:  # points: the writing's pixels (x, y)
    """How far round the answer a hand-drawn loop goes (share of RING_SECTORS angular
    sectors with writing in them, the best of a loop round the word, the box, or both),
    and how much of the printed word is written over (a word struck out, not circled).
    Writing in the box itself is the box's, not a loop's."""
    x, y, w, h = rect
    wx, wy, ww, wh = word.rect
    right = wx + ww
    top, bottom = min(y, wy), max(y + h, wy + wh)
    candidates = (  # centre and half axes (mm) of the room a loop round it takes
        (wx + ww / 2, wy + wh / 2, ww / 2 * 1.35 + 3.0, wh / 2 * 1.35 + 3.0),
        (x + w / 2, y + h / 2, w / 2 * 1.35 + 3.0, h / 2 * 1.35 + 3.0),
        (
            (x + right) / 2,
            (top + bottom) / 2,
            (right - x) / 2 * 1.35 + 3.0,
            (bottom - top) / 2 * 1.35 + 3.0,
        ),
    )
    px, py = points
    ux, uy = (px + 0.5) / px_mm, (py + 0.5) / px_mm  # pixel centres in region mm
    # only the writing in reach of the widest loop
    reach = (ux > x - 8.0) & (ux < right + 8.0) & (uy > top - 8.0) & (uy < bottom + 8.0)
    px, py, ux, uy = px[reach], py[reach], ux[reach], uy[reach]
    if len(ux) == 0:
        return 0.0, 0.0
    # a loop goes round the box, not through it (what is in it is the box's mark); and
    # the word's print is not a loop: taken out already when found clean, else where
    # the same word found elsewhere says it is (or the whole word, if nowhere)
    in_box = (ux > x - 0.3) & (ux < x + w + 0.3) & (uy > y - 0.3) & (uy < y + h + 0.3)
    if word.print_mask is not None:
        mx, my, mask = word.print_mask
        on = (px >= mx) & (px < mx + mask.shape[1]) & (py >= my) & (py < my + mask.shape[0])
        on[on] = mask[py[on] - my, px[on] - mx] > 0
        in_box |= on
    elif word.print_share > 0:
        in_box |= (ux > wx - 0.3) & (ux < right + 0.3) & (uy > wy - 0.3) & (uy < wy + wh + 0.3)
    best = 0.0
    for cx, cy, ax, ay in candidates:
        nx, ny = (ux - cx) / ax, (uy - cy) / ay
        r = np.hypot(nx, ny)
        near = (r > 0.3) & (r < 1.0) & ~in_box
        if not near.any():
            continue
        angle = np.arctan2(ny[near], nx[near]) + np.pi
        sector = np.minimum((angle / (2 * np.pi) * RING_SECTORS).astype(int), RING_SECTORS - 1)
        # the sectors reached (counted by bincount: np.unique imports numpy.ma at its
        # first call, tens of milliseconds of a reading process's time)
        reached = np.count_nonzero(np.bincount(sector, minlength=RING_SECTORS))
        best = max(best, reached / RING_SECTORS)
    # the word's place: writing over it strikes it out (beyond the print joined to it)
    if word.print_mask is not None:
        px0, py0, mask = word.print_mask
        cut = hw[py0 : py0 + mask.shape[0], px0 : px0 + mask.shape[1]]
        free = mask[: cut.shape[0], : cut.shape[1]] == 0
        return best, float(np.count_nonzero(cut[free])) / max(int(free.sum()), 1)
    wy0, wy1, wx0, wx1 = _interior(word.rect, 0.0, px_mm)
    cut = hw[wy0:wy1, wx0:wx1]
    share = float(np.count_nonzero(cut)) / max(cut.size, 1)
    struck = max(share - word.print_share, 0.0) / max(1.0 - word.print_share, 0.1)
    return best, struck
