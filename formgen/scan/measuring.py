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
strokes too small in either sense (``ink``). In the signature field, a straight line
that runs right across it and on beyond (a fold's crease, a shadow's or the paper's
edge) is taken out first (``creases``): a signature's strokes start and end in or near
the field. So is a crease through the answer boxes; in a box, only its bare line goes,
and what else touches it is measured apart (a crease can only add ink: what is on it
is a mark only if it is one by itself). Ink is judged against the print (the region's
own, or the page's solid print, the QR code's, where that is darker) and the paper's
noise, so that the other side of thin paper, shining through, is not ink.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from formgen.scan.answer_words import _label_core, _ring, _Word, _words
from formgen.scan.box_creases import CREASE_MM, _across_box, _bare, _bars, _line_through
from formgen.scan.creases import _through_lines
from formgen.scan.ink import (
    DUST_AREA_MM2,
    DUST_MM,
    FRINGE_MM,
    OUTLINE_BAND_MM,
    Capture,
    _components,
    _darkness,
    _ink_mask,
    _interior,
    _lines,
    _px,
    _square,
    _strip_lines,
    levels,
    other_side_typical,
    solid_print,
)
from formgen.scan.pixels import (
    MM_PER_INCH,
    Array,
    _percentile,
    components,
    median,
    nonzero,
    stroke_width,
)
from formgen.scan.signature import faint_marks, faint_strokes, not_writing
from formgen.scan.view import ArrayView, PageView

BOX_INSET_MM = 1.0  # interior = outline's outer edge moved in by this (border is 0.45 mm)
BOX_BORDER_MM = 0.45
BOX_SEARCH_MM = 1.6  # how far the printed outline may sit from where registration says
OUTLINE_SEEN = 0.35  # share of full darkness the outline must show to count as found
# A box's outline found far (LONE_MM) from where the other clean outlines all agree
# (within AGREE_MM of their median, at least AGREED of them) was found on ink, not on
# its print: a black scribble over a "no" box and round it (a correction) matched the
# outline 1 mm aside with paper round it, and a clean 300-dpi scan went to review as
# not registered (1 page of 1,200). Its position is the others' then, as a fill's. A
# wrong fit moves neighbouring boxes alike; good pages' outlines lie within 0.25 mm.
LONE_MM = 0.7
AGREE_MM = 0.25
AGREED = 3
SIG_BORDER_MM = 0.35
SIG_MARGIN_MM = 4.0  # room round the signature field: its frame, the crop, strokes leaving
# A crease through the signature field may fade at an end more than elsewhere: where a
# fold's other crease crossed it, one on a folded scan stopped for 7 mm, its end's sixth
# ink along 0.52 (``creases.THROUGH_COVER`` asks 0.7 of it, as of the whole line), and
# the other side's signature joined to it read as signed (1 page of 30 tried). In the
# field a line taken out only takes from what is signed (straight lines are no
# signature there anyway: ``signature.not_writing``): each end's sixth needs this much.
SIG_ENDS = 0.45
BOX_SPECK_MM2 = 0.8  # in a box, compact ink (area below this and span below BOX_SPECK_MM)
BOX_SPECK_MM = 1.5  # is a speck or a stray dot, not a mark
# Room around a box for a loop drawn round it, its word, or both.
ZONE_MM = (5.0, 4.5, 17.0)  # left of the box, above and below, right of the box
CROP_MARGIN_MM = 2.0


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
    crease_mm2: float = 0.0  # ink on a fold's crease through the box (the crease not in ink)
    faint: float = 0.0  # share of that ink which is ink only by touching the print (_faint)

    def evidence(self) -> dict[str, float]:
        """The numbers ``rules.read_box`` decides on."""
        return {
            "ink": self.ink,
            "stroke_mm": self.stroke_mm,
            "blob_mm2": self.blob_mm2,
            "foreign_mm2": self.foreign_mm2,
            "ring": self.ring,
            "ring_struck": self.ring_struck,
            "crease_mm2": self.crease_mm2,
            "faint": self.faint,
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
    faint_mm: float = 0.0  # the largest stroke that is ink only by touching the frame


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
    """The printed outline near the layout's (``rect``, mm of ``dark``): absorbs what the
    registration left over, the inset clear of the border; checks it where it counts."""
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


def _alone(outlines: list[_Outline]) -> list[_Outline]:
    """The outlines, one found alone far from where the other clean ones agree taken as
    not clean (``LONE_MM``)."""
    clean = [i for i, o in enumerate(outlines) if o.clean and o.seen]
    if len(clean) <= AGREED:
        return outlines
    shifts = np.array([(outlines[i].dx, outlines[i].dy) for i in clean])
    far = []
    for k, i in enumerate(clean):
        others = np.delete(shifts, k, axis=0)
        typical = median(others, axis=0)
        spread = np.hypot(*(others - typical).T)
        if spread.max() <= AGREE_MM and math.hypot(*(shifts[k] - typical)) > LONE_MM:
            far.append(i)
    if len(far) != 1:  # (more than one: no single odd one out to blame on ink)
        return outlines
    i = far[0]
    outlines = list(outlines)
    outlines[i] = replace(outlines[i], clean=False)
    return outlines


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
    outlines = _alone(outlines)
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
    """The signature field's block (SIG_MARGIN_MM round it) and its printed frame located
    in it (block mm): once per view, for checking the registration and for measuring."""
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
    answers: _Answers, boxes: Sequence[Mapping[str, Any]], px_mm: float, capture: Capture
) -> tuple[Array, Array, Array, list[_Word], Array, Array, Array, Array]:
    """What was written in the answers region: ink without the box outlines (joined
    again where a stroke crosses them), without the printed words and without a fold's
    crease; where each box's word is (region mm); the crease's pixels; and all the
    region's ink (print too); and the writing that is ink only by touching the print or
    a speck, the crease left out (``_faint``); and where a crease's shading lies, left
    out of that judgement; ``capture`` as ``_ink_mask`` takes it."""
    region = levels(answers.dark, capture)  # once for the ink and for what is faint
    ink = _ink_mask(answers.dark, region)
    every = ink
    shape = ink.shape
    lines = _lines(shape, answers.moved, BOX_BORDER_MM, px_mm)
    # a fold's crease through the boxes, straight across the region and on beyond it,
    # is not a mark: taken out with its crumbs (a tick's stroke ends inside the region)
    through = _through_lines(
        cv2.subtract(ink, lines.band), answers.dark, lines.band, px_mm, None, CREASE_MM
    )
    crease = np.zeros_like(ink)
    if through is not None:
        # its crumbs go too, but not inside a box: there a faint tick the crease cut
        # through may be all that is left of it (what touches the crease in a box is
        # for a person unless it is a mark by itself: ``_measure_boxes``)
        crease = through.removed
        ink = cv2.subtract(ink, crease)
        crumbs = _components(cv2.subtract(ink, lines.band))
        near = through.near.copy()
        for rect in answers.moved:
            y0, y1, x0, x1 = _interior(rect, BOX_INSET_MM, px_mm)
            near[y0:y1, x0:x1] = 0
        beyond = np.bincount(crumbs[0][near == 0].ravel(), minlength=len(crumbs[1]))
        ink[(beyond == 0)[crumbs[0]] & (crumbs[0] > 0)] = 0
    # where a crease's shading may lift what it meets (the other side's tick over the
    # bar): that is judged faint or not without it. The crease found, and one that
    # faded and is one piece with what is written in a box (``_line_through``).
    unjudged = np.zeros_like(ink) if through is None else through.near & ~through.removed
    off_lines = cv2.subtract(ink, lines.band)
    insides = np.zeros_like(ink)
    for rect in answers.moved:
        y0, y1, x0, x1 = inner = _interior(rect, BOX_INSET_MM, px_mm)
        outer = _interior(rect, -OUTLINE_BAND_MM, px_mm)
        unjudged[y0:y1, x0:x1] |= _line_through(off_lines, every, inner, outer, px_mm)
        insides[y0:y1, x0:x1] = 1
    judged = cv2.subtract(ink, unjudged)
    creased = through is not None
    faint = faint_marks(judged, answers.dark, lines.band, px_mm, region, creased, insides)
    # what a crease took, if put back (``_measure_boxes``): faint where under the bar;
    # on a photo, where a pixel's darkness says too little, not judged at all
    if region.grainy:
        unjudged |= crease
    else:
        faint[(crease > 0) & (answers.dark <= region.core)] = 1
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
    words = _words(answers.moved, boxes, found, printed, (word, labels), ink, px_mm)
    if word.any():  # the words out of the writing and its labels, each in its own box
        hw = hw.copy()
        for k in np.flatnonzero(word):
            box = (slice(y[k], y[k] + h[k]), slice(x[k], x[k] + w[k]))
            mine = labels[box] == k
            hw[box][mine] = 0
            labels[box][mine] = 0
    return hw, labels, stats, words, crease, every, faint, unjudged


def _measure_boxes(
    view: PageView,
    answers: _Answers,
    boxes: Sequence[Mapping[str, Any]],
    px_mm: float,
    capture: Capture,
) -> list[BoxReading]:
    hw, labels, stats, words, crease, every, faint, unjudged = _writing(
        answers, boxes, px_mm, capture
    )
    n = len(stats)
    interiors = [_interior(rect, BOX_INSET_MM, px_mm) for rect in answers.moved]
    inside = np.zeros((len(boxes), n), np.int64)  # pixels of each stroke inside each box
    for i, (y0, y1, x0, x1) in enumerate(interiors):
        inside[i] = np.bincount(labels[y0:y1, x0:x1].ravel(), minlength=n)
    inside[:, 0] = 0
    owner = np.argmax(inside, axis=0) if len(boxes) else np.zeros(n, np.int64)
    ys, xs = nonzero(hw)
    points = (xs, ys)
    # each box's own ink inside it, all boxes in one image (they do not overlap)
    own_ink = np.zeros_like(hw)
    foreign = []
    for i, (y0, y1, x0, x1) in enumerate(interiors):
        own = (owner == i) & (inside[i] > 0)
        own[0] = False
        own_ink[y0:y1, x0:x1] = own[labels[y0:y1, x0:x1]]
        foreign.append(int(inside[i].sum() - inside[i][own].sum()))
    # a crease in a box is no mark; what else is on it there (ink that touches it, or
    # what it took out beyond a bare line) is a mark only if the rest is one by itself
    # (a tick along the crease, or the crease's crumbs? a person looks: rules.read_box).
    # A straight bar right through the box and on beyond it (a staple's crown, a line
    # ruled across) is no tick either, nor surely nothing: it counts as on a crease.
    on_crease = []
    for i, (y0, y1, x0, x1) in enumerate(interiors):
        outer = _interior(answers.moved[i], -OUTLINE_BAND_MM, px_mm)
        faded = _across_box(own_ink, every, (y0, y1, x0, x1), outer, px_mm)
        mine = own_ink[y0:y1, x0:x1]  # a view: what is written in the box
        barred = _bars(hw, interiors[i], outer, px_mm) & mine
        found = crease[y0:y1, x0:x1]
        if not (faded.any() or barred.any() or found.any()):  # nothing on a crease or bar
            on_crease.append(0.0)
            continue
        bare = _bare(found, px_mm) | faded
        mine[(faded > 0) | (barred > 0)] = 0
        mine |= found & ~bare  # what the crease took beyond a bare line: on it, not it
        count, parts, part_stats, _ = cv2.connectedComponentsWithStats(mine)
        hit = np.zeros(count, bool)
        hit[parts[cv2.dilate(bare | barred, _square(3)) > 0]] = True
        hit[0] = False
        on = float(part_stats[hit, cv2.CC_STAT_AREA].sum()) + np.count_nonzero(barred)
        on_crease.append(float(on) / (px_mm * px_mm))
    # the share of it that is faint: what a crease took and is put back, by the bar;
    # what its shading may have lifted, not at all (all of it there: for a person)
    faint_share = []
    for y0, y1, x0, x1 in interiors:
        mine, lifted = own_ink[y0:y1, x0:x1], unjudged[y0:y1, x0:x1]
        written = np.count_nonzero(mine & ~lifted)
        weak = np.count_nonzero(mine & faint[y0:y1, x0:x1] & ~lifted)
        faint_share.append(weak / written if written else float((mine & lifted).any()))
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
                round(on_crease[i], 2),
                round(faint_share[i], 3),
            )
        )
    return readings


def _pieces(
    own_ink: Array, interiors: Sequence[tuple[int, int, int, int]], px_mm: float
) -> list[tuple[float, float, float]]:
    """Per box: the cover of its interior by its own ink, and its longest and largest
    piece. A speck must be both small and compact; a short stroke stays however small."""
    _, _, stats = components(own_ink)
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


# --- The signature field --------------------------------------------------------------------


def _measure_signature(
    view: PageView, rect: Sequence[float], px_mm: float, capture: Capture
) -> tuple[SignatureInk, Array]:
    gray, c0, r0, frame, found = _signature_field(view, rect)
    crop = _crop_from(gray, c0, r0, rect, CROP_MARGIN_MM, px_mm)
    iy0, iy1, ix0, ix1 = _interior(frame, SIG_BORDER_MM + OUTLINE_BAND_MM, px_mm)
    if gray.size == 0 or iy1 <= iy0 or ix1 <= ix0:
        return SignatureInk(0.0, 0.0, 0.0, 0, False), crop
    dark = _darkness(gray, px_mm)
    region = levels(dark, capture)
    ink = _ink_mask(dark, region)
    lines = _lines(ink.shape, [frame], SIG_BORDER_MM, px_mm)
    # a fold's crease, a shadow's edge: straight through the field and on beyond it. Not
    # a line along the frame within its fringe: that is the frame's blurred edge, or a
    # signature written on the frame line (a crease there leaves only fringe: dropped)
    fringe = cv2.dilate(lines.band, _square(2 * round(FRINGE_MM * px_mm) + 1))
    through = _through_lines(
        cv2.subtract(ink, lines.band), dark, fringe, px_mm, (iy0, iy1, ix0, ix1), None, SIG_ENDS
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
    # not writing: straight bars and lines, a crease's dashes, a staple's bars where the
    # frame line hides part of them, creases crossing (``signature.not_writing``)
    field = _interior(frame, -OUTLINE_BAND_MM, px_mm)
    big &= ~not_writing(labels, stats, big, lines.band, field, (iy0, iy1, ix0, ix1), px_mm)
    # the other side's writing: faint, for a person (neither a stroke nor nothing)
    faint = faint_strokes(ink, dark, lines.band, labels, big, px_mm, region, through is not None)
    faint_mm = round(float(extent[faint].max()), 2) if faint.any() else 0.0
    big &= ~faint
    if not big.any():
        return SignatureInk(0.0, 0.0, 0.0, 0, found, faint_mm), crop
    inside = big[cut].astype(np.uint8)
    cover = float(np.count_nonzero(inside)) / float(inside.size)
    length = float(area[big].sum()) / stroke_width(inside) / px_mm
    longest = round(float(extent[big].max()), 2)
    signature = SignatureInk(
        round(cover, 5), longest, round(length, 1), int(big.sum()), found, faint_mm
    )
    return signature, crop


def measure(
    page: PageView | Array, layout_page: Mapping[str, Any], dpi_out: float = 150.0
) -> Measurement:
    """Every box with what was written round it, and the signature field, on the
    upright page (a ``PageView``, or the whole page as an array at ``dpi_out``)."""
    view = _view(page, dpi_out)
    px_mm = view.dpi / MM_PER_INCH
    # what shines through is judged against solid print, which no blur lightens (the QR
    # code's modules, ink.solid_print), and as a 1-bit page's or a photo's where it is one
    qr = layout_page.get("qr")
    solid = solid_print(_block(view, qr["rect_mm"], 0.0)[0]) if qr else 0.0
    capture = Capture(solid, view.binary, view.camera)
    boxes_layout = layout_page.get("boxes", [])
    answers = _answers(view, boxes_layout)
    if capture.camera and answers is not None:
        # on a photo the other side's writing can be as dark as light pencil: where its
        # print shows through (a filled page behind), its writing may be as dark as that
        # print allows (ink.SHOWN_RATIO)
        typical = other_side_typical(answers.dark, levels(answers.dark, capture), px_mm)
        capture = replace(capture, typical=typical)
    boxes = [] if answers is None else _measure_boxes(view, answers, boxes_layout, px_mm, capture)
    problems = [
        f"box {b.clause}/{b.answer}: printed outline not found" for b in boxes if not b.outline
    ]
    signature = layout_page.get("signature")
    sig: SignatureInk | None = None
    sig_crop: Array | None = None
    if signature:
        sig, sig_crop = _measure_signature(view, signature["rect_mm"], px_mm, capture)
        if not sig.found:
            problems.append("signature field: printed frame not found")
    fields = [
        FieldCrop(f["field"], _crop(view, f["rect_mm"], 1.0)) for f in layout_page.get("fields", [])
    ]
    return Measurement(boxes, sig, sig_crop, fields, problems)
