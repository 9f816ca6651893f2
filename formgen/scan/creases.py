"""Straight lines right across a region, which are not writing: a fold's crease, a
shadow's or the paper's edge, a staple. A signature is made of strokes that start and
end in or near its field; a line that runs on right across it and beyond is found
(Hough lines, followed where a crease wanders, faint stretches told from noise and
dither by how much darker they are than lines beside them) and taken out before the
strokes are measured; a piece that is no more than a straight bar or a few crossing
lines is not a signature either. What a crease or a staple leaves in an answer box is
``box_creases``'.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from formgen.scan.ink import FRINGE_MM, _square
from formgen.scan.pixels import Array, median, nonzero, rectangle

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
THROUGH_FAINT = 0.011  # where it is no ink, darker than beside it by this (median; 2.8 of
# 255, so that a ridge of 3 levels counts: darkness is whole levels, and at 0.012 (3.06) a
# crease fading to 3 levels at the bottom of the boxes was not found, its ink a tick)
THROUGH_SIDE_MM = 1.0  # "beside": this far from the line and more
THROUGH_APART = 1.5  # and by this (0..255) more than lines beside it (noise, dither)
THROUGH_TOL_MM = 0.5
THROUGH_WIDTH_MM = 3.5
THROUGH_CANDIDATES = 12
# and (in the signature field) this many more along the page and across it through all
# its ink, the strongest of the first AXIS_LOOK there not among those: a fold's creases
AXIS_CANDIDATES = 2
AXIS_LOOK = 200
AXIS = math.radians(8.0)  # a crease through the boxes runs this near along or across
# A staple in the signature field is not a signature: a straight solid bar this long
# (its crown 12-13 mm, a bent leg 4-6 mm) and this wide (wire 0.6-0.8 mm and its shadow,
# blurred), this many times longer than wide, filling this share of its rectangle.
STAPLE_MM = (3.5, 15.0)
STAPLE_WIDE_MM = (0.45, 2.0)
STAPLE_ELONGATION = 2.5
STAPLE_FILL = 0.74  # (0.75 missed a crown cut by the frame at 0.7499; felt-tip initials'
# straight strokes fill 0.70-0.72)
# Nor is a straight thin line (a crease's stretch): at most this wide (its rectangle's
# short side, blur included) and this many times longer than wide.
LINE_WIDE_MM = 1.2
LINE_ELONGATION = 6.0
LINE_REST = 0.05  # lines that cross: all but this share of the piece lies on them
LINE_SHARE = 0.25  # and each holds this much at least of what the others leave
LINE_FILLED = 0.9  # and has ink along this share of the length it spans
WANDER = 0.25  # a crease's centre line moves across by at most this share of its length


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
    ends: float = THROUGH_COVER,
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
    the shared lines of short pieces would cost more than the rest of the page).
    ``ends``: the share of one end's sixth that must be ink (or show the line faint)
    where the other end's is THROUGH_COVER, as the whole chord's (``_least``): lower
    only where a line taken out can only take from what is written (the signature
    field: ``measuring.SIG_ENDS``)."""
    h, w = ink.shape
    if max(h, w) < THROUGH_MIN_MM * px_mm:
        return None
    # ``_chord`` looks pixels up by flat index: one contiguous copy here, not per line
    ink, dark, printed = (np.ascontiguousarray(a) for a in (ink, dark, printed))
    tol, offsets = _window(px_mm)
    reach = int(offsets[-1])
    removed = np.zeros_like(ink)
    accepted: list[tuple[float, float]] = []
    tested: list[tuple[float, float]] = []
    rest = ink
    for _ in range(3):  # crossing creases are one piece until one of them is out
        before = len(accepted)
        lines = _straight_pieces(rest, px_mm, inside, widest_mm is None)
        # the lines to test unless one is taken meanwhile, screened all at once (after a
        # line is taken, one not screened is looked at in full)
        ahead = _untested(lines, list(tested), accepted, tol, reach)
        screened = _screen(ink, dark, printed, [lines[i] for i in ahead], offsets, tol, px_mm, ends)
        worth = dict(zip(ahead, screened, strict=True))
        for i, (rho, theta) in enumerate(lines):
            if _near(rho, theta, tested, accepted, tol, reach):
                continue
            tested.append((rho, theta))
            grow = None if widest_mm is None else max(1, round(widest_mm * px_mm))
            cut = None
            if worth.get(i, True):
                cut = _chord(ink, dark, printed, rho, theta, offsets, tol, px_mm, grow, ends=ends)
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


def _window(px_mm: float) -> tuple[int, Array]:
    """A chord's window (``_chord``): how far a crease may wander from its line
    (THROUGH_TOL_MM, px) and the offsets across the line, as far as a wide line
    (THROUGH_WIDTH_MM) and the lines beside it reach."""
    tol = max(1, round(THROUGH_TOL_MM * px_mm))
    reach = tol + round(THROUGH_WIDTH_MM * px_mm)
    return tol, np.arange(-reach, reach + 1)


def _near(
    rho: float,
    theta: float,
    tested: list[tuple[float, float]],
    accepted: list[tuple[float, float]],
    tol: int,
    reach: int,
) -> bool:
    """A line as good as one tested already, or beside one taken (``_through_lines``)."""
    if any(abs(math.sin(theta - t)) < 0.03 and abs(rho - r) < tol for r, t in tested):
        return True
    return any(abs(math.sin(theta - t)) < 0.05 and abs(rho - r) < 2 * reach for r, t in accepted)


def _untested(
    lines: list[tuple[float, float]],
    tested: list[tuple[float, float]],
    accepted: list[tuple[float, float]],
    tol: int,
    reach: int,
) -> list[int]:
    """Which of the lines ``_through_lines`` tests if it takes none of them (``tested``
    grows here: pass a copy)."""
    ahead = []
    for i, (rho, theta) in enumerate(lines):
        if not _near(rho, theta, tested, accepted, tol, reach):
            tested.append((rho, theta))
            ahead.append(i)
    return ahead


def _straight_pieces(
    ink: Array, px_mm: float, inside: tuple[int, int, int, int] | None = None, shared: bool = True
) -> list[tuple[float, float]]:
    """Lines (rho, theta: x cos + y sin = rho) that straight pieces of ink lie on: each
    long straight piece's own, then (with ``shared``) the lines that several short ones
    share (within ``inside``: short straight pieces and small bits): a faint crease
    shows as dashes and dots; and the strongest along and across the page through all
    the ink (a crease that writing joins)."""
    n, labels = cv2.connectedComponents(ink, connectivity=8)
    if n <= 1:
        return []
    ys, xs = nonzero(ink)  # (the labelled pixels; faster found in the 8-bit mask)
    lab = labels[ys, xs]
    size = np.bincount(lab, minlength=n)
    count = np.maximum(size.astype(np.float64), 1)
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
    if not (straight.any() or voters.any() or shared):
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
    votes = max(8, round(2 * THROUGH_DASH_MM * px_mm))
    common = None
    if int(size[voters].sum()) > votes:  # (else a line needs more votes than all there are)
        pieces = voters.astype(np.uint8)[labels]
        if shared:
            common = cv2.HoughLines(_to_last_ink(pieces), 1, np.pi / 360, votes)
        else:  # near the axes only: a fifth of the angles, of the time
            common = _axial(pieces, votes)
    kept: list[tuple[float, float]] = []
    if common is not None:
        _distinct(common[:, 0], THROUGH_CANDIDATES, kept)
    if shared:
        # a fold's crease runs along or across the page, straight through what it meets:
        # joined to writing in the field, it gives no straight piece there, and as dashes
        # among a signature's strokes it can rank far below the strongest lines (48th of
        # 16,000 on a folded photo). The strongest lines along and across the page
        # through all the ink are looked at too.
        axial = _axial(ink, votes)
        if axial is not None:
            theta = axial[:, 0, 1]
            for axis in (np.abs(np.sin(theta)), np.abs(np.cos(theta))):  # along, across
                _distinct(axial[axis <= math.sin(AXIS), 0][:AXIS_LOOK], AXIS_CANDIDATES, kept)
    return found + kept


def _axial(image: Array, votes: int) -> Array | None:
    """``cv2.HoughLines`` near the axes only (AXIS either way: a fifth of the angles,
    of the time), strongest first as it gives them; None: no line."""
    bands = [(0.0, AXIS), (math.pi / 2 - AXIS, math.pi / 2 + AXIS), (math.pi - AXIS, math.pi)]
    image = _to_last_ink(image)
    found_in = [
        cv2.HoughLinesWithAccumulator(image, 1, np.pi / 360, votes, None, 0, 0, a, b)
        for a, b in bands
    ]
    hits = [h.reshape(-1, 3) for h in found_in if h is not None and len(h)]
    if not hits:
        return None
    every = np.concatenate(hits)  # (rho, theta, votes)
    return every[np.argsort(-every[:, 2], kind="stable"), None, :2]


def _distinct(lines: Array, most: int, kept: list[tuple[float, float]]) -> None:
    """Adds to ``kept`` up to ``most`` of the (rho, theta) ``lines``, strongest first,
    one of each bundle: a line beside one kept (3 px, 2 degrees) is the same crease."""
    added = 0
    for r, t in lines:
        if all(abs(r - r0) > 3 or abs(math.sin(t - t0)) > 0.035 for r0, t0 in kept):
            kept.append((float(r), float(t)))
            added += 1
            if added == most:
                return


def _to_last_ink(image: Array) -> Array:
    """The image up to its last row and column with ink in them, for ``cv2.HoughLines``:
    the same lines (the top left corner, where rho is measured from, stays; with rho in
    steps of 1 its bins are whole pixels however large the image), while the
    accumulator it fills and searches, rho both ways as far as the image reaches,
    shrinks to the ink's reach. Nothing is cut from the top or left: that would move the
    origin by a fraction of a bin at most angles and round some pixels the other way."""
    x, y, w, h = cv2.boundingRect(image)
    return image[: y + h, : x + w] if w and h else image


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
    aside: bool = False,
    ends: float = THROUGH_COVER,
) -> Array | None:
    """The ink of one Hough line (pixel centres: x cos + y sin = rho) when the line
    runs right across the region; per step along it, the run of ink through the ink
    nearest the line (within ``tol``), which follows a crease that wanders a little;
    at most ``grow`` steps beyond that ink either way (None: as far as there is ink).
    ``aside``: a faint stretch is told from the paper's noise without a line beside it
    that runs on print along most of it (``_faint``). ``ends``: as ``_through_lines``'s."""
    h, w = ink.shape
    c, s = math.cos(theta), math.sin(theta)
    span = _span(rho, theta, w, h, px_mm)
    if span is None:
        return None
    t = np.arange(span[0], span[1] + 1, dtype=np.float64)
    # each step's point on the line itself; the lines beside it are offset from there
    base_x, base_y = rho * c - t * s, rho * s + t * c

    def at(columns: slice) -> Array:
        """The pixels (flat indices) of each step (row) on the lines at
        ``offsets[columns]``: only what a test needs is worked out (this runs for every
        Hough line)."""
        o = offsets[columns]
        xs = np.rint(base_x[:, None] + o * c).astype(np.int64)
        ys = np.rint(base_y[:, None] + o * s).astype(np.int64)
        # (np.clip's own overhead was a good part of this on the short arrays here)
        np.minimum(np.maximum(xs, 0, out=xs), w - 1, out=xs)
        np.minimum(np.maximum(ys, 0, out=ys), h - 1, out=ys)
        ys *= w
        ys += xs
        return ys

    # flat views (the regions are contiguous: ``_through_lines``); ``np.take`` on one
    # index is several times faster than indexing by rows and columns
    ink_, dark_, printed_ = ink.ravel(), dark.ravel(), printed.ravel()
    middle = len(offsets) // 2
    known = np.take(printed_, at(slice(middle, middle + 1))[:, 0]) == 0
    sixth = max(len(t) // 6, 1)
    parts = (slice(None), slice(0, sixth), slice(len(t) - sixth, len(t)))
    # the whole chord and each end's sixth: each is ink along THROUGH_COVER of its steps
    # clear of print, or, where not, shows the line as a faint ridge (``_faint``). Any
    # part that fails rejects the line, so the cheap tests go first for every part.
    seen = [np.count_nonzero(known[part]) for part in parts]
    if any(n < 0.5 * len(known[part]) for n, part in zip(seen, parts, strict=True)):
        return None
    near = at(slice(middle - tol, middle + tol + 1))
    core = np.take(ink_, near).any(axis=1)
    inked = [np.count_nonzero(core[part] & known[part]) for part in parts]
    least = _least([i / n for n, i in zip(seen, inked, strict=True)], ends)
    fading = [p for n, i, p, q in zip(seen, inked, parts, least, strict=True) if i / n < q]
    if fading:
        # the darkest of each step's window on the line: its pixels are the core's
        on_line = np.take(dark_, near).max(axis=1).astype(np.int16)
        if not _faint(on_line, core, known, fading, dark_, printed_, at, middle, tol, px_mm, aside):
            return None
    every = at(slice(None))
    grid = np.take(ink_, every) > 0
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
    cut.ravel()[every[run]] = 1
    return cut


def _least(cover: list[float], ends: float) -> tuple[float, float, float]:
    """How much of the whole chord and of each end's sixth must be ink (``cover``: how
    much is, in that order) before the rest is looked at as a faint line: THROUGH_COVER
    of each; ``ends`` of one end where the other end holds THROUGH_COVER (a crease that
    stops for a while at one end, where the fold's other crease crosses it)."""
    if ends >= THROUGH_COVER or max(cover[1], cover[2]) < THROUGH_COVER:
        return (THROUGH_COVER,) * 3
    return THROUGH_COVER, ends, ends


def _span(rho: float, theta: float, w: int, h: int, px_mm: float) -> tuple[int, int] | None:
    """The first and last step of a line's chord across a w x h region (points rho * n
    + t * d inside it, d the line's direction); None when the chord is shorter than
    THROUGH_MIN_MM or misses the region."""
    c, s = math.cos(theta), math.sin(theta)
    lo, hi = -math.inf, math.inf
    for p0, dp, size in ((rho * c, -s, w), (rho * s, c, h)):
        if abs(dp) < 1e-9:
            if not 0 <= p0 <= size - 1:
                return None
            continue
        a, b = (0 - p0) / dp, (size - 1 - p0) / dp
        lo, hi = max(lo, min(a, b)), min(hi, max(a, b))
    if hi - lo < THROUGH_MIN_MM * px_mm:
        return None
    return math.ceil(lo), math.floor(hi)


def _screen(
    ink: Array,
    dark: Array,
    printed: Array,
    lines: list[tuple[float, float]],
    offsets: Array,
    tol: int,
    px_mm: float,
    ends: float = THROUGH_COVER,
) -> list[bool]:
    """Which of the lines ``_chord`` may take (False: it would not): its first tests,
    which reject almost every line, for all the lines at once, each step's pixels worked
    out by the same arithmetic as ``_chord``'s (so the same pixels): a chord across the
    region, clear of print along half of each part, and where it is no ink along
    THROUGH_COVER of a part, as dark as THROUGH_FAINT along it (``_faint``'s first
    test). A line by line look cost a hundred small numpy calls for each Hough line.
    Keep it in step with ``_chord``'s first tests: tests/test_scan_pixels.py checks
    that a line screened out is one ``_chord`` rejects."""
    h, w = ink.shape
    spans = [_span(rho, theta, w, h, px_mm) for rho, theta in lines]
    live = [i for i, span in enumerate(spans) if span is not None]
    worth = [False] * len(lines)
    if not live:
        return worth
    middle = len(offsets) // 2
    away = 2 * tol + 1 + round(THROUGH_SIDE_MM * px_mm)
    beside = any(abs(k) + tol <= middle for k in (-2 * away, -away, away, 2 * away))
    first = np.array([spans[i][0] for i in live])
    count = np.array([spans[i][1] - spans[i][0] + 1 for i in live])
    steps = np.arange(int(count.max()))
    valid = steps < count[:, None]
    t = (first[:, None] + steps).astype(np.float64)  # the same whole numbers as arange's
    c = np.array([math.cos(lines[i][1]) for i in live])[:, None]  # math's, as _chord's
    s = np.array([math.sin(lines[i][1]) for i in live])[:, None]
    rho = np.array([lines[i][0] for i in live])[:, None]
    base_x, base_y = rho * c - t * s, rho * s + t * c
    # (column, line, step): the window round each step, a column's plane contiguous so
    # that the window's reductions run plane by plane (the offsets' products as _chord's)
    o = offsets[middle - tol : middle + tol + 1][:, None, None]
    xs = np.rint(base_x + o * c).astype(np.int32)
    ys = np.rint(base_y + o * s).astype(np.int32)
    np.minimum(np.maximum(xs, 0, out=xs), w - 1, out=xs)
    np.minimum(np.maximum(ys, 0, out=ys), h - 1, out=ys)
    near = ys * w + xs
    known = (np.take(printed.ravel(), near[tol]) == 0) & valid
    core = np.take(ink.ravel(), near).any(axis=0) & valid
    on_line = np.take(dark.ravel(), near).max(axis=0)  # (uint8: 0..255)
    dim = known & ~core  # where the line is no ink: it must show as faint there
    sums = np.zeros((len(live), len(steps) + 1), np.int64)  # running sums per line
    faint = THROUGH_FAINT * 255
    darker_value = np.arange(256) >= faint
    for k, i in enumerate(live):
        n = int(count[k])
        sixth = max(n // 6, 1)
        parts = ((0, n), (0, sixth), (n - sixth, n))
        np.cumsum(known[k], out=sums[k, 1:])
        seen = [int(sums[k, b] - sums[k, a]) for a, b in parts]
        if any(m < 0.5 * (b - a) for m, (a, b) in zip(seen, parts, strict=True)):
            continue
        np.cumsum(core[k] & known[k], out=sums[k, 1:])
        inked = [int(sums[k, b] - sums[k, a]) for a, b in parts]
        least = _least([j / m for m, j in zip(seen, inked, strict=True)], ends)
        fading = [p for m, j, p, q in zip(seen, inked, parts, least, strict=True) if j / m < q]
        if not fading:
            worth[i] = True
            continue
        if not beside:
            continue
        ok = True
        for a, b in fading:  # as _faint's first test: the median, or half of them darker
            values = on_line[k, a:b][dim[k, a:b]]
            hist = np.bincount(values, minlength=256)
            m = len(values)
            darker = int(hist[darker_value].sum())
            if m:
                cum = np.cumsum(hist)
                low = float(np.argmax(cum > (m - 1) // 2))
                high = float(np.argmax(cum > m // 2))
                median = (low + high) / 2.0
            else:
                median = math.nan
            if not (median >= faint or darker >= max(8, 0.25 * m) / 2):
                ok = False
                break
        worth[i] = ok
    return worth


def _faint(
    on_line: Array,
    core: Array,
    known: Array,
    parts: list[slice],
    dark: Array,
    printed: Array,
    at: Callable[[slice], Array],
    middle: int,
    tol: int,
    px_mm: float,
    aside: bool = False,
) -> bool:
    """For ``_chord``: whether, in each of ``parts`` (of the line's steps), the steps
    clear of print where the line is no ink (``core``) show it all the same, fainter (a
    crease fades): the darkest of each step's window ``on_line`` against the same at
    lines beside it (``at``: their pixels in ``dark`` and ``printed``, both flat;
    ``middle`` the line itself), so that noise, dither and other writing the chord
    crosses weigh the same there. With ``aside``, a line beside that runs on print along
    most of a part is no measure of the paper's noise there, and the others are: a
    crease close to the signature field's frame line, its line beside on the frame. (Not
    in the searches over all ink: there it let a real stroke along a line be taken for
    a crease.)"""
    away = 2 * tol + 1 + round(THROUGH_SIDE_MM * px_mm)
    shifts = [k for k in (-2 * away, -away, away, 2 * away) if abs(k) + tol <= middle]
    if not shifts:  # nothing beside to tell the line from noise by
        return False
    # The ridge below is at most the line's own darkness (what is beside is no lighter
    # than paper), so the line's steps weighed (below: those where it is no ink, or of
    # those the ones clear of print when there are max(8, a quarter of them)) must be
    # as dark as THROUGH_FAINT on the line itself, half of them at least, or it is no
    # line. Most lines fail that, and then nothing beside them need be looked up.
    faint = THROUGH_FAINT * 255
    for part in parts:
        dim = on_line[part][known[part] & ~core[part]]
        darker = np.count_nonzero(dim >= faint)
        if not (float(median(dim)) >= faint or darker >= max(8, 0.25 * len(dim)) / 2):
            return False
    # only the columns the windows take are looked up (this runs for many Hough lines)
    where = {k: at(slice(middle + k - tol, middle + k + tol + 1)) for k in shifts}
    # steps where a line beside runs over print (a box's side along a crease through
    # its column) say nothing about a faint line: darkness there is the print's
    on_print = [np.take(printed, where[k]).any(axis=1) for k in shifts]
    clear = ~np.any(on_print, axis=0)
    offs = []
    for part in parts:
        off = known[part] & ~core[part]
        if np.count_nonzero(off & clear[part]) >= max(8, 0.25 * np.count_nonzero(off)):
            off &= clear[part]
        if not float(median(on_line[part][off])) >= faint:  # (the same, on those weighed)
            return False
        offs.append(off)
    # signed: the differences below would wrap round in uint8
    beside = [np.take(dark, band).max(axis=1).astype(np.int16) for band in where.values()]
    edges = np.min(beside[:2], axis=0) if len(beside) >= 2 else on_line  # the nearer
    for part, off in zip(parts, offs, strict=True):
        ridge = float(median(on_line[part][off] - edges[part][off]))
        line = float(median(on_line[part][off]))
        paper = beside
        if aside:
            paper = [w for w, p in zip(beside, on_print, strict=True) if p[part][off].mean() <= 0.5]
        noise = max(float(median(w[part][off])) for w in paper or beside)
        if ridge < faint or line - noise < THROUGH_APART:
            return False
    return True


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
        ys, xs = nonzero(labels[y : y + h, x : x + w] == k)
        long, short, fill, _, _ = rectangle(xs, ys, px_mm)
        line = short <= LINE_WIDE_MM and long >= LINE_ELONGATION * short
        # a crease across the field that wanders (a band THROUGH_WIDTH_MM wide at most),
        # as thin along its length as a line, and slowly (a flat signature's strokes go up
        # and down within a few millimetres)
        line = line or (
            long >= THROUGH_MIN_MM
            and short <= THROUGH_WIDTH_MM
            and long >= LINE_ELONGATION * short
            and stats[k, cv2.CC_STAT_AREA] / (px_mm * px_mm * long) <= LINE_WIDE_MM
            and _wander(xs, ys, w >= h) <= WANDER * long * px_mm
        )
        line = line or (
            long >= THROUGH_MIN_MM and _crossing_lines(labels[y : y + h, x : x + w] == k, px_mm)
        )
        staple = _bar(long, short, fill, STAPLE_MM, STAPLE_WIDE_MM[1], STAPLE_FILL)
        found[k] = line or staple
    return found


def _bar(
    long: float,
    short: float,
    fill: float,
    lengths: tuple[float, float],
    widest: float,
    filled: float,
) -> bool:
    """Whether a rectangle (mm, and the share a piece fills) is a staple's straight solid
    bar: ``lengths`` long, STAPLE_WIDE_MM[0] to ``widest`` wide, STAPLE_ELONGATION times
    longer than wide, the piece filling ``filled`` of it."""
    return (
        lengths[0] <= long <= lengths[1]
        and STAPLE_WIDE_MM[0] <= short <= widest
        and long >= STAPLE_ELONGATION * short
        and fill >= filled
    )


def _wander(xs: Array, ys: Array, along_x: bool) -> float:
    """How far (px, summed) a piece's centre line moves across it, step by step along
    its length (``along_x``: along the columns): little for a crease, much for writing."""
    along, across = (xs, ys) if along_x else (ys, xs)
    count = np.bincount(along)
    seen = count > 0
    centre = np.bincount(along, across.astype(np.float64))[seen] / count[seen]
    return float(np.abs(np.diff(centre)).sum())


def _crossing_lines(piece: Array, px_mm: float, most: int = 3) -> bool:
    """Whether a piece of ink is no more than a few straight lines (two creases of a
    fold crossing, joined into one piece): the strongest straight line through it
    taken out, then the next, leave (almost) nothing. A pen's strokes bend away."""
    ink = piece.astype(np.uint8)
    total = int(np.count_nonzero(ink))
    half = LINE_WIDE_MM / 2 * px_mm
    ys, xs = nonzero(ink)
    left = np.ones(len(xs), bool)
    for _ in range(most):
        before = np.count_nonzero(left)
        strongest = _strongest_line(_to_last_ink(ink), max(8, round(THROUGH_PIECE_MM * px_mm)))
        if strongest is None:
            return False
        rho, theta = strongest
        on = np.abs(xs * math.cos(theta) + ys * math.sin(theta) - rho) <= half
        # a crease is one unbroken line: its pixels fill the length they span (the
        # strokes of a flat word that a band happens to hold leave gaps along it)
        along = np.rint(ys[on] * math.cos(theta) - xs[on] * math.sin(theta)).astype(np.int64)
        # (distinct steps counted by bincount: np.unique imports numpy.ma at its first
        # call, tens of milliseconds of a reading process's time)
        steps = np.count_nonzero(np.bincount(along - along.min())) if along.size else 0
        if not along.size or steps < LINE_FILLED * (np.ptp(along) + 1):
            return False
        left &= ~on
        if np.count_nonzero(left) <= LINE_REST * total:
            return True
        if np.count_nonzero(left) > (1 - LINE_SHARE) * before:  # writing: lines hold little
            return False
        ink[ys[on], xs[on]] = 0
    return False


def _strongest_line(image: Array, threshold: int) -> tuple[float, float] | None:
    """``cv2.HoughLines(image, 1, pi / 360, threshold)[0, 0]`` (``_strongest``), kept
    for the last images asked about: the signature's checks ask it of the same piece
    twice (``_straight``'s ``_crossing_lines``, then ``signature.crossed``), and the
    vote costs more than the rest of either check. Keyed by the image's bytes: the
    same image, the same answer."""
    image = np.ascontiguousarray(image)
    return _strongest(image.shape, image.dtype.str, image.tobytes(), threshold)


@functools.lru_cache(maxsize=8)
def _strongest(
    shape: tuple[int, ...], dtype: str, data: bytes, threshold: int
) -> tuple[float, float] | None:
    """``cv2.HoughLines(image, 1, pi / 360, threshold)[0, 0]``, the line with the most
    votes (None: none has more than ``threshold``), at less cost: OpenCV sorts every
    line over the threshold, thousands for a signature, to give the first. The fullest
    row or column is a line at angle 0 (columns: x * 1 + y * 0, exactly) or at the
    181st angle (rows: its sine rounds to 1, its cosine to under 1e-7, so every pixel of
    a row votes for that row), so the strongest line has at least as many votes: a
    threshold just below them leaves it first, as the maximum with the lowest angle
    and rho among equals (OpenCV's order), and cuts the rest short."""
    image = np.frombuffer(data, dtype).reshape(shape)
    fullest = max(
        int(np.count_nonzero(image, axis=0).max(initial=0)),
        int(np.count_nonzero(image, axis=1).max(initial=0)),
    )
    found = cv2.HoughLines(image, 1, np.pi / 360, max(threshold, fullest - 1))
    if found is None or not len(found):
        return None
    rho, theta = found[0, 0]
    return float(rho), float(theta)  # (float32's values, exactly)
