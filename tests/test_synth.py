"""Tests for tests/synth.py: pen marks and scan/photo degradations."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from . import synth

DPI = 300
BOX = synth.mm_to_px(5, DPI)  # a 5 mm check box, ~59 px
RECT = (70.0, 70.0, BOX, BOX)
INKS = ("black-ballpoint", "blue-ballpoint", "black-felt")


def _rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def _blank(h: int = 200, w: int = 200, colour: bool = True) -> np.ndarray:
    return np.full((h, w, 3) if colour else (h, w), 255, np.uint8)


def _gray(img: np.ndarray) -> np.ndarray:
    return img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


def _box(img: np.ndarray, rect: tuple[float, float, float, float]) -> np.ndarray:
    x, y, w, h = (round(v) for v in rect)
    return _gray(img)[y : y + h, x : x + w]


def _dark_in_box(img: np.ndarray, rect=RECT, thr: int = 128) -> float:
    return float((_box(img, rect) < thr).mean())


def _inside_share(img: np.ndarray, rect=RECT, thr: int = 128) -> float:
    total = int((_gray(img) < thr).sum())
    return float((_box(img, rect) < thr).sum()) / max(total, 1)


def _mark(kind: str, seed: int, pen_kind: str = "black-ballpoint", colour: bool = True):
    rng = _rng(seed)
    pen = synth.random_pen(rng, DPI, pen_kind)
    return synth.draw_mark(_blank(colour=colour), RECT, kind, pen, rng)


# --------------------------------------------------------------------- pens


@pytest.mark.parametrize("dpi", [150, 300, 600])
def test_random_pen_widths_are_physical(dpi: int) -> None:
    px_per_mm = dpi / 25.4
    for seed in range(20):
        rng = _rng(seed)
        ball = synth.random_pen(rng, dpi, "black-ballpoint")
        felt = synth.random_pen(rng, dpi, "black-felt")
        pencil = synth.random_pen(rng, dpi, "pencil")
        assert 0.3 <= ball.width_px / px_per_mm <= 0.5
        assert 0.7 <= felt.width_px / px_per_mm <= 1.0
        assert pencil.opacity < 1.0 and min(pencil.colour) >= 90
        assert synth.random_pen(rng, dpi).name in synth.PEN_KINDS
    with pytest.raises(ValueError):
        synth.random_pen(_rng(0), dpi, "crayon")


def test_blue_ballpoint_is_blue() -> None:
    r, g, b = synth.random_pen(_rng(1), DPI, "blue-ballpoint").colour
    assert b > r + 60 and b > g + 60


# -------------------------------------------------------------------- marks


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("pen_kind", INKS)
def test_fill_blacks_out_most_of_the_box(seed: int, pen_kind: str) -> None:
    assert _dark_in_box(_mark("fill", seed, pen_kind)) > 0.6


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("pen_kind", [*INKS, "pencil"])
def test_dot_is_a_tiny_stray_speck(seed: int, pen_kind: str) -> None:
    out = _mark("dot", seed, pen_kind)
    assert out.min() < 250, "the dot must leave some ink"
    assert _dark_in_box(out, thr=250) < 0.02
    ys, xs = np.nonzero(_gray(out) < 250)
    assert _inside_share(out, thr=250) == 1.0
    extent = max(np.ptp(xs), np.ptp(ys)) + 1
    assert extent <= synth.mm_to_px(0.6, DPI) + 2  # never tick-sized


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("pen_kind", INKS)
def test_tick_darkens_a_noticeable_part_mostly_inside(seed: int, pen_kind: str) -> None:
    out = _mark("tick", seed, pen_kind)
    assert 0.03 < _dark_in_box(out) < 0.6
    assert _inside_share(out) > 0.8


@pytest.mark.parametrize("seed", range(10))
def test_overrun_leaves_the_box_but_crosses_it(seed: int) -> None:
    out = _mark("overrun", seed)
    assert _dark_in_box(out) > 0.03
    assert _inside_share(out) < 0.85  # clearly runs out over the edge
    tick_inside = np.mean([_inside_share(_mark("tick", s)) for s in range(10)])
    assert _inside_share(out) < tick_inside


@pytest.mark.parametrize("kind", ["cross", "scribble"])
@pytest.mark.parametrize("seed", range(6))
def test_cross_and_scribble_mostly_inside(kind: str, seed: int) -> None:
    out = _mark(kind, seed)
    assert _dark_in_box(out) > 0.05
    assert _inside_share(out) > 0.75


@pytest.mark.parametrize("seed", range(8))
def test_overrun_far_runs_well_out_of_the_box(seed: int) -> None:
    rng = _rng(seed)
    pen = synth.random_pen(rng, DPI, "black-ballpoint")
    rect = (100.0, 250.0, BOX, BOX)
    out = synth.draw_mark(_blank(400, 400), rect, "overrun-far", pen, rng)
    assert _dark_in_box(out, rect) > 0.03  # its vertex is in the box
    ys, xs = np.nonzero(_gray(out) < 128)
    x, y, w, _ = rect
    away = np.hypot(np.maximum(xs - (x + w), 0), np.maximum(y - ys, 0))
    assert away.max() > synth.mm_to_px(5, DPI)  # up and to the right, far out
    assert _inside_share(out, rect) < 0.6


@pytest.mark.parametrize("seed", range(10))
@pytest.mark.parametrize("pen_kind", INKS)
def test_dot_tick_is_small_but_no_speck(seed: int, pen_kind: str) -> None:
    """A deliberate small mark: 1.2 mm or more across (the accidental dot: 0.6 at most),
    and still a small part of the box."""
    out = _mark("dot-tick", seed, pen_kind)
    ys, xs = np.nonzero(_gray(out) < 160)
    extent = max(np.ptp(xs), np.ptp(ys)) + 1
    assert extent >= synth.mm_to_px(1.1, DPI)
    assert _inside_share(out, thr=160) == 1.0
    assert _dark_in_box(out, thr=160) < 0.25


@pytest.mark.parametrize("seed", range(10))
def test_circle_goes_round_the_answer_not_through_the_box(seed: int) -> None:
    rng = _rng(seed)
    pen = synth.random_pen(rng, DPI, "black-ballpoint")
    img = _blank(260, 420)
    rect = (60.0, 90.0, BOX, BOX)
    word = synth.label_rect(rect, DPI)
    out = synth.draw_mark(img, rect, "circle", pen, rng, DPI, label=word)
    ink = _gray(out) < 128
    ys, xs = np.nonzero(ink)
    assert len(xs) > 50
    # nothing in the middle of the word: a loop round it, not a scribble over it
    wx, wy, ww, wh = (round(v) for v in word)
    assert ink[wy + wh // 3 : wy + 2 * wh // 3, wx + ww // 4 : wx + 3 * ww // 4].mean() < 0.05
    # and it goes all the way round something: ink above, below, left and right of
    # the centre of what it surrounds
    cx, cy = (xs.min() + xs.max()) / 2, (ys.min() + ys.max()) / 2
    assert (ys < cy - 10).any() and (ys > cy + 10).any()
    assert (xs < cx - 10).any() and (xs > cx + 10).any()


@pytest.mark.parametrize("seed", range(6))
def test_struck_tick_is_scribbled_over(seed: int) -> None:
    out = _mark("struck", seed)
    assert _dark_in_box(out) > 0.25  # much more than a tick
    tick = _mark("tick", seed)
    assert _dark_in_box(out) > 2 * _dark_in_box(tick)


def test_unknown_mark_kind_rejected() -> None:
    pen = synth.random_pen(_rng(0), DPI, "black-ballpoint")
    with pytest.raises(ValueError):
        synth.draw_mark(_blank(), RECT, "smiley", pen, _rng(0))


def test_pencil_is_lighter_than_black_ballpoint() -> None:
    for seed in range(5):
        ball = synth.random_pen(_rng(seed), DPI, "black-ballpoint")
        pencil = synth.random_pen(_rng(seed), DPI, "pencil")
        # same rng seed for the mark -> same geometry, only the pen differs
        b = _box(synth.draw_mark(_blank(), RECT, "tick", ball, _rng(seed)), RECT)
        p = _box(synth.draw_mark(_blank(), RECT, "tick", pencil, _rng(seed)), RECT)
        assert int(p.min()) > int(b.min()) + 60
        ink_b = (255 - b.astype(int)).sum()
        ink_p = (255 - p.astype(int)).sum()
        assert ink_p < 0.6 * ink_b


def test_opacity_blends_with_paper() -> None:
    solid = synth.Pen((0, 0, 0), 6.0, 1.0)
    half = synth.Pen((0, 0, 0), 6.0, 0.5)
    a = _box(synth.draw_mark(_blank(), RECT, "fill", solid, _rng(1)), RECT)
    b = _box(synth.draw_mark(_blank(), RECT, "fill", half, _rng(1)), RECT)
    assert a.min() <= 2 and 120 <= b.min() <= 135  # 50 % black over white


def test_marks_on_gray_pages_and_input_untouched() -> None:
    page = _blank(colour=False)
    pen = synth.random_pen(_rng(0), DPI, "blue-ballpoint")
    out = synth.draw_mark(page, RECT, "cross", pen, _rng(0))
    assert out.ndim == 2 and out.dtype == np.uint8
    assert _dark_in_box(out, thr=200) > 0.05
    assert (page == 255).all()
    synth.draw_mark(page, RECT, "cross", pen, _rng(0), inplace=True)
    assert (page < 200).any()


def test_mark_on_page_edge_is_clipped_not_crashing() -> None:
    pen = synth.random_pen(_rng(0), DPI, "black-felt")
    out = synth.draw_mark(_blank(), (180.0, -20.0, BOX, BOX), "overrun", pen, _rng(0))
    assert out.shape == (200, 200, 3) and (out < 128).any()


def test_anti_aliased_edges() -> None:
    g = _gray(_mark("tick", 3))
    assert ((g > 40) & (g < 220)).sum() > 20  # intermediate tones along the stroke


@pytest.mark.parametrize("seed", range(8))
def test_signature_spans_the_rect(seed: int) -> None:
    rng = _rng(seed)
    rect = (50.0, 40.0, 700.0, 180.0)
    pen = synth.random_pen(rng, DPI, "blue-ballpoint")
    out = synth.draw_signature(_blank(300, 800), rect, pen, rng)
    ink = _gray(out) < 200
    ys, xs = np.nonzero(ink)
    assert 0.35 <= (xs.max() - xs.min()) / rect[2] <= 1.0
    assert _inside_share(out, rect, 200) > 0.95
    # cursive, not a straight line: ink spans a good part of the height too
    assert (ys.max() - ys.min()) / rect[3] > 0.25


SIG_RECT = (50.0, 40.0, synth.mm_to_px(95, DPI), synth.mm_to_px(30, DPI))


@pytest.mark.parametrize("seed", range(8))
def test_short_signature_is_one_small_stroke(seed: int) -> None:
    """Issue 12's case: a single stroke about 25 mm wide, ~0.5 % of the field inked."""
    rng = _rng(seed)
    pen = synth.random_pen(rng, DPI, "blue-ballpoint")
    out = synth.draw_signature(_blank(500, 1250), SIG_RECT, pen, rng, style="short")
    ink = (_gray(out) < 200).astype(np.uint8)
    _ys, xs = np.nonzero(ink)
    width_mm = (xs.max() - xs.min()) / (DPI / 25.4)
    assert 17 <= width_mm <= 32
    assert _inside_share(out, SIG_RECT, 200) > 0.95
    share = ink.sum() / (SIG_RECT[2] * SIG_RECT[3])
    assert 0.002 < share < 0.012
    count, _ = cv2.connectedComponents(ink)
    assert count - 1 <= 2  # one stroke (a tremor may part it once)


@pytest.mark.parametrize("seed", range(8))
def test_initials_are_a_few_small_letters(seed: int) -> None:
    rng = _rng(seed)
    pen = synth.random_pen(rng, DPI, "black-felt")
    out = synth.draw_signature(_blank(500, 1250), SIG_RECT, pen, rng, style="initials")
    _ys, xs = np.nonzero(_gray(out) < 200)
    assert 4 <= (xs.max() - xs.min()) / (DPI / 25.4) <= 18
    assert _inside_share(out, SIG_RECT, 200) > 0.95


@pytest.mark.parametrize("seed", range(8))
def test_over_the_edge_signature_leaves_the_field(seed: int) -> None:
    rng = _rng(seed)
    pen = synth.random_pen(rng, DPI, "black-ballpoint")
    out = synth.draw_signature(
        _blank(700, 1500), (150.0, 200.0, *SIG_RECT[2:]), pen, rng, style="over-edge"
    )
    share = _inside_share(out, (150.0, 200.0, *SIG_RECT[2:]), 200)
    assert 0.1 < share < 0.92


def test_unknown_signature_style_rejected() -> None:
    pen = synth.random_pen(_rng(0), DPI, "black-ballpoint")
    with pytest.raises(ValueError):
        synth.draw_signature(_blank(), RECT, pen, _rng(0), style="stamp")


@pytest.mark.parametrize("seed", range(8))
def test_handwritten_text_stays_in_rect(seed: int) -> None:
    rng = _rng(seed)
    rect = (30.0, 30.0, 600.0, 100.0)
    pen = synth.random_pen(rng, DPI, "black-ballpoint")
    out = synth.draw_handwritten_text(_blank(200, 700), rect, pen, rng)
    _, xs = np.nonzero(_gray(out) < 200)
    assert len(xs) > 200
    assert (xs.max() - xs.min()) / rect[2] > 0.3
    assert _inside_share(out, rect, 200) > 0.95


def test_dust_specks_are_small_and_scattered() -> None:
    page = _blank(1000, 800, colour=False)
    out = synth.draw_dust(page, _rng(4), 60, DPI)
    assert (page == 255).all()
    n, _, stats, _ = cv2.connectedComponentsWithStats((out < 230).astype(np.uint8))
    sizes = stats[1:, cv2.CC_STAT_WIDTH : cv2.CC_STAT_HEIGHT + 1]
    assert 30 <= n - 1 <= 60
    assert sizes.max() <= math.ceil(synth.mm_to_px(0.3, DPI)) + 2
    assert (out < 255).mean() < 0.01


# ------------------------------------------------------------- degradations


def test_rotate_quarter_turns_are_exact() -> None:
    img = _rng(0).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    assert np.array_equal(synth.rotate(img, 90), np.rot90(img))
    assert np.array_equal(synth.rotate(img, 180), img[::-1, ::-1])
    assert np.array_equal(synth.rotate(img, -90), np.rot90(img, 3))
    assert np.array_equal(synth.rotate(synth.rotate(img, 270), 90), img)
    assert synth.rotate(img, 90).flags.c_contiguous


def test_rotate_small_angle_expands_canvas_and_keeps_content() -> None:
    img = _blank(400, 300, colour=False)
    img[100:300, 50:250] = 0
    out = synth.rotate(img, 5.0)
    rad = math.radians(5.0)
    assert out.shape[1] >= 300 * math.cos(rad) + 400 * math.sin(rad) - 1
    assert out.shape[0] >= 400 * math.cos(rad) + 300 * math.sin(rad) - 1
    assert out[0, 0] == 255 and out[-1, -1] == 255  # white fill
    assert abs(int((out < 128).sum()) - 200 * 200) < 0.03 * 200 * 200
    # content at the extreme corners survives (nothing cut off)
    full = np.zeros((400, 300), np.uint8)
    assert (synth.rotate(full, 5.0) < 128).sum() > 0.97 * full.size


def test_scale_page_shrinks_and_recentres() -> None:
    img = np.zeros((400, 300), np.uint8)
    out = synth.scale_page(img, 0.95)
    assert out.shape == img.shape
    ys, xs = np.nonzero(out < 128)
    assert abs((xs.max() - xs.min() + 1) - 285) <= 1
    assert abs((ys.max() - ys.min() + 1) - 380) <= 1
    assert out[0, 0] == 255 and out[-1, -1] == 255
    assert abs((xs.min() + xs.max()) / 2 - 149.5) <= 1


def test_binarize_is_one_bit() -> None:
    ramp = np.tile(np.arange(256, dtype=np.uint8), (20, 1))
    rgb = np.dstack([ramp] * 3)
    for out in (synth.binarize(rgb), synth.binarize(ramp, threshold=100)):
        assert out.ndim == 2 and out.dtype == np.uint8
        assert set(np.unique(out).tolist()) == {0, 255}
    assert (synth.binarize(ramp, threshold=100)[:, :100] == 0).all()


def test_jpeg_keeps_rgb_order() -> None:
    img = np.zeros((64, 64, 3), np.uint8)
    img[..., 0] = 220  # pure red in RGB
    out = synth.jpeg(img, 80)
    r, g, b = (float(out[..., c].mean()) for c in range(3))
    assert r > 180 and g < 40 and b < 40
    gray = synth.jpeg(np.full((32, 32), 90, np.uint8), 60)
    assert gray.ndim == 2 and abs(float(gray.mean()) - 90) < 3


def test_resample_speckle_blur_gray() -> None:
    img = _blank(300, 600)
    assert synth.resample_dpi(img, 300, 200).shape == (200, 400, 3)
    assert synth.resample_dpi(img, 300, 600).shape == (600, 1200, 3)
    gray = np.full((500, 400), 128, np.uint8)
    noisy = synth.speckle(gray, _rng(0), 0.01)
    changed = float((noisy != 128).mean())
    assert 0.007 < changed < 0.012
    assert set(np.unique(noisy).tolist()) == {0, 128, 255}
    assert (gray == 128).all()
    edge = np.zeros((50, 50), np.uint8)
    edge[:, 25:] = 255
    assert 0 < synth.blur(edge, 1.5)[25, 25] < 255
    assert synth.to_gray(img).shape == (300, 600)


def test_uneven_light_darkens_a_corner() -> None:
    out = synth.uneven_light(_blank(400, 300), _rng(2), min_gain=0.6)
    g = _gray(out).astype(float)
    assert g.max() >= 235
    assert 0.6 * 255 - 3 <= g.min() <= 0.8 * 255
    corners = [g[:40, :40].mean(), g[:40, -40:].mean(), g[-40:, :40].mean(), g[-40:, -40:].mean()]
    assert min(corners) < 0.85 * max(corners)


# --------------------------------------------------------------- conditions

A4 = (3508, 2480)
SQUARES = [(300 + 500 * (i % 4), 300 + 700 * (i // 4), 150) for i in range(16)]


@pytest.fixture(scope="module")
def a4_page() -> np.ndarray:
    page = np.full((*A4, 3), 255, np.uint8)
    for x, y, s in SQUARES:
        page[y : y + s, x : x + s] = 0
    return page


REQUIRED = {
    "flatbed-300-gray",
    "flatbed-200-gray",
    "flatbed-150-gray",
    "flatbed-300-bw",
    "flatbed-rot5",
    "flatbed-rot90",
    "flatbed-rot180",
    "fit-to-page",
    "noisy",
    "phone-photo",
}


def test_required_conditions_exist() -> None:
    assert set(synth.CONDITIONS) >= REQUIRED
    for name, cond in synth.CONDITIONS.items():
        assert isinstance(cond, synth.Condition) and cond.name == name


@pytest.mark.parametrize("name", sorted(synth.CONDITIONS))
def test_condition_runs_on_a4(name: str, a4_page: np.ndarray) -> None:
    out, dpi = synth.CONDITIONS[name](a4_page, _rng(0))
    assert isinstance(out, np.ndarray) and out.dtype == np.uint8
    assert isinstance(dpi, int) and not isinstance(dpi, bool)
    assert out.ndim == 2 or (out.ndim == 3 and out.shape[2] == 3)
    dark = float((_gray(out) < 100).sum())
    expected = len(SQUARES) * 150**2 * (dpi / 300) ** 2
    if name in ("phone-photo", "folded-photo"):
        assert max(out.shape[:2]) == 2000 and out.ndim == 3
        assert 80 <= dpi <= 200
        # same seed on a blank page gives the same photo minus the squares
        blank, _ = synth.CONDITIONS[name](np.full_like(a4_page, 255), _rng(0))
        diff = np.abs(_gray(out).astype(int) - _gray(blank).astype(int)) > 50
        assert 0.6 * expected < float(diff.sum()) < 1.4 * expected
        return
    h, w = (round(n * dpi / 300) for n in A4)
    if name == "copier-outline":  # solid squares come out as their outlines
        assert 0.1 * expected < dark < 0.6 * expected, "squares must be hollow"
        assert set(np.unique(out).tolist()) <= {0, 255} and out.shape == (h, w)
        return
    if name == "marks-cut-off":  # turned up to 4 degrees and scaled by 97-103 %
        assert 0.75 * expected < dark < 1.25 * expected, "black squares must survive"
        assert 0.95 * h < out.shape[0] < 1.1 * h and 0.95 * w < out.shape[1] < 1.15 * w
        return
    assert 0.8 * expected < dark < 1.2 * expected, "black squares must survive"
    if name == "flatbed-rot90":
        assert out.shape == (w, h)
    elif name == "flatbed-rot5":
        assert out.shape[0] >= h and out.shape[1] >= w
    else:
        assert out.shape[:2] == (h, w)
    if name in ("flatbed-300-bw", "fax-150-bw"):
        assert set(np.unique(out).tolist()) <= {0, 255}


def test_rot180_condition_turns_the_page(a4_page: np.ndarray) -> None:
    page = a4_page.copy()
    page[:300, :300] = 0  # big marker in the top-left corner
    out, dpi = synth.CONDITIONS["flatbed-rot180"](page, _rng(0))
    corner = round(300 * dpi / 300)
    assert out[-corner + 10 :, -corner + 10 :].mean() < 60
    assert out[: corner - 10, : corner - 10].mean() > 200


def test_fax_is_150_dpi_one_bit_with_speckle(a4_page: np.ndarray) -> None:
    out, dpi = synth.CONDITIONS["fax-150-bw"](np.full_like(a4_page, 255), _rng(3))
    assert dpi == 150 and out.shape == (1754, 1240)
    assert set(np.unique(out).tolist()) == {0, 255}
    assert 0.0002 < (out == 0).mean() < 0.01  # speckle on a blank sheet
    # pencil (a light gray) is gone entirely at the fax's threshold
    light = np.full_like(a4_page, 255)
    light[1000:1200, 1000:1200] = 175
    faint, _ = synth.CONDITIONS["fax-150-bw"](light, _rng(3))
    assert (faint[500:600, 500:600] == 0).mean() < 0.02


def test_streaks_run_the_whole_length() -> None:
    page = np.full((800, 600), 240, np.uint8)
    out = synth.streaks(page, _rng(2), 2)
    columns = np.flatnonzero((out < 220).all(axis=0))
    assert 1 <= len(columns) <= 4
    rows = synth.streaks(page, _rng(2), 1, vertical=False)
    assert (rows < 220).all(axis=1).sum() >= 1


@pytest.mark.parametrize("style", synth.BLANK_STYLES)
def test_blank_backsides(style: str) -> None:
    image, dpi = synth.blank_backside(_rng(5), style)
    gray = _gray(image)
    if style == "fax-speckle":
        assert dpi == 150 and set(np.unique(gray).tolist()) <= {0, 255}
        assert (gray == 0).mean() > 0.001  # dense speckle
    elif style == "phone-photo":
        assert image.ndim == 3 and max(image.shape[:2]) == 2000
    else:
        assert gray.std() > 2  # noise, shading or streaks: not a clean white page
    # nothing written or printed on it: no dark blob bigger than dust (a streak is a
    # line one or two pixels wide)
    dark = (gray < 100).astype(np.uint8)
    _, _, stats, _ = cv2.connectedComponentsWithStats(dark)
    if style != "phone-photo":  # (a photo's table is dark)
        w, h = stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT]
        blobs = (np.minimum(w, h) > 4) & (np.maximum(w, h) < 500)
        assert max(stats[1:, cv2.CC_STAT_AREA][blobs], default=0) < 200


# ----------------------------------------------------------- reproducibility


def _everything(seed: int, page: np.ndarray) -> list[np.ndarray]:
    rng = _rng(seed)
    pen = synth.random_pen(rng, DPI)
    img = _blank(300, 800)
    for i, kind in enumerate(synth.MARK_KINDS):
        img = synth.draw_mark(img, (20.0 + 100 * i, 20.0, BOX, BOX), kind, pen, rng)
    img = synth.draw_signature(img, (20.0, 120.0, 500.0, 120.0), pen, rng)
    img = synth.draw_handwritten_text(img, (520.0, 120.0, 260.0, 80.0), pen, rng)
    img = synth.draw_dust(img, rng, 20, DPI)
    outs = [img, synth.uneven_light(img, rng), synth.speckle(img, rng, 0.01)]
    outs += [cond(page, rng)[0] for cond in synth.CONDITIONS.values()]
    return outs


def test_same_seed_same_output() -> None:
    page = np.full((1000, 700, 3), 255, np.uint8)
    page[200:400, 200:400] = 0
    a, b, c = _everything(7, page), _everything(7, page), _everything(8, page)
    for x, y in zip(a, b, strict=True):
        assert x.shape == y.shape and np.array_equal(x, y)
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[-1], c[-1])  # the phone photo
