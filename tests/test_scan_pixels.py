"""The pixel helpers that stand in for slower OpenCV or numpy calls give exactly what
those give: the reader's decisions rest on them."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from formgen.scan import creases
from formgen.scan.creases import _to_last_ink
from formgen.scan.pixels import (
    _from_histogram,
    _percentile,
    components,
    deviations,
    histogram,
    nonzero,
)


def _masks(seed: int):
    """Masks of every kind the reader makes: sparse strokes, dense fills, all paper, all
    ink, 0/1 and 0/255, bool, tiny, and views into a larger mask."""
    rng = np.random.default_rng(seed)
    yield np.zeros((5, 7), np.uint8)
    yield np.ones((5, 7), np.uint8)
    yield np.ones((1, 1), np.uint8)
    for _ in range(300):
        h, w = (int(v) for v in rng.integers(1, 50, 2))
        share = float(rng.uniform(0, 1))
        mask = (rng.uniform(size=(h, w)) < share).astype(np.uint8)
        yield mask * np.uint8(rng.choice([1, 255]))
        yield mask > 0
    strokes = np.zeros((300, 400), np.uint8)
    for _ in range(40):
        a, b = (tuple(int(v) for v in rng.integers(0, 400, 2)) for _ in range(2))
        cv2.line(strokes, a, b, 1, int(rng.integers(1, 5)))
    yield strokes
    yield strokes[17:250, 33:371]  # a view, not contiguous


@pytest.mark.parametrize("seed", [1, 2])
def test_components_are_opencvs(seed: int) -> None:
    for mask in _masks(seed):
        for connectivity in (4, 8):
            n, labels, stats, _ = cv2.connectedComponentsWithStats(
                mask.view(np.uint8), connectivity=connectivity
            )
            n2, labels2, stats2 = components(mask, connectivity)
            assert n2 == n
            assert labels2.dtype == labels.dtype and np.array_equal(labels2, labels)
            assert stats2.dtype == stats.dtype and np.array_equal(stats2, stats)


@pytest.mark.parametrize("seed", [1, 2])
def test_nonzero_is_numpys(seed: int) -> None:
    for mask in _masks(seed):
        rows, cols = np.nonzero(mask)
        rows2, cols2 = nonzero(mask)
        assert rows2.dtype == rows.dtype and np.array_equal(rows2, rows)
        assert cols2.dtype == cols.dtype and np.array_equal(cols2, cols)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hough_on_the_ink_reach_is_the_whole_images(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(40):
        h, w = (int(v) for v in rng.integers(40, 260, 2))
        image = np.zeros((h, w), np.uint8)
        for _ in range(int(rng.integers(1, 6))):  # strokes and lines, kept off the far edges
            a, b = (
                (int(rng.integers(0, w * 3 // 4)), int(rng.integers(0, h * 3 // 4)))
                for _ in range(2)
            )
            cv2.line(image, a, b, 1, int(rng.integers(1, 4)))
        image[rng.uniform(size=image.shape) < 0.002] = 1  # dust
        threshold = int(rng.integers(8, 30))
        for lo, hi in ((0.0, np.pi), (0.0, 0.14), (np.pi / 2 - 0.14, np.pi / 2 + 0.14)):
            whole = cv2.HoughLinesWithAccumulator(
                image, 1, np.pi / 360, threshold, None, 0, 0, lo, hi
            )
            cut = cv2.HoughLinesWithAccumulator(
                _to_last_ink(image), 1, np.pi / 360, threshold, None, 0, 0, lo, hi
            )
            assert (whole is None) == (cut is None)
            if whole is not None:
                assert np.array_equal(whole, cut)
        whole = cv2.HoughLines(image, 1, np.pi / 360, threshold)
        cut = cv2.HoughLines(_to_last_ink(image), 1, np.pi / 360, threshold)
        assert (whole is None) == (cut is None)
        if whole is not None:
            assert np.array_equal(whole, cut)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_strongest_line_is_houghlines_first(seed: int) -> None:
    """``creases._strongest_line`` (a threshold raised to the fullest row or column)
    gives the line ``cv2.HoughLines`` gives first, or None when it gives none: on
    scribbles, on lines along the rows and columns (where the fullest row is the
    strongest line itself, and ties are many) and on sparse dust."""
    rng = np.random.default_rng(seed)
    for case in range(60):
        h, w = (int(v) for v in rng.integers(20, 240, 2))
        image = np.zeros((h, w), np.uint8)
        kind = case % 3
        for _ in range(int(rng.integers(1, 8))):
            a = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            if kind == 1:  # along a row or a column
                b = (
                    (int(rng.integers(0, w)), a[1])
                    if rng.uniform() < 0.5
                    else (a[0], int(rng.integers(0, h)))
                )
            else:
                b = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(image, a, b, 1, int(rng.integers(1, 5)))
        if kind == 2:  # a curved stroke, as a signature's
            centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            axes = (int(rng.integers(3, w)), int(rng.integers(3, h)))
            cv2.ellipse(image, centre, axes, float(rng.uniform(0, 180)), 0, 300, 1, 2)
        image[rng.uniform(size=image.shape) < 0.003] = 1  # dust
        threshold = int(rng.integers(8, 30))
        for picture in (image, image * 255, np.zeros_like(image)):
            every = cv2.HoughLines(picture, 1, np.pi / 360, threshold)
            first = creases._strongest_line(picture, threshold)
            if every is None or not len(every):
                assert first is None
            else:
                assert first == (float(every[0, 0, 0]), float(every[0, 0, 1]))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_screened_out_line_is_one_the_chord_rejects(seed: int) -> None:
    """``creases._screen`` decides for many Hough lines at once what ``_chord`` would:
    a line it screens out must be one ``_chord`` rejects (a line it lets through is
    looked at in full)."""
    rng = np.random.default_rng(seed)
    px_mm = 150 / 25.4
    h, w = 230, 640
    dark = rng.integers(0, 3, (h, w)).astype(np.uint8)  # paper's noise
    for _ in range(6):  # strokes
        a, b = ((int(rng.integers(0, w)), int(rng.integers(0, h))) for _ in range(2))
        cv2.line(dark, a, b, int(rng.integers(40, 200)), int(rng.integers(1, 4)))
    lines = []
    for k in range(4):  # creases: dark, faint, and faint in stretches
        y = int(rng.integers(20, h - 20))
        strength = (90, 4, 5, 60)[k]
        cv2.line(dark, (0, y), (w - 1, y + k - 2), strength, 1)
        if k == 3:
            dark[:, 200:320] = rng.integers(0, 3, (h, 120))
        theta = math.atan2(w - 1, -(k - 2)) if k != 2 else math.pi / 2
        lines.append((y * math.sin(theta), theta))
    printed = np.zeros((h, w), np.uint8)
    cv2.rectangle(printed, (30, 30), (w - 30, h - 30), 1, 3)
    ink = (dark >= 23).astype(np.uint8)
    lines += [(float(rng.uniform(-w, w)), float(rng.uniform(0, math.pi))) for _ in range(60)]
    lines += [(float(rng.uniform(0, h)), float(rng.uniform(1.45, 1.69))) for _ in range(60)]
    tol = max(1, round(creases.THROUGH_TOL_MM * px_mm))
    reach = tol + round(creases.THROUGH_WIDTH_MM * px_mm)
    offsets = np.arange(-reach, reach + 1)
    worth = creases._screen(ink, dark, printed, lines, offsets, tol, px_mm)
    taken = 0
    for (rho, theta), look in zip(lines, worth, strict=True):
        cut = creases._chord(ink, dark, printed, rho, theta, offsets, tol, px_mm)
        assert look or cut is None, (rho, theta)
        taken += cut is not None
    assert taken and not all(worth)  # both kinds of line were there


@pytest.mark.parametrize("seed", [1, 2])
def test_percentiles_from_one_histogram(seed: int) -> None:
    """Several percentiles of an image, and of its deviations from a level, from the
    image's one histogram: the same as each from its own image."""
    rng = np.random.default_rng(seed)
    for _ in range(200):
        h, w = (int(v) for v in rng.integers(1, 80, 2))
        low, high = sorted(int(v) for v in rng.integers(0, 256, 2))
        image = rng.integers(low, high + 1, (h, w)).astype(np.uint8)
        counts = histogram(image)
        for q in (0, 1, 25, 50, 90, 99.5, 100):
            assert _from_histogram(counts, q) == _percentile(image, q)
        for centre in {0, 255, low, high, int(rng.integers(0, 256))}:
            spread = _percentile(cv2.absdiff(image, centre), 50)
            assert _from_histogram(deviations(counts, centre), 50) == spread
