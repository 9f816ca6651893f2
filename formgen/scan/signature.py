"""What on the signature field's frame line looks like writing and is not: for
``measuring._measure_signature``, on the strokes it keeps (``labels``/``stats`` as
``ink._strip_lines`` gives them, the frame's ``band`` taken out and joined again where
a stroke crosses it).

- A staple on the frame line: the band hides part of its bar, so the bar's rectangle
  is judged by the part clear of the band (``creases._straight`` judges it whole).
- A staple's bar across the frame line that joined the print beside the field (the
  label above it): the bar is judged by its part in the field, the rest hidden.
- A fold's crease along the frame line that the crease finder did not take (the frame
  line beside it hides the ridge it looks for): it is left as dashes strung along
  one straight line; a pen's strokes are not.
- The other side's writing shining through onto the frame line: ink only by touching
  the frame (``ink._faint``), nowhere as dark as a mark made on this side. Not a
  stroke, nor nothing: ``faint_mm`` for ``rules.classify_signature`` (a person looks).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from formgen.scan.creases import (
    LINE_WIDE_MM,
    STAPLE_ELONGATION,
    STAPLE_FILL,
    STAPLE_MM,
    STAPLE_WIDE_MM,
    THROUGH_MIN_MM,
)
from formgen.scan.ink import _faint
from formgen.scan.pixels import Array, nonzero

FAINT_SHARE = 0.5  # a stroke this much faint is the other side's (as a box's: rules.marks)
# a staple's bar on the frame line this wide at most (creases.STAPLE_WIDE_MM's 2.0 and
# a phone photo's blur: a crown across the line measured 2.05)
BAR_WIDE_MM = 2.5
STRUNG_PIECES = 3  # dashes strung along one line: this many at least, over THROUGH_MIN_MM


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
        found[k] = (
            STAPLE_MM[0] <= long <= STAPLE_MM[1]
            and STAPLE_WIDE_MM[0] <= short <= BAR_WIDE_MM
            and long >= STAPLE_ELONGATION * short
            and fill >= STAPLE_FILL
        )
    return found


def bars_in_field(
    labels: Array,
    stats: Array,
    candidates: Array,
    band: Array,
    field: tuple[int, int, int, int],
    px_mm: float,
) -> Array:
    """Which candidate pieces that leave the ``field`` (y0, y1, x0, x1: to the frame
    line's outer edge) are a staple's bar by their part in it (``hidden_bars``, what
    lies beyond the field hidden as the band is): a bar across the frame line that ran
    on into the print beside the field (the label's letters) is no longer a bar whole."""
    y0, y1, x0, x1 = field
    inside = np.zeros(labels.shape, bool)
    inside[y0:y1, x0:x1] = True
    beyond = np.bincount(labels[~inside], minlength=len(stats)) > 0
    leaving = candidates & beyond
    leaving[0] = False
    if not leaving.any():
        return leaving
    clipped = np.where(inside, labels, 0)
    own = stats.copy()
    for k in np.flatnonzero(leaving):  # the part in the field's own bounding box
        x, y, w, h = stats[k, :4]
        ys, xs = nonzero(clipped[y : y + h, x : x + w] == k)
        if not len(xs):
            leaving[k] = False
            continue
        own[k, :4] = (x + xs.min(), y + ys.min(), np.ptp(xs) + 1, np.ptp(ys) + 1)
        own[k, 4] = len(xs)
    hidden = np.where(inside, band, 1).astype(band.dtype)
    return hidden_bars(clipped, own, leaving, hidden, px_mm)


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


def faint_strokes(ink: Array, dark: Array, band: Array, labels: Array, candidates: Array) -> Array:
    """Which candidate strokes are mostly ink only by touching the frame line: their
    pixels off the band, taken without it, nowhere as dark as a mark made on this
    side (``ink._faint``)."""
    weak = _faint(ink, dark, band)
    off = (band == 0) & (labels > 0)
    total = np.bincount(labels[off], minlength=len(candidates))
    light = np.bincount(labels[off & (weak > 0)], minlength=len(candidates))
    return candidates & (light >= FAINT_SHARE * np.maximum(total, 1))
