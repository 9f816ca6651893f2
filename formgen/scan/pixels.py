"""Pixel helpers every step shares: the ink channel, a fast percentile, halving, a
piece's smallest rectangle, strokes' width."""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

Array = NDArray[Any]
MM_PER_INCH = 25.4


def ink_gray(image: Array) -> Array:
    """One channel in which every ink is dark: the minimum over R, G and B, so blue
    ballpoint counts as much as black (luminance would make it a mid gray)."""
    if image.ndim == 2:
        return image
    if image.ndim == 3 and image.shape[2] == 1:
        return image[..., 0]
    return cv2.min(cv2.min(image[..., 0], image[..., 1]), image[..., 2])


def _percentile(image: Array, q: float) -> float:
    """Percentile of a uint8 image from its histogram (OpenCV's: twice np.bincount's
    speed, ten times np.percentile's)."""
    if image.size == 0:
        return 0.0
    return _from_histogram(histogram(image), q)


def histogram(image: Array) -> Array:
    """The counts of a uint8 image's 256 levels (float32, OpenCV's), to take several
    percentiles from (``_from_histogram``) at the cost of one."""
    return cv2.calcHist([np.ascontiguousarray(image)], [0], None, [256], [0, 256]).ravel()


def _from_histogram(counts: Array, q: float) -> float:
    """``_percentile`` of the image whose ``histogram`` this is."""
    total = int(counts.sum())
    if total == 0:
        return 0.0
    return float(np.searchsorted(np.cumsum(counts), q / 100.0 * (total - 1), side="right"))


def deviations(counts: Array, centre: int) -> Array:
    """The histogram of ``cv2.absdiff(image, centre)`` from the image's own: levels
    ``centre`` +- d both deviate by d (exact: whole counts in float32)."""
    folded = np.zeros_like(counts)
    folded[: 256 - centre] += counts[centre:]
    folded[1 : centre + 1] += counts[centre - 1 :: -1] if centre else 0
    return folded


def nonzero(mask: Array) -> tuple[Array, Array]:
    """``np.nonzero`` of a 2-D mask: rows and columns (int64) of its pixels that are not
    zero, row by row. OpenCV's ``findNonZero`` finds them in a tenth of numpy's time."""
    if mask.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    points = cv2.findNonZero(mask.view(np.uint8) if mask.dtype == bool else mask)
    if points is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    points = points.reshape(-1, 2).astype(np.int64)
    return points[:, 1], points[:, 0]


def components(mask: Array, connectivity: int = 8) -> tuple[int, Array, Array]:
    """``cv2.connectedComponentsWithStats`` without the centroids: the count, the same
    labels and the same stats (left, top, width, height, area per label, the paper's
    as label 0). OpenCV's stats go through every pixel, the paper's too, at eight times
    the labelling's time; here they go through the ink only."""
    if mask.dtype == bool:
        mask = mask.view(np.uint8)
    height, width = mask.shape[:2]
    n, labels = cv2.connectedComponents(mask, connectivity=connectivity)
    ys, xs = nonzero(mask)
    paper = height * width - len(xs)
    if paper == 0 or mask.size == 0:  # no paper: OpenCV's own stats for label 0
        return n, labels, cv2.connectedComponentsWithStats(mask, connectivity=connectivity)[2]
    stats = np.empty((n, 5), np.int32)
    # label 0: the paper's bounding box, from the rows and columns that hold paper
    rows = np.flatnonzero(np.bincount(ys, minlength=height) < width)
    cols = np.flatnonzero(np.bincount(xs, minlength=width) < height)
    stats[0] = (cols[0], rows[0], cols[-1] - cols[0] + 1, rows[-1] - rows[0] + 1, paper)
    if n > 1:
        label = labels.ravel()[ys * width + xs]
        order = np.argsort(label, kind="stable")  # by label, each still row by row
        starts = np.flatnonzero(np.diff(label[order], prepend=-1))
        ends = np.append(starts[1:], len(order)) - 1
        xs, ys = xs[order], ys[order]
        left, right = np.minimum.reduceat(xs, starts), np.maximum.reduceat(xs, starts)
        stats[1:, 0] = left
        stats[1:, 1] = ys[starts]
        stats[1:, 2] = right - left + 1
        stats[1:, 3] = ys[ends] - ys[starts] + 1
        stats[1:, 4] = ends - starts + 1
    return n, labels, stats


def median(values: Any, axis: int | None = None) -> Any:
    """``np.median`` (NaN when empty), without the import of ``numpy.ma`` that
    ``np.median`` does at its first call: a fifth of a one-page import's reading."""
    ordered = np.sort(np.asarray(values, np.float64), axis=axis)
    along = 0 if axis is None else axis
    n = ordered.shape[along]
    if n == 0:
        return np.full(np.delete(ordered.shape, along), np.nan)[()]
    return (np.take(ordered, (n - 1) // 2, along) + np.take(ordered, n // 2, along)) / 2.0


def _halve(image: Array, min_side: int) -> tuple[Array, int]:
    """Area-average by 2 while the long side stays >= min_side: OpenCV's 2x path is
    ten times faster than any other factor. Returns the image and the total factor."""
    k = 1
    while max(image.shape[:2]) // 2 >= min_side:
        image = cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        k *= 2
    return image, k


STREAK_SHARE = 0.92  # a streak darkens this much of its column (or row) at the least
_STREAK_STEP = 16  # rows (columns) sampled to find them


def find_streaks(gray: Array) -> list[tuple[int, int, int]]:
    """Streaks a scanner's glass or a fax head leaves: lines one or two pixels wide along
    a whole column (or row) of the image, dark in at least ``STREAK_SHARE`` of it, with
    paper beside them. Nothing printed on a form is that long (its rules stop at the
    margins). Returns
    ``(axis, first, last)`` runs: axis 1 for columns, 0 for rows."""
    found = []
    for axis in (1, 0):
        # every 16th row, each pixel against the lightest of its neighbours along it
        sample = gray[::_STREAK_STEP] if axis == 1 else gray[:, ::_STREAK_STEP]
        kernel = np.ones((1, 9) if axis == 1 else (9, 1), np.uint8)
        if min(sample.shape) < 8:
            continue
        sample = np.ascontiguousarray(sample)
        paper = cv2.dilate(sample, kernel)
        dark = cv2.compare(sample, cv2.multiply(paper, 0.91), cv2.CMP_LT)  # 9 % darker
        count = cv2.reduce(dark, 1 - axis, cv2.REDUCE_SUM, dtype=cv2.CV_32S).ravel()
        share = count / (255.0 * sample.shape[1 - axis])
        lines = share >= STREAK_SHARE
        if not lines.any():
            continue
        # with paper beside it (a thin line, not the dark table around a photo)
        side = np.maximum(np.roll(share, 3), np.roll(share, -3))
        lines &= side < 0.35
        lines[:3] = lines[-3:] = False
        for first, last in _runs(lines):
            if last - first < 4:  # one or two pixels (a little more where it wavers)
                found.append((axis, first, last))
    return found


def _runs(flags: Array) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def without_streaks(gray: Array, streaks: list[tuple[int, int, int]]) -> Array:
    """A copy of the page with each streak replaced by the lighter of the pixels two
    beside it: paper where it crossed paper, ink where it crossed a stroke."""
    out = gray.copy()
    for axis, first, last in streaks:
        lo, hi = max(first - 2, 0), min(last + 2, gray.shape[axis] - 1)
        if axis == 1:
            out[:, first : last + 1] = np.maximum(gray[:, lo], gray[:, hi])[:, None]
        else:
            out[first : last + 1] = np.maximum(gray[lo], gray[hi])[None, :]
    return out


def rectangle(
    xs: Array, ys: Array, px_mm: float
) -> tuple[float, float, float, tuple[float, float], float]:
    """A piece's smallest rectangle (``cv2.minAreaRect`` of its pixels, x and y): its
    long and short sides (mm, each with the pixel a side adds), the share of it the
    piece fills, its centre (px) and its long side's direction (radians)."""
    (cx, cy), (a, b), angle = cv2.minAreaRect(np.column_stack([xs, ys]).astype(np.float32))
    long, short = (max(a, b) + 1) / px_mm, (min(a, b) + 1) / px_mm
    direction = math.radians(angle) + (0.0 if a >= b else math.pi / 2)
    return long, short, len(xs) / (px_mm * px_mm * long * short), (cx, cy), direction


def stroke_width(mask: Array) -> float:
    """The strokes' typical width (px): ink over the number of runs of ink along rows
    or along columns, whichever is less (across a stroke the run is its width)."""
    area = float(np.count_nonzero(mask))
    # a run starts where ink follows paper, or at the first row (column) (mask: 0/1)
    runs = [
        np.count_nonzero(mask[1:] > mask[:-1]) + np.count_nonzero(mask[0]),
        np.count_nonzero(mask[:, 1:] > mask[:, :-1]) + np.count_nonzero(mask[:, 0]),
    ]
    return max(area / max(max(runs), 1), 1.0)
