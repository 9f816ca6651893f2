"""The pixel helpers that stand in for slower OpenCV or numpy calls give exactly what
those give: the reader's decisions rest on them."""

from __future__ import annotations

import math
from typing import Any

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
    """``creases._strongest_line`` (a threshold raised to the fullest row or column,
    answers kept) gives the line ``cv2.HoughLines`` gives first, or None when it gives
    none: on scribbles, on lines along the rows and columns (where the fullest row is
    the strongest line itself, and ties are many) and on sparse dust."""
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
            # asked again (answers are kept): the same pixels in another array (a view,
            # not contiguous) give the same line; the same bytes in another shape are
            # another picture
            assert creases._strongest_line(np.pad(picture, 1)[1:-1, 1:-1], threshold) == first
            other = picture.reshape(w, h)
            every = cv2.HoughLines(other, 1, np.pi / 360, threshold)
            expected = None if every is None or not len(every) else tuple(every[0, 0].tolist())
            assert creases._strongest_line(other, threshold) == expected


@pytest.mark.parametrize("ends", [creases.THROUGH_COVER, 0.45])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_screened_out_line_is_one_the_chord_rejects(seed: int, ends: float) -> None:
    """``creases._screen`` decides for many Hough lines at once what ``_chord`` would:
    a line it screens out must be one ``_chord`` rejects (a line it lets through is
    looked at in full); with an end that may fade more (``ends``) too."""
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
    worth = creases._screen(ink, dark, printed, lines, offsets, tol, px_mm, ends)
    taken = 0
    for (rho, theta), look in zip(lines, worth, strict=True):
        cut = creases._chord(ink, dark, printed, rho, theta, offsets, tol, px_mm, ends=ends)
        assert look or cut is None, (rho, theta)
        taken += cut is not None
    assert taken and not all(worth)  # both kinds of line were there


def test_a_line_may_stop_for_a_while_at_one_end_only() -> None:
    """``creases._through_lines`` with ``ends``: a line across the region that stops for
    a stretch near one end (where a fold's other crease crosses it) is taken when that
    end holds ``ends`` of its sixth and the other end THROUGH_COVER; a line that stops
    near both ends is not, and neither is the first without ``ends``."""
    rng = np.random.default_rng(7)
    px_mm = 150 / 25.4
    h, w = 226, 640
    sixth = w // 6

    def region(gaps: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        dark = rng.integers(0, 3, (h, w)).astype(np.uint8)
        cv2.line(dark, (0, 150), (w - 1, 150), 80, 2)
        for a, b in gaps:  # paper again where the line stops
            dark[140:160, a:b] = rng.integers(0, 3, (20, b - a))
        return (dark >= 23).astype(np.uint8), dark

    printed = np.zeros((h, w), np.uint8)
    one_end = [(30, 30 + round(0.45 * sixth))]  # the end's sixth inked along about half
    ink, dark = region(one_end)
    assert creases._through_lines(ink, dark, printed, px_mm, None, None) is None
    assert creases._through_lines(ink, dark, printed, px_mm, None, None, 0.45) is not None
    both = [*one_end, (w - 30 - round(0.45 * sixth), w - 30)]
    ink, dark = region(both)
    assert creases._through_lines(ink, dark, printed, px_mm, None, None, 0.45) is None


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


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_hidden_bars_skips_only_pieces_no_direction_makes_a_bar(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``signature.hidden_bars`` leaves out the search over directions for a piece wider
    every way than a bar (its convex hull's narrowest width): the same verdicts as the
    search over every direction for every piece (the same function with no piece
    narrow enough to skip), on bars cut by the frame line at any angle, length and width
    (staples' among them), on pen strokes and on blobs."""
    from formgen.scan import signature

    narrowest = signature._narrowest

    def every_angle(*args: Any) -> np.ndarray:
        with monkeypatch.context() as patched:
            patched.setattr(signature, "_narrowest", lambda xs, ys: 0.0)
            return signature.hidden_bars(*args)

    rng = np.random.default_rng(seed)
    px_mm = 150 / 25.4
    verdicts, skipped = [], 0
    for _ in range(40):
        h, w = 160, 260
        band = np.zeros((h, w), np.uint8)
        row = int(rng.integers(40, 120))
        band[row : row + int(rng.integers(2, 9))] = 255
        labels = np.zeros((h, w), np.int32)
        for k in range(1, 9):
            shape = np.zeros((h, w), np.uint8)
            centre = (float(rng.uniform(30, w - 30)), float(row + rng.uniform(-12, 12)))
            kind = k % 3
            if kind == 0:  # a bar: a staple's, or wider or longer
                size = (float(rng.uniform(2, 16) * px_mm), float(rng.uniform(0.3, 4) * px_mm))
                box = cv2.boxPoints((centre, size, float(rng.uniform(0, 180))))
                cv2.fillPoly(shape, [np.round(box).astype(np.int32)], 1)
            elif kind == 1:  # a pen's stroke: part of an ellipse
                axes = (int(rng.integers(4, 50)), int(rng.integers(2, 30)))
                start = float(rng.uniform(0, 360))
                cv2.ellipse(
                    shape,
                    (int(centre[0]), int(centre[1])),
                    axes,
                    float(rng.uniform(0, 180)),
                    start,
                    start + float(rng.uniform(30, 300)),
                    1,
                    int(rng.integers(1, 5)),
                )
            else:  # a blob
                cv2.circle(shape, (int(centre[0]), int(centre[1])), int(rng.integers(3, 25)), 1, -1)
            labels[(shape > 0) & (band == 0) & (labels == 0)] = k  # the band hides its part
        n = int(labels.max()) + 1
        stats = np.zeros((n, 5), np.int32)
        for k in range(1, n):
            ys, xs = np.nonzero(labels == k)
            if len(xs):
                x0, y0 = xs.min(), ys.min()
                stats[k] = (x0, y0, xs.max() - x0 + 1, ys.max() - y0 + 1, len(xs))
        candidates = stats[:, 4] > 0
        candidates[0] = False
        expected = every_angle(labels, stats, candidates, band, px_mm)
        assert np.array_equal(
            signature.hidden_bars(labels, stats, candidates, band, px_mm), expected
        )
        verdicts += list(expected[candidates])
        for k in np.flatnonzero(candidates):
            ys, xs = np.nonzero(labels == k)
            skipped += (narrowest(xs, ys) + 1) / px_mm > signature.BAR_WIDE_MM
    assert any(verdicts) and not all(verdicts) and skipped  # bars, and pieces left out


def test_the_narrowest_width_is_the_least_over_directions() -> None:
    """``signature._narrowest``: no direction gives the points a smaller extent, and
    some comes within a hair of it (a fine search over directions)."""
    from formgen.scan import signature

    rng = np.random.default_rng(5)
    angles = np.radians(np.arange(0.0, 180.0, 0.01))
    c, s = np.cos(angles)[:, None], np.sin(angles)[:, None]
    for _ in range(100):
        n = int(rng.integers(1, 40))
        xs, ys = rng.integers(0, 60, n), rng.integers(0, 25, n)
        extent = np.ptp(xs * c + ys * s, axis=1)  # across each direction
        width = signature._narrowest(xs, ys)
        assert width <= extent.min() + 1e-9
        assert width >= extent.min() - 0.01


@pytest.mark.parametrize("seed", [1, 2])
def test_a_white_rim_is_a_scan_without_the_pages_histogram(seed: int) -> None:
    """``blank._sheet_mask`` takes a rim lighter than 0.75 of 255 for a scan's before it
    looks at the page's own 90th percentile: the same answer as comparing with it."""
    from formgen.scan import blank

    def every_time(small):  # the test as it was: both percentiles, always
        rim = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
        if _percentile(rim, 25) > 0.75 * _percentile(small, 90):
            return None
        return blank._sheet_mask(small)

    rng = np.random.default_rng(seed)
    answers = set()
    for _ in range(150):
        h, w = (int(v) for v in rng.integers(40, 160, 2))
        table, paper = sorted(int(v) for v in rng.integers(0, 256, 2))
        small = np.full((h, w), table, np.uint8)  # a sheet on a table, or paper all over
        y0, x0 = int(rng.integers(0, h // 3)), int(rng.integers(0, w // 3))
        y1, x1 = int(rng.integers(2 * h // 3, h + 1)), int(rng.integers(2 * w // 3, w + 1))
        small[y0:y1, x0:x1] = paper
        noise = rng.integers(-20, 21, (h, w))
        small = np.clip(small.astype(int) + noise, 0, 255).astype(np.uint8)
        expected, found = every_time(small), blank._sheet_mask(small)
        assert (expected is None) == (found is None)
        if expected is not None:
            assert np.array_equal(expected, found)
        answers.add(expected is None)
    assert answers == {True, False}


def test_solid_print_is_measured_from_the_modules_middles() -> None:
    """``ink.solid_print``: a QR-like block, half paper (230) and half solid print (20)
    with blurred edges and noise, gives the print's darkness against the paper, as a
    share of 255; a block with no pixels gives 0 (the region's own print is used)."""
    from formgen.scan.ink import solid_print

    rng = np.random.default_rng(7)
    cells = rng.integers(0, 2, (25, 25)).astype(np.uint8)
    block = np.where(np.kron(cells, np.ones((6, 6), np.uint8)) > 0, 20, 230).astype(np.uint8)
    block = cv2.GaussianBlur(block, (0, 0), 1.2)
    block = np.clip(block + rng.normal(0, 2, block.shape), 0, 255).astype(np.uint8)
    assert abs(solid_print(block) - 255 * (230 - 20) / 230) < 6
    assert solid_print(np.zeros((0, 40), np.uint8)) == 0.0


def test_a_region_is_a_photos_where_its_bare_paper_is_grainy() -> None:
    """``ink.levels``' ``grainy``: a photo's grain lies on its bare paper too, while on a
    scan the spread of a region's darkness can come from the other side's lines of
    text shining through, softened by the paper: noise over ``CLEAN_SIGMA`` either way,
    but only the photo is judged as one (``ink._faint``), and only when the page was
    photographed (``Capture.camera``); a 1-bit page's is ``dotted``."""
    from formgen.scan.ink import CLEAN_SIGMA, Capture, levels

    rng = np.random.default_rng(0)
    photo = np.clip(rng.normal(3, 4.5, (200, 600)), 0, 255).astype(np.uint8)
    scan = np.zeros((200, 600), np.uint8)
    for y in range(4, 200, 8):
        scan[y : y + 3, 20:580] = 30
    scan = cv2.GaussianBlur(scan, (0, 0), 1.5)
    for region, grainy in ((photo, True), (scan, False)):
        found = levels(region, Capture(250.0, camera=True))
        assert found.sigma >= CLEAN_SIGMA
        assert found.grainy is grainy
        assert not levels(region, Capture(250.0)).grainy  # grain, but a scanner's
        assert not found.dotted and levels(region, Capture(250.0, dotted=True)).dotted


def test_a_page_seen_in_perspective_was_photographed() -> None:
    """``view.keystone``: how much longer one edge of the page is than its opposite as
    a homography maps it. A flatbed's or a feeder's map is affine (0, whatever its
    turn, scale or shear); a camera's has perspective (``WarpView.camera``)."""
    from formgen.scan.view import KEYSTONE, WarpView, keystone

    turn = math.radians(4)
    affine = np.array(
        [[7 * math.cos(turn), -7 * math.sin(turn), 40], [7 * math.sin(turn), 7.2, 25], [0, 0, 1]]
    )
    assert keystone(affine) < 1e-9
    tilted = affine @ np.array([[1, 0, 0], [0, 1, 0], [0, 4e-5, 1]])  # the top nearer
    assert keystone(tilted) > KEYSTONE
    assert keystone(affine @ np.array([[1, 0, 0], [0, 1, 0], [1e-6, 0, 1]])) < KEYSTONE
    gray = np.full((2400, 1700), 255, np.uint8)
    assert not WarpView(gray, affine).camera and WarpView(gray, tilted).camera


def test_each_pieces_median_is_its_own() -> None:
    """``ink._medians``: per connected piece, the median of its own pixels (the upper
    one of an even count), as numpy gives it, in random masks; 0 for the paper and for
    a label no pixel has."""
    from formgen.scan.ink import _medians

    rng = np.random.default_rng(11)
    for _ in range(40):
        mask = (rng.random((30, 40)) > 0.7).astype(np.uint8)
        dark = rng.integers(0, 256, (30, 40)).astype(np.uint8)
        n, labels = cv2.connectedComponents(mask, connectivity=8)
        found = _medians(labels, dark, n + 1)  # one label more than there are pieces
        assert found[0] == 0 and found[n] == 0
        for k in range(1, n):
            values = np.sort(dark[labels == k])
            assert found[k] == values[len(values) // 2]
    assert list(_medians(np.zeros((4, 4), np.int32), np.ones((4, 4), np.uint8), 1)) == [0]


def test_a_piece_reaches_the_bar_at_as_many_pixels_as_asked() -> None:
    """``ink._reaching`` with ``least``: a piece is strong when that many of its pixels
    (not counting those ``beside``) are over the bar; with 1, when any is."""
    from formgen.scan.ink import _reaching

    mask = np.zeros((20, 40), np.uint8)
    mask[5:8, 2:18] = 1  # one piece
    mask[5:8, 22:38] = 1  # another
    dark = np.full(mask.shape, 30, np.uint8)
    dark[6, 4:7] = 90  # three pixels of the first over a bar of 60
    dark[6, 24:29] = 90  # five of the second, two of them beside the print
    beside = np.zeros_like(mask)
    beside[6, 27:29] = 1
    labels, _ = _reaching(mask, dark, 60.0)
    first, second = labels[5, 2], labels[5, 22]
    for least, strong in ((1, (True, True)), (3, (True, True)), (4, (False, False))):
        found = _reaching(mask, dark, 60.0, beside=beside, least=least)[1]
        assert (bool(found[first]), bool(found[second])) == strong, least
    assert _reaching(mask, dark, 60.0, least=5)[1][second]  # all five when none is beside
    assert not _reaching(mask, dark, 95.0)[1][1:].any()


def test_dark_dots_all_over_a_region_are_not_what_lifts_a_stroke() -> None:
    """``ink._faint`` on a scan: a faint stroke (under the bar) with a scanner's dark
    dots on it reaches the bar only at the dots. On clean paper a few dots on it make
    it a mark (over ``SPECK_SHARE`` of it), as a speck of dust would; where such dots
    lie all over the region (``SPECKLED``), it is judged without them, and a stroke made
    on this side, as wide but over the bar along it, stays a mark."""
    from formgen.scan.ink import SPECKLED, Levels, _faint, _speckled

    def region(dots: int) -> np.ndarray:
        rng = np.random.default_rng(5)
        dark = np.zeros((300, 400), np.uint8)
        dark[100:103, 50:350] = 30  # the other side's line, under a bar of 40
        dark[200:203, 50:350] = 90  # a line made on this side
        for x in range(60, 340, 8):  # dots on the faint line: a sixth of it
            dark[101:103, x : x + 2] = 120
        ys, xs = rng.integers(0, 300, dots), rng.integers(0, 400, dots)
        keep = (np.abs(ys - 101) > 4) & (np.abs(ys - 201) > 4)
        dark[ys[keep], xs[keep]] = 120  # and on bare paper
        return dark

    level = Levels(centre=0.0, sigma=0.0, printed=235.0, core=40.0)
    band = np.zeros((300, 400), np.uint8)
    for dots, speckled in ((10, False), (300, True)):
        dark = region(dots)
        ink = (dark > 20).astype(np.uint8)
        faint = _faint(ink, dark, band, level)
        n, labels = cv2.connectedComponents(ink, connectivity=8)
        assert _speckled(labels, n, dark, 40.0) is speckled
        assert bool(faint[101, 200]) is speckled, dots  # the other side's: faint
        assert not faint[201, 200]  # this side's: a mark either way
    assert SPECKLED < 300 / (300 * 400) * 1e6  # (the dots are as dense as asked)
