"""Measuring the ink on the upright page: each box and what was written around it, the
signature field's strokes, and the crops a reviewer looks at.

This module only MEASURES. What the measurements mean (a mark, a circled answer, a
signature) is decided in ``rules/marks.py`` (``read_box``, ``classify_signature``,
``decide_answers``). Coordinates are layout millimetres from the page's top-left corner.

The page comes as a ``PageView`` (or a whole upright page): only two regions are
warped and looked at, the answers (every box with its printed word and room around
them) and the signature field with room around it, plus the fields a reviewer sees.

What was written is told from what was printed by where the print is: the box
outlines and the signature frame are located on the page and taken out with the blurred
fringes along them (a stroke that crosses one is joined again across the gap), and the
printed answer words are the ink wholly inside the place the layout gives them. What
is left are strokes: connected ink, measured in millimetres; dust and speckle are
strokes too small in either sense. In the signature field, a straight line that runs
right across it and on beyond (a fold's crease, a shadow's or the paper's edge) is taken
out first: a signature's strokes start and end in or near the field. Ink is judged
against the region's own print, so that the other side of thin paper, shining through,
is not ink.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from formgen.scan.pixels import MM_PER_INCH, Array, _percentile, median
from formgen.scan.view import ArrayView, PageView

BOX_INSET_MM = 1.0  # interior = outline's outer edge moved in by this (border is 0.45 mm)
BOX_BORDER_MM = 0.45
BOX_SEARCH_MM = 1.6  # how far the printed outline may sit from where registration says
OUTLINE_SEEN = 0.35  # share of full darkness the outline must show to count as found
OUTLINE_BAND_MM = 0.4  # taken out on either side of a located outline or frame line
FRINGE_MM = 0.7  # ink wholly this near a printed line is its blurred edge (phone photos)
SIG_BORDER_MM = 0.35
SIG_MARGIN_MM = 4.0  # room round the signature field: its frame, the crop, strokes leaving
INK_DARKER = 0.09  # a pixel is ink when it is this much darker than the local paper
SHOW_THROUGH = 0.17  # and somewhere this share of the region's print (PRINT_PERCENTILE)
PRINT_PERCENTILE = 99.5  # the print's darkness: box outlines, words, the field's frame
DUST_MM = 0.8  # ink narrower than this (bounding box) or smaller than DUST_AREA_MM2 is dust
DUST_AREA_MM2 = 0.16
BOX_SPECK_MM2 = 0.8  # in a box, compact ink (area below this and span below BOX_SPECK_MM)
BOX_SPECK_MM = 1.5  # is a speck or a stray dot, not a mark
# The printed answer word ("Ja", "Nee", "Yes", "No") next to its box: it starts about
# 2 mm to the right (templates/_form.html), bold, 2.5-3 mm high, 3-9 mm wide. Print
# wholly inside this place is the word; where it is, is measured on the page.
LABEL_GAP_MM = 2.0
LABEL_CORE_MM = (0.8, 13.0, 3.0)  # from the box's right edge: start, end; half height
DEFAULT_WORD_MM = 5.0  # a word's width when its print is not found
DEFAULT_WORD_INK = 0.4  # and the share of its place its bold print covers
# Room around a box for a loop drawn round it, its word, or both.
ZONE_MM = (5.0, 4.5, 17.0)  # left of the box, above and below, right of the box
RING_SECTORS = 24
CROP_MARGIN_MM = 2.0
# A crease, a shadow's edge, a staple's or the paper's edge: a straight line that runs
# on right across a region (into its margins on both ends), not strokes that start and
# end in it. Found as lines with ink along THROUGH_COVER of their length (a crease
# fades in stretches) and at both ends; taken out as wide as they are, up to
# THROUGH_WIDTH_MM (a shadow's edge is wide), wherever they wander within THROUGH_TOL_MM.
THROUGH_MIN_MM = 15.0
THROUGH_PIECE_MM = 4.0  # a straight piece this long is looked at on its own
THROUGH_DASH_MM = 1.2  # shorter straight pieces only where several share a line
THROUGH_ELONGATION = 3.0  # straight: this many times longer than wide
THROUGH_COVER = 0.7  # share of a line's length (and of each end's sixth) as ink, or
THROUGH_FAINT = 0.012  # where it is no ink, darker than beside it by this (median)
THROUGH_SIDE_MM = 1.0  # "beside": this far from the line and more
THROUGH_APART = 1.5  # and by this (0..255) more than lines beside it (noise, dither)
THROUGH_TOL_MM = 0.5
THROUGH_WIDTH_MM = 3.5
THROUGH_CANDIDATES = 12
AXIS = math.radians(8.0)  # a crease through the boxes runs this near along or across
CREASE_MM = 0.6  # through the boxes: ink this far either side of a crease's goes with it
# A staple in the signature field is not a signature: a straight solid bar this long
# (its crown 12-13 mm, a bent leg 4-6 mm) and this wide (wire 0.6-0.8 mm and its shadow,
# blurred), this many times longer than wide, filling this share of its rectangle.
STAPLE_MM = (3.5, 15.0)
STAPLE_WIDE_MM = (0.45, 2.0)
STAPLE_ELONGATION = 2.5
STAPLE_FILL = 0.75
# Nor is a straight thin line (a crease's stretch): at most this wide (its rectangle's
# short side, blur included) and this many times longer than wide.
LINE_WIDE_MM = 1.2
LINE_ELONGATION = 6.0
LINE_REST = 0.05  # lines that cross: all but this share of the piece lies on them
LINE_SHARE = 0.25  # and each holds this much at least of what the others leave
LINE_FILLED = 0.9  # and has ink along this share of the length it spans


@dataclass
class BoxReading:
    clause: str
    answer: str  # "yes" | "no"
    ink: float  # 0..1 cover of the interior by the box's own strokes (rules.Thresholds)
    outline: bool  # the printed outline was found: False = do not trust ``ink``
    crop: Array  # the box and ~2 mm around it, for a reviewer
    stroke_mm: float = 0.0  # the longest piece of ink inside (bounding-box side)
    blob_mm2: float = 0.0  # the largest piece of ink inside
    foreign_mm2: float = 0.0  # ink inside from a stroke whose bulk is in another box
    ring: float = 0.0  # how far round the answer (word, box or both) a loop goes, 0..1
    ring_struck: float = 0.0  # share of the printed word covered by writing (struck out)

    def evidence(self) -> dict[str, float]:
        """The numbers ``rules.read_box`` decides on."""
        return {
            "ink": self.ink,
            "stroke_mm": self.stroke_mm,
            "blob_mm2": self.blob_mm2,
            "foreign_mm2": self.foreign_mm2,
            "ring": self.ring,
            "ring_struck": self.ring_struck,
        }


@dataclass
class SignatureInk:
    """What was written in the signature field: the strokes that touch its inside (one
    that leaves the field counts as far as SIG_MARGIN_MM beyond its frame)."""

    ink: float  # 0..1 cover of the field's interior by strokes
    longest_mm: float  # the largest stroke's extent (bounding-box diagonal)
    length_mm: float  # the strokes' length together (ink / the pen's width)
    strokes: int  # strokes of DUST_MM or more
    found: bool  # the printed frame was found


@dataclass
class FieldCrop:
    field: str
    crop: Array


@dataclass
class Measurement:
    boxes: list[BoxReading]
    signature: SignatureInk | None  # None: the page has no signature field
    signature_crop: Array | None
    fields: list[FieldCrop]
    problems: list[str] = field(default_factory=list)  # any entry: a person must look

    @property
    def signature_ink(self) -> float | None:
        return None if self.signature is None else self.signature.ink

    def ink(self, clause: str, answer: str) -> float:
        return self.box(clause, answer).ink

    def box(self, clause: str, answer: str) -> BoxReading:
        return next(b for b in self.boxes if b.clause == clause and b.answer == answer)


def _px(mm: float, px_mm: float) -> float:
    """Layout mm to the upright page's pixel-centre coordinate."""
    return mm * px_mm - 0.5


def _view(page: PageView | Array, dpi: float) -> PageView:
    return page if isinstance(page, PageView) else ArrayView(page, dpi)


def _block(view: PageView, rect: Sequence[float], margin_mm: float) -> tuple[Array, int, int]:
    """The pixels around a rect (mm), and the block's top-left pixel."""
    px_mm = view.dpi / MM_PER_INCH
    x, y, w, h = rect
    return view.region(
        math.floor(_px(x - margin_mm, px_mm)),
        math.floor(_px(y - margin_mm, px_mm)),
        math.ceil(_px(x + w + margin_mm, px_mm)) + 1,
        math.ceil(_px(y + h + margin_mm, px_mm)) + 1,
    )


def _crop(view: PageView, rect: Sequence[float], margin_mm: float) -> Array:
    return _block(view, rect, margin_mm)[0].copy()


def _crop_from(
    block: Array, c0: int, r0: int, rect: Sequence[float], margin_mm: float, px_mm: float
) -> Array:
    """A crop of a block already warped (it holds the rect and the margin)."""
    x, y, w, h = rect
    x0 = max(0, math.floor(_px(x - margin_mm, px_mm)) - c0)
    y0 = max(0, math.floor(_px(y - margin_mm, px_mm)) - r0)
    x1 = max(x0, math.ceil(_px(x + w + margin_mm, px_mm)) + 1 - c0)
    y1 = max(y0, math.ceil(_px(y + h + margin_mm, px_mm)) + 1 - r0)
    return block[y0:y1, x0:x1].copy()


def _local(rect: Sequence[float], c0: int, r0: int, px_mm: float) -> list[float]:
    """A layout rect in the mm of a block that starts at pixel (c0, r0)."""
    x, y, w, h = rect
    return [x - c0 / px_mm, y - r0 / px_mm, w, h]


def _interior(rect: Sequence[float], inset: float, px_mm: float) -> tuple[int, int, int, int]:
    """Pixel slice bounds (y0, y1, x0, x1) of the pixels whose centres lie in the rect
    moved in by ``inset`` mm on every side (may be negative: moved out)."""
    x, y, w, h = rect
    x0 = math.ceil(_px(x + inset, px_mm))
    x1 = math.floor(_px(x + w - inset, px_mm)) + 1
    y0 = math.ceil(_px(y + inset, px_mm))
    y1 = math.floor(_px(y + h - inset, px_mm)) + 1
    return max(y0, 0), max(y1, 0), max(x0, 0), max(x1, 0)


# --- Paper, ink, strokes ------------------------------------------------------------------


def _darkness(region: Array, px_mm: float) -> Array:
    """0..255 (uint8) how much darker than the local paper each pixel is, relative to
    the paper: a max filter wider than any stroke follows shadows and gradients
    (phone photos)."""
    h, w = region.shape
    if h < 8 or w < 8:
        paper = np.full_like(region, max(round(_percentile(region, 90)), 1))
    else:
        small = cv2.resize(region, (max(w // 4, 2), max(h // 4, 2)), interpolation=cv2.INTER_AREA)
        k = max(3, round(0.75 * px_mm)) | 1  # 3 mm at quarter size
        paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
        paper = cv2.GaussianBlur(paper, (0, 0), k / 2)
        paper = cv2.resize(paper, (w, h), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(cv2.subtract(paper, region), cv2.max(paper, 1), scale=255)


def _ink_mask(dark: Array) -> Array:
    """Ink: darker than the paper by INK_DARKER, and by four times the noise (a phone
    photo's sensor noise can reach the threshold); and only where it is somewhere as
    dark as SHOW_THROUGH of the region's own print: the other side of thin paper
    shines through at up to ~15 % of its darkness, softened, while a mark made on this
    side, even in pencil, is darker than that along its core."""
    sample = np.ascontiguousarray(dark[::2, ::2])
    centre = _percentile(sample, 50)
    sigma = 1.4826 * _percentile(cv2.absdiff(sample, round(centre)), 50)
    threshold = max(INK_DARKER * 255.0, centre + 4.0 * sigma)
    ink = cv2.threshold(dark, threshold, 1, cv2.THRESH_BINARY)[1]
    core = SHOW_THROUGH * _percentile(sample, PRINT_PERCENTILE)
    if core <= threshold:
        return ink
    n, labels = cv2.connectedComponents(ink, connectivity=8)
    strong = np.zeros(n, bool)
    strong[labels[dark > core]] = True
    strong[0] = False
    if strong[1:].all():
        return ink
    return strong[labels].astype(np.uint8)


def _components(mask: Array) -> tuple[Array, Array, Array, Array]:
    """Labels and per-label stats (x, y, w, h, area) of 8-connected ink; spans (longer
    bounding-box side) and areas as their own arrays for the filters."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    span = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    return labels, stats, span, stats[:, cv2.CC_STAT_AREA]


def _keep(keep: Array, labels: Array) -> Array:
    keep = keep.copy()
    keep[0] = False
    return keep[labels].astype(np.uint8)


def _square(size: int) -> Array:
    return cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))


def _strip_lines(
    ink: Array, lines: _Lines, px_mm: float, join: bool = True
) -> tuple[Array, Array, Array, Array]:
    """Ink with the printed lines taken out, without the fringes a line blurred wider
    than its band leaves along it (ink wholly within FRINGE_MM of the band) and without
    specks (ink tiny in either sense: dust, speckle, a full stop); with ``join``, where a
    stroke crosses a line it is joined again (and labelled again). Returns the writing
    (with the dropped labels still in it, unless joined), its labels, stats and which
    labels are dropped (``_components``)."""
    hw = cv2.subtract(ink, lines.band)
    labels, stats, span, area = _components(hw)
    drop = _fringes(stats, lines)
    drop |= (area < DUST_AREA_MM2 * px_mm * px_mm) | (span < DUST_MM * px_mm)
    drop[0] = True
    if not join:
        return hw, labels, stats, drop
    if drop[1:].any():
        lut = np.arange(len(stats), dtype=labels.dtype)
        lut[drop] = 0
        labels = lut[labels]
        hw = (labels > 0).astype(np.uint8)
    joined = _bridge(hw, ink, lines)
    if joined is not None:  # strokes cross the lines: label them again
        hw = joined
        labels, stats, _, _ = _components(hw)
        drop = np.zeros(len(stats), bool)
        drop[0] = True
    return hw, labels, stats, drop


def _fringes(stats: Array, lines: _Lines) -> Array:
    """Labels wholly within the fringe zone round a printed rectangle's line: their
    bounding box lies inside the zone's outer edge and clear of its hole."""
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    x1, y1 = x + stats[:, cv2.CC_STAT_WIDTH], y + stats[:, cv2.CC_STAT_HEIGHT]
    found = np.zeros(len(stats), bool)
    for (oy0, oy1, ox0, ox1), (hy0, hy1, hx0, hx1) in lines.zones:
        inside = (x >= ox0) & (x1 <= ox1) & (y >= oy0) & (y1 <= oy1)
        clear = (x1 <= hx0) | (x >= hx1) | (y1 <= hy0) | (y >= hy1)
        found |= inside & clear
    return found


@dataclass
class _Lines:
    """Printed rectangles' lines in a block: ``band`` the pixels taken out as print,
    ``zones`` each line's band and FRINGE_MM more as (outer, hole) pixel bounds,
    ``strips`` (y0, y1, x0, x1) windows that hold the band's sides, where crossing
    strokes are joined again."""

    band: Array
    zones: list[tuple[tuple[int, int, int, int], tuple[int, int, int, int]]]
    strips: list[tuple[int, int, int, int]]
    gap_px: int  # the band's width


def _lines(
    shape: tuple[int, int], rects: Sequence[Sequence[float]], border_mm: float, px_mm: float
) -> _Lines:
    band = np.zeros(shape, np.uint8)
    zones = []
    strips = []
    gap = max(1, round((border_mm + 2 * OUTLINE_BAND_MM) * px_mm))
    k = gap + 3
    for rect in rects:
        oy0, oy1, ox0, ox1 = _interior(rect, -OUTLINE_BAND_MM, px_mm)
        iy0, iy1, ix0, ix1 = _interior(rect, border_mm + OUTLINE_BAND_MM, px_mm)
        band[oy0:oy1, ox0:ox1] = 1
        band[iy0:iy1, ix0:ix1] = 0
        zones.append(
            (
                _interior(rect, -OUTLINE_BAND_MM - FRINGE_MM, px_mm),
                _interior(rect, border_mm + OUTLINE_BAND_MM + FRINGE_MM, px_mm),
            )
        )
        y0, y1, x0, x1 = max(oy0 - k, 0), oy1 + k, max(ox0 - k, 0), ox1 + k
        strips += [
            (y0, iy0 + k, x0, x1),
            (max(iy1 - k, 0), y1, x0, x1),
            (y0, y1, x0, ix0 + k),
            (y0, y1, max(ix1 - k, 0), x1),
        ]
    return _Lines(band, zones, strips, gap)


def _bridge(hw: Array, ink: Array, lines: _Lines) -> Array | None:
    """Writing joined again where a stroke crosses a printed line taken out: a band
    pixel that is ink and lies between writing on both sides (a closing over the gap)
    is writing. None when nothing was joined."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (lines.gap_px + 3, lines.gap_px + 3))
    joined = None
    for y0, y1, x0, x1 in lines.strips:
        part = hw[y0:y1, x0:x1]
        if not part.any():
            continue
        closed = cv2.morphologyEx(part, cv2.MORPH_CLOSE, kernel)
        add = closed & lines.band[y0:y1, x0:x1] & ink[y0:y1, x0:x1] & (1 - part)
        if add.any():
            if joined is None:
                joined = hw.copy()
            joined[y0:y1, x0:x1] |= add
    return joined


# --- Straight lines right across a region: creases and edges, not writing -----------------


@dataclass
class _Through:
    """Straight lines found right across a region: ``removed`` the ink taken out as
    theirs, ``near`` that with FRINGE_MM round it (ink wholly inside is their crumbs)."""

    removed: Array
    near: Array
    count: int


def _through_lines(
    ink: Array,
    dark: Array,
    printed: Array,
    px_mm: float,
    inside: tuple[int, int, int, int] | None = None,
    widest_mm: float | None = None,
) -> _Through | None:
    """Straight lines that run right across the region (``ink`` 0/1 and ``dark`` as
    ``_darkness``; the print located in ``printed`` left out of the judgement): Hough
    lines through some ink whose chord across the region is THROUGH_MIN_MM or longer
    and shows the line along it: as ink, or where it fades below the ink threshold as a
    faint ridge of darkness along the line. A signature's or a tick's strokes start
    and end inside; a fold's crease does not. ``inside`` (y0, y1, x0, x1): where small
    bits of ink are looked at too (a faint crease is dust-like dots there). None: no
    such line. ``widest_mm``: take out at most this far either side of the line's own
    ink (where writing crosses it, only the line's width goes), not all the ink it runs
    through; and look only along long straight pieces (a dark crease among boxes, where
    the shared lines of short pieces would cost more than the rest of the page)."""
    h, w = ink.shape
    if max(h, w) < THROUGH_MIN_MM * px_mm:
        return None
    tol = max(1, round(THROUGH_TOL_MM * px_mm))
    reach = tol + round(THROUGH_WIDTH_MM * px_mm)
    offsets = np.arange(-reach, reach + 1)
    removed = np.zeros_like(ink)
    accepted: list[tuple[float, float]] = []
    tested: list[tuple[float, float]] = []
    rest = ink
    for _ in range(3):  # crossing creases are one piece until one of them is out
        before = len(accepted)
        for rho, theta in _straight_pieces(rest, px_mm, inside, widest_mm is None):
            if any(abs(math.sin(theta - t)) < 0.03 and abs(rho - r) < tol for r, t in tested):
                continue
            if any(
                abs(math.sin(theta - t)) < 0.05 and abs(rho - r) < 2 * reach for r, t in accepted
            ):
                continue
            tested.append((rho, theta))
            grow = None if widest_mm is None else max(1, round(widest_mm * px_mm))
            cut = _chord(ink, dark, printed, rho, theta, offsets, tol, px_mm, grow)
            if cut is not None:
                removed |= cut
                accepted.append((rho, theta))
        if len(accepted) == before:
            break
        rest = cv2.subtract(ink, cv2.dilate(removed, _square(3)))
    if not accepted:
        return None
    removed = cv2.dilate(removed, _square(3)) & ink
    fringe = max(1, round(FRINGE_MM * px_mm))
    near = cv2.dilate(removed, _square(2 * fringe + 1))
    return _Through(removed, near, len(accepted))


def _straight_pieces(
    ink: Array, px_mm: float, inside: tuple[int, int, int, int] | None = None, shared: bool = True
) -> list[tuple[float, float]]:
    """Lines (rho, theta: x cos + y sin = rho) that straight pieces of ink lie on: each
    long straight piece's own, then (with ``shared``) the lines that several short ones
    share (within ``inside``: short straight pieces and small bits): a faint crease
    shows as dashes and dots."""
    n, labels = cv2.connectedComponents(ink, connectivity=8)
    if n <= 1:
        return []
    ys, xs = np.nonzero(labels)
    lab = labels[ys, xs]
    count = np.maximum(np.bincount(lab, minlength=n).astype(np.float64), 1)
    mx = np.bincount(lab, xs, n) / count
    my = np.bincount(lab, ys, n) / count
    sxx = np.bincount(lab, xs * xs, n) / count - mx * mx
    syy = np.bincount(lab, ys * ys, n) / count - my * my
    sxy = np.bincount(lab, xs * ys, n) / count - mx * my
    spread = np.sqrt(np.maximum((sxx - syy) ** 2 / 4 + sxy * sxy, 0))
    major = np.sqrt(np.maximum((sxx + syy) / 2 + spread, 0))
    minor = np.sqrt(np.maximum((sxx + syy) / 2 - spread, 0))
    length = major * math.sqrt(12)  # a bar's length from its second moment
    straight = (length >= THROUGH_DASH_MM * px_mm) & (major >= THROUGH_ELONGATION * minor)
    straight[0] = False
    voters = straight.copy()
    if inside is not None:  # there: straight pieces and small bits; the print round it not
        y0, y1, x0, x1 = inside
        within = (mx >= x0) & (mx < x1) & (my >= y0) & (my < y1)
        voters = (straight | (length < THROUGH_PIECE_MM * px_mm)) & within
        voters[0] = False
    if not (straight.any() or voters.any()):
        return []
    lines = []
    angle = 0.5 * np.arctan2(2 * sxy, sxx - syy)  # the major axis
    for k in np.flatnonzero(straight & (length >= THROUGH_PIECE_MM * px_mm)):
        theta = float(angle[k]) + math.pi / 2  # the normal
        lines.append((length[k], mx[k] * math.cos(theta) + my[k] * math.sin(theta), theta))
    lines.sort(reverse=True)
    found = [(rho, theta) for _, rho, theta in lines]
    if not shared:  # a fold's creases only: along the page or across it, give or take
        found = [(r, t) for r, t in found if abs(math.sin(2 * t)) <= math.sin(2 * AXIS)]
    pieces = voters[labels].astype(np.uint8)
    votes = max(8, round(2 * THROUGH_DASH_MM * px_mm))
    if shared:
        common = cv2.HoughLines(pieces, 1, np.pi / 360, votes)
    else:  # near the axes only: a fifth of the angles, of the time
        bands = [(0.0, AXIS), (math.pi / 2 - AXIS, math.pi / 2 + AXIS), (math.pi - AXIS, math.pi)]
        found_in = [
            cv2.HoughLinesWithAccumulator(pieces, 1, np.pi / 360, votes, None, 0, 0, a, b)
            for a, b in bands
        ]
        hits = [h.reshape(-1, 3) for h in found_in if h is not None and len(h)]
        common = None
        if hits:  # (rho, theta, votes): strongest first, as HoughLines gives them
            every = np.concatenate(hits)
            common = every[np.argsort(-every[:, 2], kind="stable"), None, :2]
    kept: list[tuple[float, float]] = []
    for r, t in [] if common is None else common[:, 0]:  # strongest first; one of a bundle
        if all(abs(r - r0) > 3 or abs(math.sin(t - t0)) > 0.035 for r0, t0 in kept):
            kept.append((float(r), float(t)))
            if len(kept) == THROUGH_CANDIDATES:
                break
    return found + kept


def _chord(
    ink: Array,
    dark: Array,
    printed: Array,
    rho: float,
    theta: float,
    offsets: Array,
    tol: int,
    px_mm: float,
    grow: int | None = None,
) -> Array | None:
    """The ink of one Hough line (pixel centres: x cos + y sin = rho) when the line
    runs right across the region; per step along it, the run of ink through the ink
    nearest the line (within ``tol``), which follows a crease that wanders a little;
    at most ``grow`` steps beyond that ink either way (None: as far as there is ink)."""
    h, w = ink.shape
    c, s = math.cos(theta), math.sin(theta)
    lo, hi = -math.inf, math.inf  # the chord: points rho * n + t * d inside the region
    for p0, dp, size in ((rho * c, -s, w), (rho * s, c, h)):
        if abs(dp) < 1e-9:
            if not 0 <= p0 <= size - 1:
                return None
            continue
        a, b = (0 - p0) / dp, (size - 1 - p0) / dp
        lo, hi = max(lo, min(a, b)), min(hi, max(a, b))
    if hi - lo < THROUGH_MIN_MM * px_mm:
        return None
    t = np.arange(math.ceil(lo), math.floor(hi) + 1, dtype=np.float64)
    xs = rho * c - t[:, None] * s + offsets[None, :] * c
    ys = rho * s + t[:, None] * c + offsets[None, :] * s
    xi = np.clip(np.rint(xs).astype(np.int64), 0, w - 1)
    yi = np.clip(np.rint(ys).astype(np.int64), 0, h - 1)
    grid = ink[yi, xi] > 0
    middle = len(offsets) // 2
    centre = slice(middle - tol, middle + tol + 1)
    known = printed[yi[:, middle], xi[:, middle]] == 0
    core = grid[:, centre].any(axis=1)
    # where the line is no ink: is it there all the same, fainter (a crease fades)? The
    # darkest of each step's window on the line against the same at lines beside it,
    # so that noise, dither and other writing the chord crosses weigh the same there
    depth = dark[yi, xi]
    away = 2 * tol + 1 + round(THROUGH_SIDE_MM * px_mm)
    shifts = [k for k in (-2 * away, -away, away, 2 * away) if abs(k) + tol <= middle]
    windows = [depth[:, middle + k - tol : middle + k + tol + 1].max(axis=1) for k in [0, *shifts]]
    edges = np.min(windows[1:3], axis=0) if len(windows) >= 3 else windows[0]  # the nearer
    # steps where a line beside runs over print (a box's side along a crease through
    # its column) say nothing about a faint line: darkness there is the print's
    on_print = printed[yi, xi] > 0
    clear = (
        ~np.any(
            [on_print[:, middle + k - tol : middle + k + tol + 1].any(axis=1) for k in shifts],
            axis=0,
        )
        if shifts
        else np.ones(len(t), bool)
    )
    sixth = max(len(t) // 6, 1)
    for part in (slice(None), slice(0, sixth), slice(len(t) - sixth, len(t))):
        on, seen = core[part], known[part]
        if seen.sum() < 0.5 * len(on):
            return None
        if float(on[seen].mean()) >= THROUGH_COVER:
            continue
        off = seen & ~on
        if np.count_nonzero(off & clear[part]) >= max(8, 0.25 * np.count_nonzero(off)):
            off &= clear[part]
        ridge = float(median(windows[0][part][off] - edges[part][off]))
        on_line, *beside = (float(median(w[part][off])) for w in windows)
        if ridge < THROUGH_FAINT * 255 or not beside or on_line - max(beside) < THROUGH_APART:
            return None
    # the run of ink through the ink nearest the line, along each step
    order = np.argsort(np.abs(offsets), kind="stable")[: 2 * tol + 1]
    anchor = np.full(len(t), -1)
    for j in order:
        anchor[(anchor < 0) & grid[:, j]] = j
    rows = np.flatnonzero(anchor >= 0)
    run = np.zeros_like(grid)
    run[rows, anchor[rows]] = True
    for step in (1, -1):  # grow the run both ways while there is ink
        j = anchor[rows].copy()
        live = rows.copy()
        for _ in range(len(offsets) if grow is None else grow):
            if not live.size:
                break
            j = j + step
            inside = (j >= 0) & (j < len(offsets))
            live, j = live[inside], j[inside]
            ok = grid[live, j]
            live, j = live[ok], j[ok]
            run[live, j] = True
    cut = np.zeros_like(ink)
    cut[yi[run], xi[run]] = 1
    return cut


# --- Box outlines ---------------------------------------------------------------------------


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
    """The printed outline near the layout's (``rect`` in the mm of ``dark``): absorbs
    what registration left over so the inset stays clear of the border, and checks the
    registration where it counts."""
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


def _typical_shift(outlines: Sequence[_Outline]) -> tuple[float, float]:
    clean = [(o.dx, o.dy) for o in outlines if o.clean and o.seen]  # fills give no position
    if not clean:
        return 0.0, 0.0
    dx, dy = median(clean, axis=0)
    return float(dx), float(dy)


@dataclass
class _Answers:
    """The answers region: its pixels, darkness and ink, and each box's outline."""

    gray: Array
    c0: int
    r0: int
    dark: Array  # uint8, see _darkness
    outlines: list[_Outline]
    moved: list[list[float]]  # each box's rect where its outline is, in region mm
    shifts: list[tuple[float, float]]  # and how far that is from the layout's (mm)


def _answers(view: PageView, boxes: Sequence[Mapping[str, Any]]) -> _Answers | None:
    """The answers region of the upright page, its boxes' outlines located (once per
    view: checking the registration and measuring both need it)."""
    if not boxes:
        return None
    key = ("answers", id(boxes))
    if key not in view.memo:
        view.memo[key] = _find_answers(view, boxes)
    return view.memo[key]


def _find_answers(view: PageView, boxes: Sequence[Mapping[str, Any]]) -> _Answers:
    px_mm = view.dpi / MM_PER_INCH
    left, up, right = ZONE_MM
    x0 = min(b["rect_mm"][0] for b in boxes) - left
    y0 = min(b["rect_mm"][1] for b in boxes) - up
    x1 = max(b["rect_mm"][0] + b["rect_mm"][2] for b in boxes) + right
    y1 = max(b["rect_mm"][1] + b["rect_mm"][3] for b in boxes) + up
    gray, c0, r0 = _block(view, [x0, y0, x1 - x0, y1 - y0], 0.0)
    dark = _darkness(gray, px_mm)
    dark_f = dark.astype(np.float32)
    outlines = [
        _locate_outline(
            dark_f, _local(b["rect_mm"], c0, r0, px_mm), BOX_BORDER_MM, px_mm, BOX_SEARCH_MM
        )
        for b in boxes
    ]
    fallback = _typical_shift(outlines)
    moved, shifts = [], []
    for box, outline in zip(boxes, outlines, strict=True):
        # inked all round (a fill): its position is a guess; the clean boxes' is not
        dx, dy = (outline.dx, outline.dy) if outline.clean else fallback
        x, y, w, h = _local(box["rect_mm"], c0, r0, px_mm)
        moved.append([x + dx, y + dy, w, h])
        shifts.append((dx, dy))
    return _Answers(gray, c0, r0, dark, outlines, moved, shifts)


def layout_offset(page: PageView | Array, layout_page: Mapping[str, Any], dpi_out: float) -> float:
    """How far (mm) the printed boxes and signature frame lie from where the layout
    puts them on the upright page; inf when one is missing or none is measurable.
    Independent of the registration marks, so it catches a fit the marks and the QR
    code agree on wrongly (they have little leverage at the middle of the page)."""
    view = _view(page, dpi_out)
    px_mm = view.dpi / MM_PER_INCH
    answers = _answers(view, layout_page.get("boxes", []))
    outlines = answers.outlines if answers is not None else []
    if not all(o.seen for o in outlines):
        return math.inf
    offsets = [math.hypot(o.dx, o.dy) for o in outlines if o.clean]
    signature = layout_page.get("signature")
    if signature:
        rect = signature["rect_mm"]
        _, c0, r0, frame, found = _signature_field(view, rect)
        if not found:
            return math.inf
        local = _local(rect, c0, r0, px_mm)
        offsets.append(max(abs(a - b) for a, b in zip(_edges(frame), _edges(local), strict=True)))
    if not offsets:
        return math.inf if outlines else 0.0
    return max(offsets)


def _edges(rect: Sequence[float]) -> tuple[float, float, float, float]:
    x, y, w, h = rect
    return x, y, x + w, y + h


def _signature_field(
    view: PageView, rect: Sequence[float]
) -> tuple[Array, int, int, list[float], bool]:
    """The signature field's block (with SIG_MARGIN_MM round it) and its printed frame
    located in it (block mm): once per view, for checking the registration and for
    measuring."""
    key = ("signature", tuple(rect))
    if key not in view.memo:
        px_mm = view.dpi / MM_PER_INCH
        gray, c0, r0 = _block(view, rect, SIG_MARGIN_MM)
        frame, found = _locate_frame(gray, _local(rect, c0, r0, px_mm), SIG_BORDER_MM, px_mm)
        view.memo[key] = (gray, c0, r0, frame, found)
    return view.memo[key]


def _locate_frame(
    gray: Array, rect: Sequence[float], border_mm: float, px_mm: float
) -> tuple[list[float], bool]:
    """The printed frame's rect (mm of ``gray``) near the layout's, edge by edge from
    darkness profiles: a frame line spans the whole side, a pen stroke does not."""
    x, y, w, h = rect
    search_mm = BOX_SEARCH_MM
    if gray.size == 0:
        return list(rect), False
    white = _percentile(gray, 90)
    dark = np.clip(white - gray.astype(np.float32), 0.0, 255.0) * (255.0 / max(white, 1.0))
    edges = []
    seen = 0
    # columns are profiled over the middle of the height (corners belong to both)
    for axis, lo, length in ((0, x, w), (1, y, h)):
        other_lo, other_len = (y, h) if axis == 0 else (x, w)
        a = max(0, round(_px(other_lo + 0.2 * other_len, px_mm)))
        b = max(a + 1, round(_px(other_lo + 0.8 * other_len, px_mm)))
        band = dark[a:b, :] if axis == 0 else dark[:, a:b]
        profile = band.mean(axis=0 if axis == 0 else 1)
        for centre_mm in (lo + border_mm / 2, lo + length - border_mm / 2):
            c = _px(centre_mm, px_mm)
            r = search_mm * px_mm
            i0, i1 = max(0, math.floor(c - r)), min(len(profile), math.ceil(c + r) + 1)
            if i1 <= i0:
                edges.append(centre_mm)
                continue
            i = i0 + int(np.argmax(profile[i0:i1]))
            visible = profile[i] > OUTLINE_SEEN * 255.0
            seen += visible
            edges.append((i + 0.5) / px_mm if visible else centre_mm)
    left, right, top, bottom = edges
    frame = [left - border_mm / 2, top - border_mm / 2, right - left + border_mm]
    return [*frame, bottom - top + border_mm], seen == 4


# --- Boxes: own strokes, strokes from elsewhere, loops round the answer ---------------------


def _writing(
    answers: _Answers, boxes: Sequence[Mapping[str, Any]], px_mm: float
) -> tuple[Array, Array, Array, list[_Word]]:
    """What was written in the answers region: ink without the box outlines (joined
    again where a stroke crosses them) and without the printed words; and where each
    box's word is (region mm)."""
    ink = _ink_mask(answers.dark)
    shape = ink.shape
    lines = _lines(shape, answers.moved, BOX_BORDER_MM, px_mm)
    # a fold's crease through the boxes, straight across the region and on beyond it,
    # is not a mark: taken out with its crumbs (a tick's stroke ends inside the region)
    through = _through_lines(
        cv2.subtract(ink, lines.band), answers.dark, lines.band, px_mm, None, CREASE_MM
    )
    if through is not None:
        # its crumbs go too, but not inside a box: there a faint tick the crease cut
        # through may be all that is left of it; and where writing in a box touches the
        # crease, the crease stays in that box (a tick along it is not taken for it:
        # ticked and creased is still ticked, at worst doubtful, never empty)
        removed = through.removed
        ink = cv2.subtract(ink, removed)
        crumbs = _components(cv2.subtract(ink, lines.band))
        near = through.near.copy()
        touching = cv2.dilate(removed, _square(3))
        for rect in answers.moved:
            y0, y1, x0, x1 = _interior(rect, BOX_INSET_MM, px_mm)
            near[y0:y1, x0:x1] = 0
            if (touching[y0:y1, x0:x1] & ink[y0:y1, x0:x1]).any():
                ink[y0:y1, x0:x1] |= removed[y0:y1, x0:x1]
        beyond = np.bincount(crumbs[0][near == 0].ravel(), minlength=len(crumbs[1]))
        ink[(beyond == 0)[crumbs[0]] & (crumbs[0] > 0)] = 0
    cores = np.zeros(shape, np.int32)  # which box's word place (1-based), 0 none
    for i, rect in enumerate(answers.moved):
        cy0, cy1, cx0, cx1 = _label_core(rect, px_mm)
        cores[cy0:cy1, cx0:cx1] = i + 1
    hw, labels, stats, dropped = _strip_lines(ink, lines, px_mm)
    # the printed words: ink wholly inside the place of one word
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    corner = cores[y, x]
    word = (corner > 0) & (corner == cores[y + h - 1, x + w - 1])
    word &= (corner == cores[y, x + w - 1]) & (corner == cores[y + h - 1, x])
    word &= ~dropped
    word[0] = False
    found: dict[int, list[int]] = {}
    printed: dict[int, int] = {}
    for k in np.flatnonzero(word):
        box = int(corner[k]) - 1
        x0, y0, x1, y1 = x[k], y[k], x[k] + w[k], y[k] + h[k]
        if box in found:
            a = found[box]
            found[box] = [min(a[0], x0), min(a[1], y0), max(a[2], x1), max(a[3], y1)]
        else:
            found[box] = [x0, y0, x1, y1]
        printed[box] = printed.get(box, 0) + int(stats[k, cv2.CC_STAT_AREA])
    printed_px = word[labels]
    hw = _keep(~word, labels) if word.any() else hw
    words = _words(answers.moved, boxes, found, printed, printed_px, ink, px_mm)
    if word.any():
        lut = np.arange(len(stats), dtype=labels.dtype)
        lut[word] = 0
        labels = lut[labels]
    return hw, labels, stats, words


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
    printed_px: Array,
    ink: Array,
    px_mm: float,
) -> list[_Word]:
    """Each box's printed word: as found (and taken out of the writing); else where the
    same answer's word, found clean elsewhere on the page, matches the ink best (its
    print is still in the writing: a loop or a scribble joined it)."""
    clean: dict[str, tuple[Array, float, float]] = {}  # answer: mask, offset from box (px)
    shares: dict[str, float] = {}
    for i, (a, b, c, d) in found.items():
        answer = boxes[i]["answer"]
        if answer not in clean:
            x, y, w, h = moved[i]
            clean[answer] = (
                printed_px[b:d, a:c].astype(np.float32),
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


def _measure_boxes(
    view: PageView, answers: _Answers, boxes: Sequence[Mapping[str, Any]], px_mm: float
) -> list[BoxReading]:
    hw, labels, stats, words = _writing(answers, boxes, px_mm)
    n = len(stats)
    interiors = [_interior(rect, BOX_INSET_MM, px_mm) for rect in answers.moved]
    inside = np.zeros((len(boxes), n), np.int64)  # pixels of each stroke inside each box
    for i, (y0, y1, x0, x1) in enumerate(interiors):
        inside[i] = np.bincount(labels[y0:y1, x0:x1].ravel(), minlength=n)
    inside[:, 0] = 0
    owner = np.argmax(inside, axis=0) if len(boxes) else np.zeros(n, np.int64)
    ys, xs = np.nonzero(hw)
    points = (xs, ys)
    # each box's own ink inside it, all boxes in one image (they do not overlap)
    own_ink = np.zeros_like(hw)
    foreign = []
    for i, (y0, y1, x0, x1) in enumerate(interiors):
        own = (owner == i) & (inside[i] > 0)
        own[0] = False
        own_ink[y0:y1, x0:x1] = own[labels[y0:y1, x0:x1]]
        foreign.append(int(inside[i].sum() - inside[i][own].sum()))
    pieces = _pieces(own_ink, interiors, px_mm)
    readings = []
    for i, box in enumerate(boxes):
        cover, stroke, blob = pieces[i]
        ring, struck = _ring(hw, points, answers.moved[i], words[i], px_mm)
        dx, dy = answers.shifts[i]
        x, y, w, h = box["rect_mm"]
        readings.append(
            BoxReading(
                box["clause"],
                box["answer"],
                round(cover, 4),
                answers.outlines[i].seen,
                _crop_from(
                    answers.gray,
                    answers.c0,
                    answers.r0,
                    [x + dx, y + dy, w, h],
                    CROP_MARGIN_MM,
                    px_mm,
                ),
                round(stroke, 2),
                round(blob, 2),
                round(foreign[i] / (px_mm * px_mm), 2),
                round(ring, 3),
                round(struck, 3),
            )
        )
    return readings


def _pieces(
    own_ink: Array, interiors: Sequence[tuple[int, int, int, int]], px_mm: float
) -> list[tuple[float, float, float]]:
    """Per box: the cover of its interior by its own ink, and its longest and largest
    piece. A speck must be both small and compact; a short stroke stays however small."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(own_ink, connectivity=8)
    span = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    area = stats[:, cv2.CC_STAT_AREA]
    big = (area >= BOX_SPECK_MM2 * px_mm * px_mm) | (span >= BOX_SPECK_MM * px_mm)
    keep = big & (area >= DUST_AREA_MM2 * px_mm * px_mm)
    keep[0] = False
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    found = []
    for y0, y1, x0, x1 in interiors:
        mine = keep & (x >= x0) & (x < x1) & (y >= y0) & (y < y1)
        size = max((y1 - y0) * (x1 - x0), 1)
        if not mine.any():
            found.append((0.0, 0.0, 0.0))
            continue
        found.append(
            (
                float(area[mine].sum()) / size,
                float(span[mine].max()) / px_mm,
                float(area[mine].max()) / (px_mm * px_mm),
            )
        )
    return found


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
        best = max(best, len(np.unique(sector)) / RING_SECTORS)
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


# --- The signature field --------------------------------------------------------------------


def _measure_signature(
    view: PageView, rect: Sequence[float], px_mm: float
) -> tuple[SignatureInk, Array]:
    gray, c0, r0, frame, found = _signature_field(view, rect)
    crop = _crop_from(gray, c0, r0, rect, CROP_MARGIN_MM, px_mm)
    iy0, iy1, ix0, ix1 = _interior(frame, SIG_BORDER_MM + OUTLINE_BAND_MM, px_mm)
    if gray.size == 0 or iy1 <= iy0 or ix1 <= ix0:
        return SignatureInk(0.0, 0.0, 0.0, 0, False), crop
    dark = _darkness(gray, px_mm)
    ink = _ink_mask(dark)
    lines = _lines(ink.shape, [frame], SIG_BORDER_MM, px_mm)
    # a fold's crease, a shadow's edge: straight through the field and on beyond it
    through = _through_lines(
        cv2.subtract(ink, lines.band), dark, lines.band, px_mm, (iy0, iy1, ix0, ix1)
    )
    if through is not None:
        ink = cv2.subtract(ink, through.removed)
    # a stroke that leaves the field is joined over the frame and counts whole (as far as
    # SIG_MARGIN_MM); the print round the field lies further off than a join reaches
    _, labels, stats, dropped = _strip_lines(ink, lines, px_mm)
    if through is not None:  # what is left of a line along it is crumbs, not strokes
        beyond = np.bincount(labels[through.near == 0].ravel(), minlength=len(stats))
        dropped = dropped | (beyond == 0)
    area = stats[:, cv2.CC_STAT_AREA]
    cut = labels[iy0:iy1, ix0:ix1]
    # strokes that touch the field's inside (print around the field does not)
    touching = np.bincount(cut.ravel(), minlength=len(stats)) > 0
    # a stroke's extent: its bounding box's diagonal, less a pixel each way (what the
    # pixel grid and the optics add to any mark)
    w, h = stats[:, cv2.CC_STAT_WIDTH] - 1, stats[:, cv2.CC_STAT_HEIGHT] - 1
    extent = np.hypot(np.maximum(w, 0), np.maximum(h, 0)) / px_mm
    big = touching & ~dropped & (extent >= DUST_MM)
    big &= ~_straight(labels, stats, big, px_mm)
    if not big.any():
        return SignatureInk(0.0, 0.0, 0.0, 0, found), crop
    inside = big[cut].astype(np.uint8)
    cover = float(np.count_nonzero(inside)) / float(inside.size)
    length = float(area[big].sum()) / _pen_width(inside) / px_mm
    signature = SignatureInk(
        round(cover, 5), round(float(extent[big].max()), 2), round(length, 1), int(big.sum()), found
    )
    return signature, crop


def _straight(labels: Array, stats: Array, candidates: Array, px_mm: float) -> Array:
    """Which pieces of ink are straight, not writing: a stretch of a crease or a
    shadow's edge that was not found right across the field (it fades), a ruled line,
    or a staple (its crown or a bent leg: a solid bar of steel wire). A pen's strokes
    bend; a straight one is at most a part of a signature (an underline), and a
    "signature" of straight lines only is read as none: a person then looks, and not
    signed is never consent."""
    found = np.zeros(len(stats), bool)
    for k in np.flatnonzero(candidates):
        x, y, w, h = stats[k, :4]
        ys, xs = np.nonzero(labels[y : y + h, x : x + w] == k)
        (_, _), (a, b), _ = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
        long, short = (max(a, b) + 1) / px_mm, (min(a, b) + 1) / px_mm
        fill = stats[k, cv2.CC_STAT_AREA] / (px_mm * px_mm * long * short)
        line = short <= LINE_WIDE_MM and long >= LINE_ELONGATION * short
        line = line or (
            long >= THROUGH_MIN_MM and _crossing_lines(labels[y : y + h, x : x + w] == k, px_mm)
        )
        staple = (
            STAPLE_MM[0] <= long <= STAPLE_MM[1]
            and STAPLE_WIDE_MM[0] <= short <= STAPLE_WIDE_MM[1]
            and long >= STAPLE_ELONGATION * short
            and fill >= STAPLE_FILL
        )
        found[k] = line or staple
    return found


def _crossing_lines(piece: Array, px_mm: float, most: int = 3) -> bool:
    """Whether a piece of ink is no more than a few straight lines (two creases of a
    fold crossing, joined into one piece): the strongest straight line through it
    taken out, then the next, leave (almost) nothing. A pen's strokes bend away."""
    ink = piece.astype(np.uint8)
    total = int(np.count_nonzero(ink))
    half = LINE_WIDE_MM / 2 * px_mm
    ys, xs = np.nonzero(ink)
    left = np.ones(len(xs), bool)
    for _ in range(most):
        before = np.count_nonzero(left)
        found = cv2.HoughLines(ink, 1, np.pi / 360, max(8, round(THROUGH_PIECE_MM * px_mm)))
        if found is None or not len(found):
            return False
        rho, theta = found[0, 0]
        on = np.abs(xs * math.cos(theta) + ys * math.sin(theta) - rho) <= half
        # a crease is one unbroken line: its pixels fill the length they span (the
        # strokes of a flat word that a band happens to hold leave gaps along it)
        along = np.rint(ys[on] * math.cos(theta) - xs[on] * math.sin(theta)).astype(np.int64)
        if not along.size or len(np.unique(along)) < LINE_FILLED * (np.ptp(along) + 1):
            return False
        left &= ~on
        if np.count_nonzero(left) <= LINE_REST * total:
            return True
        if np.count_nonzero(left) > (1 - LINE_SHARE) * before:  # writing: lines hold little
            return False
        ink[ys[on], xs[on]] = 0
    return False


def _pen_width(mask: Array) -> float:
    """The strokes' typical width (px): ink over the number of runs of ink along rows
    or along columns, whichever is less (across a stroke the run is its width)."""
    area = float(np.count_nonzero(mask))
    runs = [int(np.count_nonzero(np.diff(mask, axis=axis, prepend=0) == 1)) for axis in (0, 1)]
    return max(area / max(max(runs), 1), 1.0)


def measure(
    page: PageView | Array, layout_page: Mapping[str, Any], dpi_out: float = 150.0
) -> Measurement:
    """Every box with what was written round it, and the signature field, on the
    upright page (a ``PageView``, or the whole page as an array at ``dpi_out``)."""
    view = _view(page, dpi_out)
    px_mm = view.dpi / MM_PER_INCH
    boxes_layout = layout_page.get("boxes", [])
    answers = _answers(view, boxes_layout)
    boxes = [] if answers is None else _measure_boxes(view, answers, boxes_layout, px_mm)
    problems = [
        f"box {b.clause}/{b.answer}: printed outline not found" for b in boxes if not b.outline
    ]
    signature = layout_page.get("signature")
    sig: SignatureInk | None = None
    sig_crop: Array | None = None
    if signature:
        sig, sig_crop = _measure_signature(view, signature["rect_mm"], px_mm)
        if not sig.found:
            problems.append("signature field: printed frame not found")
    fields = [
        FieldCrop(f["field"], _crop(view, f["rect_mm"], 1.0)) for f in layout_page.get("fields", [])
    ]
    return Measurement(boxes, sig, sig_crop, fields, problems)
