"""Is a page blank: a backside with dust, speckle or show-through, not print."""

from __future__ import annotations

import cv2
import numpy as np

from formgen.scan.pixels import Array, _halve, _percentile, ink_gray


def is_blank(gray: Array) -> bool:
    """A blank backside (dust, speckle, faint show-through) rather than a page with
    print on it: count clearly dark pixels against the local paper on a ~50 dpi
    thumbnail, where dust and speckle average away."""
    small, _ = _halve(ink_gray(gray), 580)  # 50-100 dpi for A4
    sh, sw = small.shape
    my, mx = max(1, sh // 50), max(1, sw // 50)  # scanner edge shadows are not content
    small = small[my : sh - my, mx : sw - mx]
    if small.size == 0:
        return True
    paper = cv2.dilate(small, np.ones((15, 15), np.uint8))  # local white, print removed
    dark = cv2.subtract(paper, small)
    # ink: darker than the paper by over a third of it (show-through stays lighter):
    # 3 dark > paper, in whole levels the same as dark > paper // 3
    ink = cv2.compare(dark, paper // 3, cv2.CMP_GT)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # lone specks
    if cv2.countNonZero(ink) < 0.0004 * small.size:
        return True
    # A phone photo shows the sheet on a darker table, whose edge reads as ink: look
    # only inside the sheet, well away from its edge.
    sheet = _sheet_mask(small)
    if sheet is None:
        return False
    return cv2.countNonZero(cv2.bitwise_and(ink, sheet)) < 0.0004 * cv2.countNonZero(sheet)


def _sheet_mask(small: Array) -> Array | None:
    """The inside of the one bright sheet in a photo (None when the picture is not a
    sheet on a darker background, as in any scan)."""
    rim = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
    edge = _percentile(rim, 25)
    # paper all round: a scan. (Over 0.75 of 255, the rim is lighter than that share of
    # any page's 90th percentile: a scan's white rim needs no histogram of the page.)
    if edge > 0.75 * 255 or edge > 0.75 * _percentile(small, 90):
        return None
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    if count < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    share = stats[biggest, cv2.CC_STAT_AREA] / small.size
    if not 0.15 < share < 0.95:
        return None
    # The sheet's outline, print included: the convex hull of its outer contour.
    outline, _ = cv2.findContours(
        (labels == biggest).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    mask = np.zeros_like(small)
    cv2.fillConvexPoly(mask, cv2.convexHull(max(outline, key=len)), 255)
    margin = max(2, min(small.shape) // 100)  # ~2 mm: the registration marks sit at 4 mm
    return cv2.erode(mask, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8))
