"""Measuring the ink on a rectified page: each box's interior, the signature field,
and the crops a reviewer looks at.

This module only MEASURES. Which ink cover counts as a mark, and what a pair of boxes
means, is decided in ``rules.py`` (``classify_mark``, ``decide_pair``). Coordinates
are layout millimetres from the page's top-left corner.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from .pixels import MM_PER_INCH, Array, _percentile, ink_gray

BOX_INSET_MM = 1.0  # interior = outline's outer edge moved in by this (border is 0.45 mm)
BOX_BORDER_MM = 0.45
BOX_SEARCH_MM = 1.6  # how far the printed outline may sit from where registration says
OUTLINE_SEEN = 0.35  # share of full darkness the outline must show to count as found
SIG_INSET_MM = 1.0
SIG_BORDER_MM = 0.35
INK_DARKER = 0.09  # a pixel is ink when it is this much darker than the local paper
DUST_MM = 0.8  # ink narrower than this (bounding box) or smaller than DUST_AREA_MM2 is dust
DUST_AREA_MM2 = 0.16
BOX_SPECK_MM2 = 0.8  # in a box, compact ink (area below this and span below BOX_SPECK_MM)
BOX_SPECK_MM = 1.5  # is a speck or a stray dot, not a mark
SIGNATURE_UNSIGNED = 0.002  # signature ink below: no signature; above SIGNED: signed
SIGNATURE_SIGNED = 0.006
SIGNATURE_MIN_SPAN_MM = 8.0  # a signature is wider than this; a smudge is not
CROP_MARGIN_MM = 2.0


@dataclass
class BoxReading:
    clause: str
    answer: str  # "yes" | "no"
    ink: float  # 0..1 cover of the interior; compare with rules.Thresholds
    shift_mm: tuple[float, float]  # where the printed outline was found vs. the layout
    outline: bool  # the printed outline was found: False = do not trust ``ink``
    crop: Array  # the box and ~2 mm around it, for a reviewer


@dataclass
class FieldCrop:
    field: str
    crop: Array


@dataclass
class Measurement:
    boxes: list[BoxReading]
    signature_ink: float | None  # None: the page has no signature field
    signed: bool | None  # None: uncertain (or no signature field on this page)
    signature_crop: Array | None
    fields: list[FieldCrop]
    problems: list[str] = field(default_factory=list)  # any entry: a person must look

    def ink(self, clause: str, answer: str) -> float:
        return next(b.ink for b in self.boxes if b.clause == clause and b.answer == answer)


def _px(mm: float, px_mm: float) -> float:
    """Layout mm to the rectified image's pixel-centre coordinate."""
    return mm * px_mm - 0.5


def _crop(image: Array, rect: Sequence[float], px_mm: float, margin_mm: float) -> Array:
    x, y, w, h = rect
    height, width = image.shape[:2]
    x0 = max(0, math.floor(_px(x - margin_mm, px_mm)))
    y0 = max(0, math.floor(_px(y - margin_mm, px_mm)))
    x1 = min(width, math.ceil(_px(x + w + margin_mm, px_mm)) + 1)
    y1 = min(height, math.ceil(_px(y + h + margin_mm, px_mm)) + 1)
    return image[y0:y1, x0:x1].copy()


def _interior(rect: Sequence[float], inset: float, px_mm: float) -> tuple[int, int, int, int]:
    """Pixel slice bounds (y0, y1, x0, x1) of the pixels whose centres lie in the rect
    moved in by ``inset`` mm on every side."""
    x, y, w, h = rect
    x0 = math.ceil(_px(x + inset, px_mm))
    x1 = math.floor(_px(x + w - inset, px_mm)) + 1
    y0 = math.ceil(_px(y + inset, px_mm))
    y1 = math.floor(_px(y + h - inset, px_mm)) + 1
    return y0, y1, x0, x1


def _outline_template(w_px: int, h_px: int, border_px: int, band_px: int) -> Array:
    """+1 on the printed border, -1 on a band of paper just outside it: peaks where
    the outline is, also when the box is filled in."""
    t = np.full((h_px + 2 * band_px, w_px + 2 * band_px), -1.0, np.float32)
    t[band_px:-band_px, band_px:-band_px] = 1.0
    inner = band_px + border_px
    t[inner:-inner, inner:-inner] = 0.0
    return t


@dataclass(frozen=True)
class _Outline:
    dx: float  # mm from the layout's position to the printed outline
    dy: float
    seen: bool  # the border is dark where it was found
    clean: bool  # paper around it, so the position is measured, not guessed (no fill)


def _locate_outline(
    dark: Array, rect: Sequence[float], border_mm: float, px_mm: float, search_mm: float
) -> _Outline:
    """The printed outline near the layout's: absorbs what registration left over so
    the inset stays clear of the border, and checks the registration where it counts."""
    x, y, w, h = rect
    band = max(1, round(0.5 * px_mm))
    border = max(1, round(border_mm * px_mm))
    w_px, h_px = max(3, round(w * px_mm)), max(3, round(h * px_mm))
    template = _outline_template(w_px, h_px, border, band)
    search = max(1, round(search_mm * px_mm))
    x0 = round(x * px_mm) - band - search
    y0 = round(y * px_mm) - band - search
    x1 = x0 + template.shape[1] + 2 * search
    y1 = y0 + template.shape[0] + 2 * search
    height, width = dark.shape
    if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
        return _Outline(0.0, 0.0, False, False)
    window = dark[y0:y1, x0:x1]
    score = cv2.matchTemplate(window, template, cv2.TM_CCORR)
    _, best, _, (bx, by) = cv2.minMaxLoc(score)
    if score[search, search] >= 0.97 * best:  # marginal gain: a stroke along one side
        bx, by = search, search
    patch = window[by : by + template.shape[0], bx : bx + template.shape[1]]
    on_border = float(patch[template > 0].mean()) / 255.0
    around = float(patch[template < 0].mean()) / 255.0
    return _Outline(
        (bx - search) / px_mm, (by - search) / px_mm, on_border >= OUTLINE_SEEN, around < 0.2
    )


def _paper_and_dark(region: Array) -> tuple[float, Array]:
    white = _percentile(region, 90)
    dark = np.clip(white - region.astype(np.float32), 0.0, 255.0) * (255.0 / max(white, 1.0))
    return white, dark


def _ink_mask(dark: Array) -> Array:
    return (dark > INK_DARKER * 255.0).astype(np.uint8)


def _components(mask: Array) -> tuple[Array, Array, Array]:
    """Labels, areas and spans (longer bounding-box side) of 8-connected ink."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    span = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    return labels, stats[:, cv2.CC_STAT_AREA], span


def _keep(mask: Array, keep: Array, labels: Array) -> Array:
    keep[0] = False
    return keep[labels].astype(np.uint8)


def _box_dark(ink: Array, rect: Sequence[float], px_mm: float) -> tuple[Array, list[float]]:
    """Darkness (0..255 relative to the local paper) around a box, and the box's rect in
    that region's own mm coordinates."""
    x, y, w, h = rect
    margin = 3.0
    y0 = max(0, math.floor(_px(y - margin, px_mm)))
    x0 = max(0, math.floor(_px(x - margin, px_mm)))
    y1 = min(ink.shape[0], math.ceil(_px(y + h + margin, px_mm)) + 1)
    x1 = min(ink.shape[1], math.ceil(_px(x + w + margin, px_mm)) + 1)
    _, dark = _paper_and_dark(ink[y0:y1, x0:x1])
    return dark, [x - x0 / px_mm, y - y0 / px_mm, w, h]


def _measure_box(
    view: Array,
    box: Mapping[str, Any],
    px_mm: float,
    located: tuple[_Outline, Array, list[float]],
    fallback: tuple[float, float],
) -> BoxReading:
    x, y, w, h = box["rect_mm"]
    outline, dark, local = located
    # inked all around (a fill): its position is a guess; the clean boxes' shift is not
    dx, dy = (outline.dx, outline.dy) if outline.clean else fallback
    moved = [local[0] + dx, local[1] + dy, w, h]
    iy0, iy1, ix0, ix1 = _interior(moved, BOX_INSET_MM, px_mm)
    inside = dark[max(iy0, 0) : iy1, max(ix0, 0) : ix1]
    if inside.size == 0:
        value = 0.0
    else:
        mask = _ink_mask(inside)
        # a speck must be both small and compact: a short stroke stays however small
        labels, area, span = _components(mask)
        big = (area >= BOX_SPECK_MM2 * px_mm * px_mm) | (span >= BOX_SPECK_MM * px_mm)
        mask = _keep(mask, big & (area >= DUST_AREA_MM2 * px_mm * px_mm), labels)
        value = float(np.count_nonzero(mask)) / float(inside.size)
    crop = _crop(view, [x + dx, y + dy, w, h], px_mm, CROP_MARGIN_MM)
    return BoxReading(box["clause"], box["answer"], round(value, 4), (dx, dy), outline.seen, crop)


def _outlines(
    ink: Array, layout_page: Mapping[str, Any], px_mm: float
) -> list[tuple[_Outline, Array, list[float]]]:
    """Each box's outline, with its darkness map and local rect for measuring."""
    found = []
    for box in layout_page.get("boxes", []):
        dark, local = _box_dark(ink, box["rect_mm"], px_mm)
        outline = _locate_outline(dark, local, BOX_BORDER_MM, px_mm, BOX_SEARCH_MM)
        found.append((outline, dark, local))
    return found


def _typical_shift(outlines: list[_Outline]) -> tuple[float, float]:
    clean = [(o.dx, o.dy) for o in outlines if o.clean and o.seen]  # fills give no position
    if not clean:
        return 0.0, 0.0
    dx, dy = np.median(np.array(clean), axis=0)
    return float(dx), float(dy)


def layout_offset(rectified: Array, layout_page: Mapping[str, Any], dpi_out: float) -> float:
    """How far (mm) the printed boxes and signature frame lie from where the layout
    puts them on a rectified page; inf when one is missing or none is measurable.
    Independent of the registration marks, so it catches a fit the marks and the QR
    code agree on wrongly (they have little leverage at the middle of the page)."""
    px_mm = dpi_out / MM_PER_INCH
    ink = ink_gray(rectified)
    outlines = [outline for outline, _, _ in _outlines(ink, layout_page, px_mm)]
    if not all(o.seen for o in outlines):
        return math.inf
    offsets = [math.hypot(o.dx, o.dy) for o in outlines if o.clean]
    signature = layout_page.get("signature")
    if signature:
        rect = signature["rect_mm"]
        frame, found = _locate_frame(ink, rect, SIG_BORDER_MM, px_mm, BOX_SEARCH_MM)
        if not found:
            return math.inf
        offsets.append(max(abs(a - b) for a, b in zip(_edges(frame), _edges(rect), strict=True)))
    if not offsets:
        return math.inf if outlines else 0.0
    return max(offsets)


def _edges(rect: Sequence[float]) -> tuple[float, float, float, float]:
    x, y, w, h = rect
    return x, y, x + w, y + h


def _locate_frame(
    ink: Array, rect: Sequence[float], border_mm: float, px_mm: float, search_mm: float
) -> tuple[list[float], bool]:
    """The printed frame's rect (mm) near the layout's, edge by edge from darkness
    profiles: a frame line spans the whole side, a pen stroke does not."""
    x, y, w, h = rect
    pad = search_mm + border_mm + 0.5
    y0 = max(0, math.floor(_px(y - pad, px_mm)))
    x0 = max(0, math.floor(_px(x - pad, px_mm)))
    y1 = min(ink.shape[0], math.ceil(_px(y + h + pad, px_mm)) + 1)
    x1 = min(ink.shape[1], math.ceil(_px(x + w + pad, px_mm)) + 1)
    region = ink[y0:y1, x0:x1]
    if region.size == 0:
        return list(rect), False
    _, dark = _paper_and_dark(region)
    edges = []
    seen = 0
    # columns are profiled over the middle of the height (corners belong to both)
    for axis, lo, length, origin in ((0, x, w, x0), (1, y, h, y0)):
        other_lo, other_len, other_origin = (y, h, y0) if axis == 0 else (x, w, x0)
        a = max(0, round(_px(other_lo + 0.2 * other_len, px_mm)) - other_origin)
        b = max(a + 1, round(_px(other_lo + 0.8 * other_len, px_mm)) - other_origin)
        band = dark[a:b, :] if axis == 0 else dark[:, a:b]
        profile = band.mean(axis=0 if axis == 0 else 1)
        for centre_mm in (lo + border_mm / 2, lo + length - border_mm / 2):
            c = _px(centre_mm, px_mm) - origin
            r = search_mm * px_mm
            i0, i1 = max(0, math.floor(c - r)), min(len(profile), math.ceil(c + r) + 1)
            if i1 <= i0:
                edges.append(centre_mm)
                continue
            i = i0 + int(np.argmax(profile[i0:i1]))
            visible = profile[i] > OUTLINE_SEEN * 255.0
            seen += visible
            edges.append((i + origin + 0.5) / px_mm if visible else centre_mm)
    left, right, top, bottom = edges
    frame = [left - border_mm / 2, top - border_mm / 2, right - left + border_mm]
    return [*frame, bottom - top + border_mm], seen == 4


def _measure_signature(
    ink: Array, view: Array, rect: Sequence[float], px_mm: float
) -> tuple[float, bool | None, Array, bool]:
    crop = _crop(view, rect, px_mm, CROP_MARGIN_MM)
    frame, found = _locate_frame(ink, rect, SIG_BORDER_MM, px_mm, BOX_SEARCH_MM)
    iy0, iy1, ix0, ix1 = _interior(frame, SIG_INSET_MM, px_mm)
    iy0, ix0 = max(iy0, 0), max(ix0, 0)
    region = ink[iy0:iy1, ix0:ix1]
    if region.size == 0:
        return 0.0, None, crop, False
    # local paper: a max filter wider than any stroke follows shadows and gradients
    small = cv2.resize(region, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    k = max(3, round(0.75 * px_mm)) | 1  # 3 mm at quarter size
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.GaussianBlur(paper, (0, 0), k / 2)
    paper = cv2.resize(paper, (region.shape[1], region.shape[0]), interpolation=cv2.INTER_LINEAR)
    paper_f = np.maximum(paper.astype(np.float32), 1.0)
    dark = (paper_f - region.astype(np.float32)) * (255.0 / paper_f)
    # a phone photo's sensor noise can reach the ink threshold: stay 4 sigma above it
    sample = dark[::2, ::2]
    centre = float(np.median(sample))
    sigma = 1.4826 * float(np.median(np.abs(sample - centre)))
    mask = (dark > max(INK_DARKER * 255.0, centre + 4.0 * sigma)).astype(np.uint8)
    # dust is anything tiny in either sense; every signature stroke is long and wide
    labels, area, span = _components(mask)
    keep = (area >= DUST_AREA_MM2 * px_mm * px_mm) & (span >= DUST_MM * px_mm)
    mask = _keep(mask, keep, labels)
    value = float(np.count_nonzero(mask)) / float(region.size)
    cols = np.flatnonzero(mask.any(axis=0))
    span_mm = (cols[-1] - cols[0] + 1) / px_mm if cols.size else 0.0
    signed: bool | None
    if value >= SIGNATURE_SIGNED and span_mm >= SIGNATURE_MIN_SPAN_MM:
        signed = True
    elif value < SIGNATURE_UNSIGNED:
        signed = False
    else:
        signed = None
    return round(value, 5), signed if found else None, crop, found


def measure(
    rectified: Array, layout_page: Mapping[str, Any], dpi_out: float = 150.0
) -> Measurement:
    """Ink cover of every box and of the signature field on a rectified page (gray or
    RGB; RGB is read through its darkest channel so blue ink counts)."""
    px_mm = dpi_out / MM_PER_INCH
    ink = ink_gray(rectified)
    located = _outlines(ink, layout_page, px_mm)
    fallback = _typical_shift([outline for outline, _, _ in located])
    boxes = [
        _measure_box(rectified, box, px_mm, found, fallback)
        for box, found in zip(layout_page.get("boxes", []), located, strict=True)
    ]
    problems = [
        f"box {b.clause}/{b.answer}: printed outline not found" for b in boxes if not b.outline
    ]
    signature = layout_page.get("signature")
    sig_ink: float | None = None
    signed: bool | None = None
    sig_crop: Array | None = None
    if signature:
        sig_ink, signed, sig_crop, found = _measure_signature(
            ink, rectified, signature["rect_mm"], px_mm
        )
        if not found:
            problems.append("signature field: printed frame not found")
    fields = [
        FieldCrop(f["field"], _crop(rectified, f["rect_mm"], px_mm, 1.0))
        for f in layout_page.get("fields", [])
    ]
    return Measurement(boxes, sig_ink, signed, sig_crop, fields, problems)
