"""What in the signature field, on its frame line above all, looks like writing and is
not: ``not_writing`` (and ``faint_strokes``) for ``measuring._measure_signature``, on the
strokes it keeps (``labels``/``stats`` as ``ink._strip_lines`` gives them, the frame's
``band`` taken out and joined again where a stroke crosses it).

- A staple on the frame line: the band hides part of its bar, so the bar's rectangle
  is judged by the part clear of the band (``creases._straight`` judges it whole).
- A staple's bar across the frame line that joined the print beside the field (the
  label above it): the bar is judged by its part in the field.
- A staple across the frame line in two bars on one line with a gap between: seen
  from the back, its two legs bent flat towards each other; from the front, its crown
  with the frame line's band (or a leg's part along it) taken out of the middle. One
  in the field and one beyond it, too ragged on a 1-bit scan or too short for
  ``hidden_bars`` alone.
- A fold's crease along the frame line that the crease finder did not take (the frame
  line beside it hides the ridge it looks for): it is left as dashes strung along
  one straight line; a pen's strokes are not.
- A fold's creases where the crease finder took neither: a dash (thin, straight,
  DASH_ELONGATION times longer than wide) along or across the page, or the two
  creases crossing, joined into one piece with their stretches beyond (a wedge of
  shading where they meet): one straight unbroken line from end to end of it, with
  bits under BESIDE_MM beside it, or with at most two shorter lines that leave only
  crumbs. Every line along or across the page (within CROSSED_AXIS, a dash within
  ``creases.AXIS``), as a fold's creases run; a pen's strokes slant and bend. A piece
  that leaves the field is judged by its part in the field too, then with a line
  along and one across.
- The other side's writing shining through onto the frame line, or with a speck of
  dust or a crease's shading on it: ink only by touching the frame or the speck
  (``ink._faint``), nowhere else as dark as a mark made on this side. Not a stroke,
  nor nothing: ``faint_mm`` for ``rules.classify_signature`` (a person looks). The
  same look for the answer boxes: ``faint_marks``.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from formgen.scan.creases import (
    AXIS,
    LINE_FILLED,
    LINE_REST,
    LINE_SHARE,
    LINE_WIDE_MM,
    STAPLE_FILL,
    STAPLE_MM,
    THROUGH_DASH_MM,
    THROUGH_MIN_MM,
    THROUGH_PIECE_MM,
    _bar,
    _chord,
    _straight,
    _strongest_line,
    _through_lines,
    _to_last_ink,
    _window,
)
from formgen.scan.ink import FRINGE_MM, Levels, _faint, _square
from formgen.scan.pixels import Array, nonzero, rectangle

FAINT_SHARE = 0.5  # a stroke this much faint is the other side's (as a box's: rules.marks)
# A stroke over the show-through bar along less than this share of it may be lifted over
# it by a fold's crease (``faint_strokes``): the other side's writing so lifted 3-12 %,
# a pen's strokes made on this side most of their length, the lightest pencil 15 % and more
CREASED_SHARE = 0.25
# A stroke over the bar along no more than this share of it may be a staple's bar with
# the other side's print joined to it (``_stapled``: such strokes 0.67-0.76; a pen's on
# a scan most of its pixels)
STAPLED_SHARE = 0.9
# Where the lifted pixels are too few for a Hough line (a crease crossing a stroke, or
# two creases crossing on it, lift a spot), lines along and across the page through each
# spot are tried, this far off the axes either way (a fold's creases on the registered
# page: 0-4 degrees) in steps of SPOT_STEP, through the SPOTS largest spots
SPOT_TURN = math.radians(4.0)
SPOT_STEP = math.radians(0.5)
SPOTS = 6
# On a photo, where a fold's crease runs through the field, a stroke reaches the bar at
# this much of its pixels at least (``ink._faint``; elsewhere, and in a box, one pixel
# does): a crease's shading lifts the other side's writing close under the bar, and the
# photo's grain lifts single pixels of it over (1-3 pixels seen, at 150 dpi 0.03-0.09
# mm2). Pencil signatures made on this side reached it at 9 pixels and more on 58 of 60
# photos of folded forms (the other two at 0 and 4 go to a person); on photos of flat
# forms light pencil can reach it at 4 or 5 pixels only, and there one counts.
GRAIN_MM2 = 0.17
# a staple's bar on the frame line this wide at most (creases.STAPLE_WIDE_MM's 2.0 and
# a phone photo's blur: a crown across the line measured 2.05)
BAR_WIDE_MM = 2.5
STRUNG_PIECES = 3  # dashes strung along one line: this many at least, over THROUGH_MIN_MM
# A crease's dash: at most LINE_WIDE_MM wide and this many times longer (dashes left of
# a fold's crease measured 3.7-5.0, so a margin below; creases._straight's lines are 6)
DASH_ELONGATION = 3.0
# Creases crossing (``crossed``): after the first line (THROUGH_PIECE_MM and unbroken, as
# creases._crossing_lines'), shorter ones (THROUGH_DASH_MM) with ink along this share
# of their length (a crease fades in stretches: 0.67-0.72 seen)
CROSSED_FILLED = 0.6
# each line along or across the page within this (a fold's creases' lines were 0-4
# degrees off it, the flat bottom of a pen's letter written along a crease 7; a short
# dash's rectangle is less sure of its direction: AXIS)
CROSSED_AXIS = math.radians(5.5)
CROSSED_SPAN = 0.9  # the first runs along the piece's whole extent that way (all but)
CRUMB_MM = 1.5  # or what they leave is bits this small (rules' unsigned_mm: no mark)
# or, beside the first line alone, bits this small (a wedge of shading where the creases
# meet, 2.2 mm; rules' signed_mm: none of them is writing by itself)
BESIDE_MM = 3.0


def not_writing(
    labels: Array,
    stats: Array,
    candidates: Array,
    band: Array,
    field: tuple[int, int, int, int],
    inside: tuple[int, int, int, int],
    px_mm: float,
) -> Array:
    """Which candidate pieces are no writing, each test judging what the ones before it
    left: straight bars and lines (``creases._straight``), dashes strung along one line,
    a staple's bar the frame line (``band``) hides in part or that ran on beyond the
    ``field`` (to the frame line's outer edge; ``inside``: clear of its band), a staple's
    two bars, creases crossing. (y0, y1, x0, x1 pixel bounds.)"""
    left = candidates.copy()
    lined = strung(labels, stats, left, px_mm)
    left &= ~_straight(labels, stats, left, px_mm) & ~lined
    left &= ~hidden_bars(labels, stats, left, band, px_mm)
    left &= ~bars_in_field(labels, stats, left, field, inside, px_mm)
    left &= ~legs(labels, stats, left, band, px_mm)
    left &= ~crossed(labels, stats, left, field, px_mm)
    return candidates & ~left


def hidden_bars(labels: Array, stats: Array, candidates: Array, band: Array, px_mm: float) -> Array:
    """Which candidate pieces are a staple's bar cut by the frame line: straight and
    solid where the band does not hide it. A bar crossing the line at a slant leaves a
    wedge in the field, which fills only part of its own smallest rectangle; along the
    bar, the rectangle's corner that the wedge does not fill lies under the band."""
    found = np.zeros(len(stats), bool)
    for k in np.flatnonzero(candidates):
        x, y, w, h = stats[k, :4]
        if max(w, h) < STAPLE_MM[0] * px_mm or min(w, h) > STAPLE_MM[1] * px_mm:
            continue
        m = 2 + round(BAR_WIDE_MM * px_mm)  # room for a rectangle's corners
        y0, x0 = max(y - m, 0), max(x - m, 0)
        y1, x1 = min(y + h + m, labels.shape[0]), min(x + w + m, labels.shape[1])
        hidden = band[y0:y1, x0:x1] > 0
        if not hidden.any():
            continue  # clear of the frame: creases._straight judged it whole
        ys, xs = nonzero(labels[y0:y1, x0:x1] == k)
        # at every direction tried, the rectangle's short side is at least the piece's
        # narrowest width (plus the pixel): wider than a bar that way, no direction
        # makes it one (the same verdict as the search below, without its 90 angles)
        if (_narrowest(xs, ys) - 1e-6 + 1) / px_mm > BAR_WIDE_MM:
            continue
        gy, gx = np.mgrid[0 : y1 - y0, 0 : x1 - x0]
        gx, gy = gx[~hidden].astype(np.float32), gy[~hidden].astype(np.float32)
        best = None
        for theta in np.radians(np.arange(0.0, 180.0, 2.0)):  # the bar's direction
            c, s = math.cos(theta), math.sin(theta)
            along, across = xs * c + ys * s, ys * c - xs * s
            a0, a1, b0, b1 = along.min(), along.max(), across.min(), across.max()
            ga, gb = gx * c + gy * s, gy * c - gx * s
            seen = (ga > a0 - 0.5) & (ga < a1 + 0.5) & (gb > b0 - 0.5) & (gb < b1 + 0.5)
            fill = len(xs) / max(np.count_nonzero(seen), 1)
            if best is None or fill > best[0]:
                best = (fill, a1 - a0 + 1, b1 - b0 + 1)
        fill, long, short = best[0], max(best[1:]) / px_mm, min(best[1:]) / px_mm
        found[k] = _bar(long, short, fill, STAPLE_MM, BAR_WIDE_MM, STAPLE_FILL)
    return found


def _narrowest(xs: Array, ys: Array) -> float:
    """The least width (px) of the points' convex hull over all directions: across
    one of its edges (a caliper flush with a side, as minAreaRect's rotating calipers
    take it); 0 for points on one line."""
    hull = cv2.convexHull(np.column_stack([xs, ys]).astype(np.int32)).reshape(-1, 2)
    if len(hull) < 3:
        return 0.0
    hull = hull.astype(np.float64)
    edge = np.roll(hull, -1, axis=0) - hull
    size = np.hypot(edge[:, 0], edge[:, 1])
    rel = hull[None, :, :] - hull[:, None, :]  # [edge's start, point]
    away = np.abs(edge[:, None, 0] * rel[:, :, 1] - edge[:, None, 1] * rel[:, :, 0])
    ok = size > 0
    if not ok.any():
        return 0.0
    return float((away[ok].max(axis=1) / size[ok]).min())


def bars_in_field(
    labels: Array,
    stats: Array,
    candidates: Array,
    field: tuple[int, int, int, int],
    inside: tuple[int, int, int, int],
    px_mm: float,
) -> Array:
    """Which candidate pieces that leave the ``field`` (y0, y1, x0, x1: to the frame
    line's outer edge) are a staple's bar by their part ``inside`` it (clear of the
    frame line's band): a straight solid bar as ``creases._straight`` asks of a staple
    (to BAR_WIDE_MM wide). A bar across the frame line that ran on into the print
    beside the field (the label's letters) is no bar whole; a pen's stroke that
    crosses the line bends, and what of it lies in the field fills no bar's rectangle
    (0.61-0.71 seen, a crown's 0.81-0.84)."""
    found = np.zeros(len(stats), bool)
    y0, y1, x0, x1 = field
    beyond = np.ones(labels.shape, bool)
    beyond[y0:y1, x0:x1] = False
    leaving = candidates & (np.bincount(labels[beyond], minlength=len(stats)) > 0)
    iy0, iy1, ix0, ix1 = inside
    for k in np.flatnonzero(leaving[1:]) + 1:
        x, y, w, h = stats[k, :4]
        cy0, cy1, cx0, cx1 = max(y, iy0), min(y + h, iy1), max(x, ix0), min(x + w, ix1)
        if cy1 <= cy0 or cx1 <= cx0:
            continue
        ys, xs = nonzero(labels[cy0:cy1, cx0:cx1] == k)
        if len(xs) < 3:
            continue
        long, short, fill, _, _ = rectangle(xs, ys, px_mm)
        found[k] = _bar(long, short, fill, STAPLE_MM, BAR_WIDE_MM, STAPLE_FILL)
    return found


# A staple in two bars (``legs``): each LEG_MM long (a leg 4-5.5 mm, a wedge of one in
# the field 3.4 mm) as wide as a staple's (STAPLE_WIDE_MM to BAR_WIDE_MM), STAPLE_ELONGATION
# times longer than wide, filling LEG_FILL of their rectangles (a fax's bars 0.52-0.67:
# alone a straight felt stroke fills as much, two on one line do not), on one line (the
# shorter's middle within the longer's width of its line) with at most LEG_GAP_MM
# between their ends, and no longer than a staple's crown together.
LEG_MM = (2.5, STAPLE_MM[1])
LEG_FILL = 0.5
LEG_GAP_MM = 6.0


def legs(labels: Array, stats: Array, candidates: Array, band: Array, px_mm: float) -> Array:
    """Which candidate pieces are one of a staple's two bars (its legs, or its crown cut
    in two) across the frame line: a bar with another such bar (any piece of the
    block) on its line beyond a gap, the two as long as a staple at most, the frame
    line's ``band`` between their middles. (Writing along a fold's crease that the
    crease finder took out is left in flat bars on one line too, all in the field.)"""
    found = np.zeros(len(stats), bool)
    bars: dict[int, tuple[float, float, float, float, float, float]] = {}

    def bar(k: int) -> tuple[float, float, float, float, float, float] | None:
        """(x, y, dx, dy, long, short) of piece k's rectangle (px; the long side's
        direction), when it is a leg's bar."""
        if k not in bars:
            x, y, w, h = stats[k, :4]
            ys, xs = nonzero(labels[y : y + h, x : x + w] == k)
            long, short, fill, (cx, cy), t = rectangle(xs, ys, px_mm)
            ok = _bar(long, short, fill, LEG_MM, BAR_WIDE_MM, LEG_FILL)
            bars[k] = (x + cx, y + cy, math.cos(t), math.sin(t), long, short) if ok else None
        return bars[k]

    reach = (LEG_MM[1] + LEG_GAP_MM) * px_mm
    for k in np.flatnonzero(candidates):
        one = bar(k)
        if one is None:
            continue
        x, y = one[:2]
        near = (
            (np.abs(stats[:, 0] + stats[:, 2] / 2 - x) < reach)
            & (np.abs(stats[:, 1] + stats[:, 3] / 2 - y) < reach)
            & (stats[:, cv2.CC_STAT_AREA] > 0)
        )
        near[[0, k]] = False
        for j in np.flatnonzero(near):
            other = bar(int(j))
            if other is None:
                continue
            # on the longer bar's line (a part the frame line cuts may lie along the band)
            (bx, by, dx, dy, plong, pshort), (qx, qy, _, _, qlong, _) = sorted(
                (one, other), key=lambda b: -b[4]
            )
            along, across = (qx - bx) * dx + (qy - by) * dy, (qy - by) * dx - (qx - bx) * dy
            gap = abs(along) / px_mm - (plong + qlong) / 2
            if (
                abs(across) <= pshort * px_mm
                and 0.0 <= gap <= LEG_GAP_MM
                and plong + qlong + gap <= STAPLE_MM[1]
                and _between(band, (bx, by), (qx, qy))
            ):
                found[k] = True
                break
    return found


def _between(mask: Array, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether ``mask`` has a pixel on the segment from point a to point b (x, y)."""
    steps = max(2, math.ceil(math.hypot(b[0] - a[0], b[1] - a[1])) + 1)
    xs = np.clip(np.rint(np.linspace(a[0], b[0], steps)), 0, mask.shape[1] - 1).astype(int)
    ys = np.clip(np.rint(np.linspace(a[1], b[1], steps)), 0, mask.shape[0] - 1).astype(int)
    return bool(mask[ys, xs].any())


def strung(labels: Array, stats: Array, candidates: Array, px_mm: float) -> Array:
    """Which candidate pieces are dashes strung along one straight line that they
    follow over THROUGH_MIN_MM or more, each wholly within LINE_WIDE_MM of it: a
    fold's crease that fades in stretches. Writing's strokes leave any such line."""
    found = np.zeros(len(stats), bool)
    ks = np.flatnonzero(candidates)
    if len(ks) < STRUNG_PIECES:
        return found
    mask = np.isin(labels, ks).astype(np.uint8)
    votes = max(8, round(THROUGH_MIN_MM * px_mm / 4))
    lines = cv2.HoughLines(mask, 1, np.pi / 180, votes)
    if lines is None:
        return found
    ys, xs = nonzero(mask)
    lab = labels[ys, xs]
    half = LINE_WIDE_MM / 2 * px_mm
    for rho, theta in lines[:8, 0]:
        c, s = math.cos(theta), math.sin(theta)
        off = np.abs(xs * c + ys * s - rho) > half
        # pieces wholly on the line: none of their pixels off it
        away = np.bincount(lab[off], minlength=len(stats)) > 0
        on = candidates & ~away
        on[0] = False
        if np.count_nonzero(on) < STRUNG_PIECES:
            continue
        along = ys[on[lab]] * c - xs[on[lab]] * s
        if np.ptp(along) >= THROUGH_MIN_MM * px_mm:
            found |= on
    return found


def faint_strokes(
    ink: Array,
    dark: Array,
    band: Array,
    labels: Array,
    candidates: Array,
    px_mm: float,
    levels: Levels,
    creased: bool = False,
    staples: bool = True,
) -> Array:
    """Which candidate strokes are mostly ink only by touching the frame line or a
    speck: their pixels off the band, taken without it, nowhere as dark as a mark made
    on this side, or on clean paper only at a speck (``ink._faint``, with the field's
    ``levels`` as ``ink._ink_mask`` takes them); or over the bar only where a fold's
    crease crosses or joins them. A crease that fades out halfway across the field, or
    that is no ink away from the strokes, is not found by the search over the field's
    ink; it is found through the few pixels of the strokes it lifts over the bar (under
    CREASED_SHARE of a stroke), which lie along it; where they are only a spot or two
    (a crease crossing a stroke, two creases crossing on one), by the lines along and
    across the page through each spot (``_through_spots``). The other side's writing so
    lifted read as a signature; a stroke made on this side is over the bar away from
    the crease too. On a photo, where a fold's crease runs through the field
    (``creased``: the search over the field's ink found one; or one is found here), a
    stroke reaches the bar at GRAIN_MM2 of its pixels at least. With ``staples``: or
    over the bar only along a staple's bar that the frame line cuts (``_stapled``)."""
    off = (band == 0) & (labels > 0)
    total = np.maximum(np.bincount(labels[off], minlength=len(candidates)), 1)
    grain = max(1, round(GRAIN_MM2 * px_mm * px_mm))  # (a photo's)

    def faint(crease: Array | None = None) -> Array:
        least = grain if creased or crease is not None else 1
        weak = _faint(ink, dark, band, levels, crease, least)
        light = np.bincount(labels[off & (weak > 0)], minlength=len(candidates))
        return candidates & (light >= FAINT_SHARE * total)

    found = faint()
    left = candidates & ~found
    if not left.any():
        return found
    if staples:
        found |= _stapled(labels, left, dark, levels.core, band, px_mm)
    # the crease is looked for through every lifted stroke, faint ones too: those it
    # lifted least can be the only ones that show it, while it runs along a stroke left
    over = off & (dark > levels.core) & candidates[labels]
    share = np.bincount(labels[over], minlength=len(candidates)) / total
    lifted = candidates & (share > 0) & (share < CREASED_SHARE)
    if not lifted.any():
        return found
    along = cv2.dilate((over & lifted[labels]).view(np.uint8), _square(3))
    crease = _through_lines(along, dark, band, px_mm)
    near = crease.near if crease is not None else _through_spots(along, dark, band, px_mm)
    # (judged again without the crease's pixels, a stroke can only be fainter)
    return found if near is None else found | faint(near)


def _stapled(
    labels: Array, candidates: Array, dark: Array, core: float, band: Array, px_mm: float
) -> Array:
    """For ``faint_strokes``: which candidate strokes are over the bar (``core``) only
    along a staple's bar that the frame line cuts (``hidden_bars``), and under it
    elsewhere: the other side's print shining through beyond the field, joined to a
    staple that crosses the frame line, made the stroke no bar by its shape, and it
    read as a signature (1 page of 30, twice). Only strokes over the bar along at most
    STAPLED_SHARE of them."""
    on = band > 0  # over the bar on the frame line: cut by it (most strokes are not)
    cut = np.zeros(len(candidates), bool)
    cut[labels[on][dark[on] > core]] = True
    some = candidates & cut
    if not some.any():
        return some
    inked = labels > 0
    size = np.bincount(labels[inked], minlength=len(candidates))
    over = (dark > core) & inked & some[labels]  # the band too: the bar it cuts
    count = np.bincount(labels[over], minlength=len(candidates))
    some &= count <= STAPLED_SHARE * size
    if not some.any():
        return some
    parts = (over & some[labels]).view(np.uint8)
    # across the frame line ``_strip_lines`` joined the stroke by a path a pixel wide,
    # where the line hides a staple's bar as wide as the bar: filled in from its hull
    hidden = np.zeros_like(parts)
    for k in np.flatnonzero(some):
        ys, xs = nonzero(parts * (labels == k))
        hull = cv2.convexHull(np.column_stack((xs, ys)).astype(np.int32))
        cv2.fillConvexPoly(hidden, hull, 1)
    parts |= hidden & (band > 0)
    n, cores, stats, _ = cv2.connectedComponentsWithStats(parts, connectivity=8)
    bars = hidden_bars(cores, stats, np.arange(n) > 0, band, px_mm)
    in_bars = np.bincount(labels[bars[cores] & (cores > 0) & over], minlength=len(candidates))
    return some & (in_bars == count)


def faint_marks(
    ink: Array,
    dark: Array,
    band: Array,
    px_mm: float,
    levels: Levels,
    creased: bool = False,
    boxes: Array | None = None,
) -> Array:
    """``faint_strokes`` for the answers region (``measuring._writing``): the pixels of
    the pieces of ink off the printed lines (``band``) that are faint, as ``ink._faint``
    gives them, or over the bar only along a fold's crease that crosses or joins them
    (the other side's tick behind a box, a crease through it that the search right
    across the region did not take: its shading lifted the tick where it crosses).
    Where that search found no crease (``creased``), only the pieces in the ``boxes``
    (a mask of their insides) are looked at so: a crease that is no ink at all, only a
    shade, lifted the other side's tick in a box (1 page of 20 folded through its
    boxes, seed 407). Not on a photo: there light pencil is lifted in spots too, and lines
    through them ran on along the row of boxes (4 ticks of 1,260 pages, seeds 1 and 4,
    went to a person); there the first look (``ink._faint``) only."""
    if levels.grainy:
        return _faint(ink, dark, band, levels)
    n, labels = cv2.connectedComponents(cv2.subtract(ink, band), connectivity=8)
    pieces = np.arange(n) > 0
    if not creased and boxes is not None:  # (what is outside them is read by no one)
        within = boxes > 0
        inside = labels[within]
        held = np.bincount(inside, minlength=n)
        pieces &= held > 0
        # what a crease lifts is over the bar along under CREASED_SHARE of it; a mark
        # made on this side, along most of it: where every piece in a box is over it
        # along twice that there (or not at all), the first look says all
        over = np.bincount(inside[dark[within] > levels.core], minlength=n)
        share = over / np.maximum(held, 1)
        if not (pieces & (over > 0) & (share < 2 * CREASED_SHARE)).any():
            return _faint(ink, dark, band, levels)
    found = faint_strokes(ink, dark, band, labels, pieces, px_mm, levels, creased, staples=False)
    return found.view(np.uint8)[labels]


def _through_spots(along: Array, dark: Array, band: Array, px_mm: float) -> Array | None:
    """For ``faint_strokes``: a fold's crease through spots of ``along`` (0/1), too
    small to give a Hough line of their own: lines along and across the page through
    each spot's middle (within SPOT_TURN) that run right across the field as a crease
    does (``creases._chord``: as ink, or as a faint ridge of darkness where there is
    none; ``aside``: close to the frame line, a line beside it on the frame says nothing
    of the paper's noise). The pixels along those taken, as far either side as a crease
    may wander from its line (THROUGH_TOL_MM) and its shading lift what it meets
    (FRINGE_MM): the spots it lifted are only where the writing crosses it, but all of
    it is the crease. None: none taken."""
    n, _, stats, middles = cv2.connectedComponentsWithStats(along, connectivity=8)
    if n <= 1:
        return None
    along, dark, band = (np.ascontiguousarray(a) for a in (along, dark, band))
    tol, offsets = _window(px_mm)
    turns = np.arange(-SPOT_TURN, SPOT_TURN + SPOT_STEP / 2, SPOT_STEP)
    turns = turns[np.argsort(np.abs(turns), kind="stable")]  # straightest first
    wide = 2 * (tol + max(1, round(FRINGE_MM * px_mm))) + 1
    far = float(sum(along.shape))  # the line drawn from beyond the field to beyond it
    taken = np.zeros_like(along)
    for k in np.argsort(-stats[1:, cv2.CC_STAT_AREA], kind="stable")[:SPOTS] + 1:
        x, y = middles[k]
        if taken[round(y), round(x)]:  # on a line taken already
            continue
        for axis in (0.0, math.pi / 2):  # a vertical line's normal, a horizontal one's
            for theta in axis + turns:
                c, s = math.cos(theta), math.sin(theta)
                rho = x * c + y * s
                if _chord(along, dark, band, rho, theta, offsets, tol, px_mm, aside=True) is None:
                    continue
                ends = [(round(x - t * s), round(y + t * c)) for t in (-far, far)]
                cv2.line(taken, ends[0], ends[1], 1, wide)
                break
    return taken if taken.any() else None


def crossed(
    labels: Array,
    stats: Array,
    candidates: Array,
    field: tuple[int, int, int, int],
    px_mm: float,
) -> Array:
    """Which candidate pieces are a crease's dash along or across the page, or a few
    crease lines crossing (``_crease_lines``), whole or by their part in the ``field``
    (y0, y1, x0, x1: to the frame line's outer edge; a crease along the line runs on
    into the label's letters), where then one line along the page and one across it
    must be among them (writing along the frame line leaves a flat stretch of ink in
    the field as a crease along it would: only a second crease across it tells). Of
    any size: ``creases._straight`` looks for crossing lines only THROUGH_MIN_MM long,
    and then for unbroken lines only. A pen's strokes bend away from lines, and slant;
    a letter of straight strokes along and across the page alone is not a signature
    either (a person looks)."""
    found = np.zeros(len(stats), bool)
    fy0, fy1, fx0, fx1 = field
    for k in np.flatnonzero(candidates):
        x, y, w, h = stats[k, :4]
        found[k] = _crease_lines(labels[y : y + h, x : x + w] == k, px_mm)
        y0, y1, x0, x1 = max(y, fy0), min(y + h, fy1), max(x, fx0), min(x + w, fx1)
        if not found[k] and (y0, y1, x0, x1) != (y, y + h, x, x + w) and y1 > y0 and x1 > x0:
            found[k] = _crease_lines(labels[y0:y1, x0:x1] == k, px_mm, crossing=True)
    return found


def _crease_lines(piece: Array, px_mm: float, crossing: bool = False) -> bool:
    """Whether a piece is a crease's dash (at most LINE_WIDE_MM wide, DASH_ELONGATION
    times longer, along or across the page) or a few lines: the strongest straight
    line through it unbroken, THROUGH_PIECE_MM long or more, along or across the page
    and from end to end of the piece (CROSSED_SPAN), with bits beside it smaller than
    BESIDE_MM, or with up to two more lines along or across the page, shorter
    (THROUGH_DASH_MM) and broken in places, each holding LINE_SHARE of what the others
    leave, leaving at most LINE_REST of it or crumbs (CRUMB_MM). ``crossing``: no dash,
    and lines along and across the page both among those."""
    ys, xs = nonzero(piece)
    if len(xs) < 2:
        return False
    long, short, _, _, direction = rectangle(xs, ys, px_mm)  # (as the dash lies)
    if (
        not crossing
        and short <= LINE_WIDE_MM
        and long >= DASH_ELONGATION * short
        and abs(math.sin(2 * direction)) <= math.sin(2 * AXIS)
    ):
        return True
    half = LINE_WIDE_MM / 2 * px_mm
    ink = piece.astype(np.uint8)
    left = np.ones(len(xs), bool)
    sides: set[int] = set()  # lines along the page (0), across it (1) among those taken
    for i in range(3):
        shortest = THROUGH_PIECE_MM if i == 0 else THROUGH_DASH_MM
        filled = LINE_FILLED if i == 0 else CROSSED_FILLED
        strongest = _strongest_line(_to_last_ink(ink), max(8, round(shortest * px_mm)))
        if strongest is None:
            return False
        rho, theta = strongest
        if abs(math.sin(2 * theta)) > math.sin(2 * CROSSED_AXIS):
            return False  # a crease's line: along or across the page (a pen's slants)
        before = np.count_nonzero(left)
        on = left & (np.abs(xs * math.cos(theta) + ys * math.sin(theta) - rho) <= half)
        along = np.rint(ys[on] * math.cos(theta) - xs[on] * math.sin(theta)).astype(np.int64)
        steps = np.count_nonzero(np.bincount(along - along.min())) if along.size else 0
        if not along.size or steps < filled * (np.ptp(along) + 1):
            return False
        if i == 0:  # a crease runs on through the piece, end to end (a pen's stroke ends)
            whole = ys * math.cos(theta) - xs * math.sin(theta)
            if np.ptp(along) + 1 < CROSSED_SPAN * (np.ptp(whole) + 1):
                return False
        left &= ~on
        ink[ys[on], xs[on]] = 0
        sides.add(round(abs(math.sin(theta))))  # (the normal: sin 1 for a row)
        if not crossing or len(sides) == 2:
            if np.count_nonzero(left) <= LINE_REST * len(xs):
                return True
            _, _, bits, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
            largest = np.hypot(bits[1:, 2] - 1, bits[1:, 3] - 1).max() / px_mm
            if largest < (CRUMB_MM if i or crossing else BESIDE_MM):
                return True  # what is left is crumbs (beside one line: small bits)
        if np.count_nonzero(left) > (1 - LINE_SHARE) * before:
            return False  # writing: lines hold little of it
    return False
