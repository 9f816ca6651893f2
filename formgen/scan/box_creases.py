"""A fold's crease or a staple through an answer box, which the search right across the
answers region (``creases._through_lines``) did not take out: a crease that faded before
it got right across (``_across_box``; joined to what is written in the box,
``_line_through``), a staple's crown slanting through the box (``_bars``); and of a
crease's pixels in a box, its bare line (``_bare``), so that what else it took out there
(a tick it runs through) goes to a person.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from formgen.scan.creases import AXIS, LINE_WIDE_MM, STAPLE_WIDE_MM
from formgen.scan.pixels import Array

CREASE_MM = 0.6  # through the boxes: ink this far either side of a crease's goes with it
# In a box: a crease that faded before it got right across the answers region (so it was
# not found there) is thin straight ink along or across the page (pieces no wider together
# than LINE_WIDE_MM, twice as long as wide) that runs on straight beyond the box's outline
# on one side at least: ink along ACROSS_ON_SHARE of ACROSS_ON_MM there, and along
# ACROSS_APART more of it than in the rows beside (a printed word's letters are no line;
# a crease through the word is).
ACROSS_ON_MM = 3.0
ACROSS_ON_SHARE = 0.6
ACROSS_APART = 0.4
# Such a crease joined to what is written in the box (``_line_through``): the piece
# reaches along this share of the box within a band LINE_WIDE_MM wide.
SPAN_SHARE = 0.9
SPAN_TRIES = 3  # lines looked at, the fullest first
# A crease's own pixels in a box: a line along or across the page, this far (mm) either
# side of its densest column or row. What else a crease took out there (a tick it runs
# through) is no bare crease: a person looks.
BARE_MM = 0.35
# Through a box: a solid straight bar (a staple's crown) through its inside, slanting (a
# line along or across the page is a crease's), both ends BAR_BEYOND_MM or more beyond
# the box's outline, broken by gaps of at most BAR_GAP_MM (the outline's band taken
# out, a staple's sheen); its ink is BAR_WIDE_MM either side of it.
BAR_BEYOND_MM = 1.0
BAR_GAP_MM = 4.0
BAR_WIDE_MM = 0.6


def _across_box(
    own: Array,
    ink: Array,
    interior: tuple[int, int, int, int],
    outer: tuple[int, int, int, int],
    px_mm: float,
) -> Array:
    """The ink of ``own`` (a box's writing) that is a crease the answers region's search
    did not find, in the box's interior: thin straight pieces in the box's ``interior``
    (y0, y1, x0, x1) on one line along or across the page, which runs on straight in
    ``ink`` beyond the box's ``outer`` edge (its outline and band) on one side at least.
    A tick or a cross is neither straight along an axis nor runs on beyond the box as a
    line; a stroke that does (a dash along a crease's line) is taken for the crease, and
    what else is in the box with it goes to a person (``rules.read_box``)."""
    y0, y1, x0, x1 = interior
    found = np.zeros_like(own[y0:y1, x0:x1])
    n, labels, stats, _ = cv2.connectedComponentsWithStats(own[y0:y1, x0:x1], connectivity=8)
    if n <= 1:
        return found
    wide = max(2, round(LINE_WIDE_MM * px_mm))
    on = max(2, round(ACROSS_ON_MM * px_mm))
    for along_rows in (True, False):  # transposed views: one code for both directions
        a0 = y0 if along_rows else x0  # "rows": across the line; "columns": along it
        # a piece's extent across the line and along it (box pixels)
        c, r, cw, rw = (0, 1, 2, 3) if along_rows else (1, 0, 3, 2)
        thin = [k for k in range(1, n) if stats[k, rw] <= wide]
        done: set[int] = set()
        for k in sorted(thin, key=lambda k: stats[k, r]):  # pieces on one line: a group
            if k in done:
                continue
            group = [j for j in thin if stats[k, r] - 1 <= stats[j, r] <= stats[k, r] + wide]
            group = [j for j in group if stats[j, r] + stats[j, rw] <= stats[k, r] + wide]
            lo = min(stats[j, r] for j in group)
            hi = max(stats[j, r] + stats[j, rw] for j in group)
            ends = [stats[j, c] for j in group] + [stats[j, c] + stats[j, cw] for j in group]
            if hi - lo > wide or max(ends) - min(ends) < 2 * (hi - lo):
                continue
            done.update(group)
            rows = (max(a0 + lo - 1, 0), a0 + hi + 1)  # a row either side: blur
            if not _runs_beyond(ink, outer, along_rows, rows, on, wide):
                continue
            found |= np.isin(labels, group).astype(found.dtype)
    return found


def _line_through(
    own: Array,
    ink: Array,
    interior: tuple[int, int, int, int],
    outer: tuple[int, int, int, int],
    px_mm: float,
) -> Array:
    """The line of a crease that faded before it got right across the answers region
    and, in a box, runs through what is written there, one piece with it (the other
    side's tick, which the crease's shading lifted over the bar where it crosses), or
    along the box's edge: of a piece of ``own``, the band LINE_WIDE_MM wide along or
    across the page in which it reaches along SPAN_SHARE of the box's ``interior``,
    where ink runs on straight beyond the box's ``outer`` edge on one side at least
    (``_runs_on``, over a band as wide again either side: beyond the box a crease is
    blurred wider and wanders). ``_across_box`` takes only pieces that are a line,
    and only where the line runs on within its own width. What is written is judged
    faint or not without the band (``measuring._writing``): where all of it lies in
    the band, a person looks. The band's pixels, in the box's interior."""
    y0, y1, x0, x1 = interior
    found = np.zeros_like(own[y0:y1, x0:x1])
    _, labels, stats, _ = cv2.connectedComponentsWithStats(own[y0:y1, x0:x1], connectivity=8)
    wide = max(2, round(LINE_WIDE_MM * px_mm))
    on = max(2, round(ACROSS_ON_MM * px_mm))
    across = np.ones((1, wide), np.uint8)
    reaching = (  # the pieces that may reach along the box, each way
        stats[:, cv2.CC_STAT_WIDTH] >= SPAN_SHARE * (x1 - x0),
        stats[:, cv2.CC_STAT_HEIGHT] >= SPAN_SHARE * (y1 - y0),
    )
    for k in np.flatnonzero(reaching[0] | reaching[1]):
        if k == 0:  # (the paper)
            continue
        piece = (labels == k).view(np.uint8)
        for along_rows, may in zip((True, False), reaching, strict=True):
            if not may[k]:
                continue
            # transposed views, as in ``_across_box``: in ``mine`` the line runs down a column
            mine = np.ascontiguousarray(piece.T) if along_rows else piece
            a0 = y0 if along_rows else x0
            # the share of the box's extent along the line that the piece reaches
            # within a band ``wide`` across, for each band's middle; of the bands that
            # reach along SPAN_SHARE, those round the fullest lines first (a crease's
            # line is full along the box; a tick's or a cross's arms are not)
            reach = cv2.dilate(mine, across).mean(axis=0)
            held = np.convolve(mine.sum(axis=0, dtype=np.int32), np.ones(3), "same")
            tried: list[int] = []
            for middle in np.argsort(-np.where(reach >= SPAN_SHARE, held, -1), kind="stable"):
                if reach[middle] < SPAN_SHARE or len(tried) == SPAN_TRIES:
                    break
                if any(abs(middle - t) < wide for t in tried):
                    continue
                tried.append(int(middle))
                lo, hi = max(middle - wide // 2, 0), middle + wide // 2 + 1
                # beyond the box, as far again either side: a crease's line is blurred
                # wider than a crease's own pixels in the box, and wanders
                rows = (max(a0 + lo - wide, 0), a0 + hi + wide)
                if _runs_beyond(ink, outer, along_rows, rows, on, wide):
                    band = np.zeros_like(piece)
                    if along_rows:
                        band[lo:hi, :] = piece[lo:hi, :]
                    else:
                        band[:, lo:hi] = piece[:, lo:hi]
                    found |= band
                    break
    return found


def _bars(
    writing: Array,
    interior: tuple[int, int, int, int],
    outer: tuple[int, int, int, int],
    px_mm: float,
) -> Array:
    """The ink of ``writing`` in a box's interior on solid straight bars right through
    the box (a staple's crown): segments (probabilistic Hough, over gaps) that cross the box's
    ``interior`` (y0, y1, x0, x1) with both ends BAR_BEYOND_MM or more beyond its
    ``outer`` edge, slanting more than AXIS, with ink as wide as a staple's wire
    (STAPLE_WIDE_MM) along them. A tick's or a cross's strokes end in or near the box;
    an arm that runs far out of it starts in it. A line along or across the page is a
    crease's (``_through_lines``, ``_across_box``): taken as a bar, a crease's crumbs
    alone in a box went to review."""
    y0, y1, x0, x1 = interior
    oy0, oy1, ox0, ox1 = outer
    if not writing[y0:y1, x0:x1].any():
        return np.zeros_like(writing[y0:y1, x0:x1])
    beyond = BAR_BEYOND_MM * px_mm
    margin = round(beyond + 2 * px_mm)
    cy0, cx0 = max(oy0 - margin, 0), max(ox0 - margin, 0)
    crop = np.ascontiguousarray(writing[cy0 : oy1 + margin, cx0 : ox1 + margin])
    shortest = round(min(oy1 - oy0, ox1 - ox0) + 2 * beyond)
    gap = round(BAR_GAP_MM * px_mm)
    segments = cv2.HoughLinesP(crop, 1, np.pi / 180, shortest // 2, None, shortest, gap)
    width = 2 * max(1, round(BAR_WIDE_MM * px_mm)) + 1
    inside = (x0, y0, x1 - x0, y1 - y0)
    solid = np.zeros_like(crop)  # (the box and what is round it: no page-sized masks)
    for xa, ya, xb, yb in [] if segments is None else segments.reshape(-1, 4):
        ends = ((int(xa + cx0), int(ya + cy0)), (int(xb + cx0), int(yb + cy0)))
        out = [max(ox0 - x, x - ox1, oy0 - y, y - oy1) for x, y in ends]
        if min(out) < beyond or not cv2.clipLine(inside, *ends)[0]:
            continue  # an end in or near the box, or past it: not right through
        if abs(math.sin(2 * math.atan2(yb - ya, xb - xa))) <= math.sin(2 * AXIS):
            continue  # along or across the page: a crease's
        line = np.zeros_like(crop)
        cv2.line(line, (int(xa), int(ya)), (int(xb), int(yb)), 1, width)
        line &= crop
        if np.count_nonzero(line) >= STAPLE_WIDE_MM[0] * px_mm * math.hypot(xb - xa, yb - ya):
            solid |= line
    return solid[y0 - cy0 : y1 - cy0, x0 - cx0 : x1 - cx0]


def _bare(crease: Array, px_mm: float) -> Array:
    """Of a crease's pixels in a box, those that are a bare line along or across the
    page (BARE_MM either side of the densest column or row):
    what else it took out there is something on the crease."""
    bare = np.zeros_like(crease)
    half = max(1, round(BARE_MM * px_mm))
    for axis in (0, 1):  # 0: a line down the box (columns), 1: across it (rows)
        counts = np.count_nonzero(crease, axis=axis).astype(np.float32)
        if not counts.any():
            continue
        centre = int(np.argmax(np.convolve(counts, np.ones(2 * half + 1), "same")))
        lo, hi = max(centre - half, 0), centre + half + 1
        band = crease[:, lo:hi] if axis == 0 else crease[lo:hi, :]
        if axis == 0:
            bare[:, lo:hi] |= band
        else:
            bare[lo:hi, :] |= band
    return bare


def _runs_beyond(
    ink: Array,
    outer: tuple[int, int, int, int],
    along_rows: bool,
    rows: tuple[int, int],
    on: int,
    wide: int,
) -> bool:
    """Whether ink runs on as a line (``_runs_on``) beyond a box's ``outer`` edge
    (y0, y1, x0, x1) on one side at least, ``on`` pixels far: along ``rows`` of ``ink``
    (``along_rows``), or along those columns."""
    page = ink if along_rows else ink.T
    _, _, ob0, ob1 = outer if along_rows else (*outer[2:], *outer[:2])
    return any(
        _runs_on(page, *rows, c0, c1, wide)
        for c0, c1 in ((max(ob0 - on, 0), ob0), (ob1, min(ob1 + on, page.shape[1])))
        if c1 - c0 >= 0.8 * on
    )


def _runs_on(page: Array, r0: int, r1: int, c0: int, c1: int, wide: int) -> bool:
    """Whether ink runs on along rows r0..r1 over columns c0..c1 as a line: along most
    of the stretch, and clearly more than in the rows beside (letters or a tick reach
    those too; a line through a printed word does not make the word a line)."""
    along = float(page[r0:r1, c0:c1].any(axis=0).mean())
    above = page[max(r0 - wide, 0) : max(r0 - 1, 0), c0:c1]
    below = page[r1 + 1 : r1 + wide, c0:c1]
    beside = max((float(b.any(axis=0).mean()) for b in (above, below) if b.size), default=0.0)
    return along >= ACROSS_ON_SHARE and along - beside >= ACROSS_APART
