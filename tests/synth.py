"""Synthetic pen marks and scan/photo degradations for testing the form reader.

Tests and benchmarks render clean consent forms; the reader, however, has to
cope with pages that people filled in by hand and then scanned or photographed.
This module fakes both halves with numpy + OpenCV only (no augraphy, which
needs network access), so that fixtures can be generated offline and
reproducibly.

Conventions
-----------
* Images are ``numpy.uint8`` arrays, grayscale ``HxW`` or colour ``HxWx3`` in
  **RGB** order (OpenCV's BGR is only used internally around JPEG coding).
* Rectangles are ``(x, y, w, h)`` in pixels of the image they are drawn on.
* All randomness comes from the ``numpy.random.Generator`` passed as ``rng``;
  the same seed gives byte-identical output.
* Functions return new arrays; the drawing functions only modify their input
  when called with ``inplace=True``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

Image = NDArray[np.uint8]
Rect = tuple[float, float, float, float]
RGB = tuple[int, int, int]
FloatArray = NDArray[np.float64]

MM_PER_INCH = 25.4

MARK_KINDS: tuple[str, ...] = (
    "tick",
    "cross",
    "fill",
    "scribble",
    "dot",
    "overrun",
    # the answers people actually give (issue 12)
    "overrun-far",  # a tick whose long stroke runs 8-16 mm out of the box
    "dot-tick",  # a deliberate small mark: a firm blob of 1.2-2 mm or a 2-3 mm dash
    "circle",  # a loop around the answer's label ("Ja"), the box, or both: no tick
    "struck",  # a tick, then scribbled out hard: half of a correction
)
# Marks that say "this one": all but the accidental dot and the struck-out tick.
ANSWER_KINDS: tuple[str, ...] = tuple(k for k in MARK_KINDS if k not in ("dot", "struck"))
SIGNATURE_STYLES: tuple[str, ...] = ("full", "short", "initials", "over-edge")
LABEL_GAP_MM = 2.0  # the printed answer ("Ja") starts this far right of its box
PEN_KINDS: tuple[str, ...] = ("black-ballpoint", "blue-ballpoint", "black-felt", "pencil")

_SUPERSAMPLE = 4  # marks are rasterised at 4x and area-downsampled (anti-aliasing)
_SHIFT = 4  # fixed-point fractional bits handed to cv2 drawing calls
_ONE = 1 << _SHIFT


def mm_to_px(mm: float, dpi: float) -> float:
    """Convert millimetres to pixels; pen widths and speck sizes are physical."""
    return mm * dpi / MM_PER_INCH


def _check_image(img: Image) -> None:
    """Reject arrays the rest of the module would silently mangle."""
    if img.dtype != np.uint8:
        raise TypeError(f"expected uint8 image, got {img.dtype}")
    if not (img.ndim == 2 or (img.ndim == 3 and img.shape[2] == 3)):
        raise ValueError(f"expected HxW or HxWx3 image, got shape {img.shape}")


def _white(img: Image) -> int | tuple[int, int, int]:
    """Border value meaning 'blank paper' for this image's channel count."""
    return 255 if img.ndim == 2 else (255, 255, 255)


# --------------------------------------------------------------------------
# Pens
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Pen:
    """What the mark is drawn with; opacity < 1 gives light, grainy pencil."""

    colour: RGB
    width_px: float
    opacity: float = 1.0
    name: str = "pen"
    grain: float = 0.0  # 0 = smooth ink; towards 1 = patchy graphite on paper fibres

    @property
    def gray(self) -> float:
        """Luminance of the ink, used when drawing on grayscale pages."""
        r, g, b = self.colour
        return 0.299 * r + 0.587 * g + 0.114 * b


def random_pen(rng: np.random.Generator, dpi: float, kind: str | None = None) -> Pen:
    """Pick a writing instrument people really use on paper forms.

    ``kind`` (one of ``PEN_KINDS``) forces the instrument; otherwise black and
    blue ballpoints are most likely, felt tips and pencils less so.  Widths are
    physical (ballpoint 0.3-0.5 mm, felt tip 0.7-1.0 mm) scaled to ``dpi``.
    """
    if kind is None:
        kind = PEN_KINDS[int(rng.choice(len(PEN_KINDS), p=[0.35, 0.35, 0.15, 0.15]))]
    if kind == "black-ballpoint":
        g = int(rng.integers(15, 45))
        colour: RGB = (g, g, g + int(rng.integers(0, 10)))
        return Pen(colour, mm_to_px(rng.uniform(0.3, 0.5), dpi), float(rng.uniform(0.9, 1.0)), kind)
    if kind == "blue-ballpoint":
        colour = (int(rng.integers(10, 45)), int(rng.integers(30, 70)), int(rng.integers(120, 175)))
        width = mm_to_px(rng.uniform(0.3, 0.5), dpi)
        return Pen(colour, width, float(rng.uniform(0.85, 1.0)), kind)
    if kind == "black-felt":
        g = int(rng.integers(5, 25))
        return Pen((g, g, g), mm_to_px(rng.uniform(0.7, 1.0), dpi), 1.0, kind)
    if kind == "pencil":
        g = int(rng.integers(100, 150))
        width = mm_to_px(rng.uniform(0.3, 0.6), dpi)
        return Pen((g, g, g), width, float(rng.uniform(0.55, 0.8)), kind, grain=0.45)
    raise ValueError(f"unknown pen kind {kind!r}; expected one of {PEN_KINDS}")


# --------------------------------------------------------------------------
# Stroke geometry
# --------------------------------------------------------------------------


def _smooth_noise(rng: np.random.Generator, n: int, knots: int) -> FloatArray:
    """Low-frequency noise (smoothstep between random knots) for hand tremor."""
    knots = max(1, knots)
    k = rng.standard_normal(knots + 1)
    xs = np.linspace(0.0, knots, n)
    i = np.minimum(xs.astype(np.int64), knots - 1)
    f = xs - i
    f = f * f * (3.0 - 2.0 * f)
    return k[i] * (1.0 - f) + k[i + 1] * f


def _bezier(p0: FloatArray, p1: FloatArray, bend: float, n: int) -> FloatArray:
    """Quadratic Bezier from p0 to p1 bowed sideways by ``bend`` x length."""
    d = p1 - p0
    length = float(np.hypot(d[0], d[1]))
    normal = np.array([-d[1], d[0]]) / length if length > 1e-9 else np.zeros(2)
    c = (p0 + p1) / 2.0 + normal * bend * length
    t = np.linspace(0.0, 1.0, n)[:, None]
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t**2 * p1


def _stroke(
    rng: np.random.Generator, ctrl: FloatArray, jitter_px: float, bend_sd: float = 0.06
) -> FloatArray:
    """Hand-drawn polyline through control points: bowed segments plus tremor.

    Segments meet at sharp corners (like the bottom of a tick); the tremor is
    smooth so the line looks drawn, not noisy.
    """
    parts: list[FloatArray] = []
    for a, b in itertools.pairwise(ctrl):
        n = max(6, int(np.hypot(*(b - a)) / 2.0))
        seg = _bezier(a, b, float(rng.normal(0.0, bend_sd)), n)
        parts.append(seg if not parts else seg[1:])
    path = np.concatenate(parts)
    n = len(path)
    knots = max(2, n // 25)
    wobble = np.stack([_smooth_noise(rng, n, knots), _smooth_noise(rng, n, knots)], axis=1)
    return path + jitter_px * wobble


def _tremor(rng: np.random.Generator, path: FloatArray, amp: float) -> FloatArray:
    """Add smooth hand tremor (a few px wavelength, not per-point noise)."""
    n = len(path)
    knots = max(2, n // 8)
    return path + amp * np.stack([_smooth_noise(rng, n, knots), _smooth_noise(rng, n, knots)], 1)


def _in_rect(rect: Rect, uv: FloatArray) -> FloatArray:
    """Map box-normalised coordinates (0..1) to image pixels."""
    x, y, w, h = rect
    return np.column_stack([x + uv[:, 0] * w, y + uv[:, 1] * h])


# --------------------------------------------------------------------------
# Rasterisation
# --------------------------------------------------------------------------


Stroke = tuple[FloatArray, float]  # (N x 2 points in image pixels, width in px)


def _render(
    img: Image, strokes: list[Stroke], pen: Pen, rng: np.random.Generator, inplace: bool
) -> Image:
    """Anti-aliased ink: rasterise strokes supersampled in the local ROI only,
    then alpha-blend the pen colour (pencil gets a paper-grain texture)."""
    _check_image(img)
    out = img if inplace else img.copy()
    if not strokes:
        return out
    h_img, w_img = img.shape[:2]
    pts = np.concatenate([s for s, _ in strokes])
    pad = max(wd for _, wd in strokes) / 2.0 + 2.0
    x0 = max(0, math.floor(pts[:, 0].min() - pad))
    y0 = max(0, math.floor(pts[:, 1].min() - pad))
    x1 = min(w_img, math.ceil(pts[:, 0].max() + pad) + 1)
    y1 = min(h_img, math.ceil(pts[:, 1].max() + pad) + 1)
    if x1 <= x0 or y1 <= y0:
        return out
    ss = _SUPERSAMPLE
    mask = np.zeros(((y1 - y0) * ss, (x1 - x0) * ss), np.uint8)
    origin = np.array([x0, y0], np.float64)
    for path, width in strokes:
        # pixel i covers supersampled pixels i*ss .. i*ss+ss-1, centred at i*ss+(ss-1)/2
        p = np.round(((path - origin) * ss + (ss - 1) / 2.0) * _ONE).astype(np.int32)
        if len(p) == 1:  # a speck: filled disc of diameter ``width``
            radius = max(1, round(width * ss / 2.0 * _ONE))
            cv2.circle(mask, (int(p[0, 0]), int(p[0, 1])), radius, 255, -1, cv2.LINE_AA, _SHIFT)
            continue
        thick = max(1, round(width * ss))
        cv2.polylines(mask, [p.reshape(-1, 1, 2)], False, 255, thick, cv2.LINE_AA, _SHIFT)
    alpha = cv2.resize(mask, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA).astype(np.float32)
    alpha *= np.float32(pen.opacity / 255.0)
    if pen.grain > 0.0:  # graphite sits on paper fibres: patchy coverage
        grain = rng.uniform(1.0 - pen.grain, 1.0, alpha.shape).astype(np.float32)
        alpha *= cv2.GaussianBlur(grain, (0, 0), 0.6)
    roi = out[y0:y1, x0:x1].astype(np.float32)
    if out.ndim == 2:
        roi += (np.float32(pen.gray) - roi) * alpha
    else:
        roi += (np.asarray(pen.colour, np.float32) - roi) * alpha[..., None]
    out[y0:y1, x0:x1] = np.clip(roi + 0.5, 0, 255).astype(np.uint8)
    return out


# --------------------------------------------------------------------------
# Check-box marks
# --------------------------------------------------------------------------


def _tick_uv(rng: np.random.Generator, overrun: bool, far: bool = False) -> FloatArray:
    """Control points of a check mark: short down stroke, then long up stroke."""
    start = [rng.uniform(0.08, 0.3), rng.uniform(0.35, 0.6)]
    bottom = [rng.uniform(0.32, 0.5), rng.uniform(0.72, 0.92)]
    if far:  # a flourish: the long stroke ends 8-16 mm away (a 6.5 mm box: 1.2-2.5 boxes)
        end = [rng.uniform(1.4, 2.4), rng.uniform(-1.6, -0.9)]
    elif overrun:  # the long stroke leaves the box clearly
        end = [rng.uniform(1.2, 1.6), rng.uniform(-0.65, -0.25)]
    elif rng.random() < 0.3:  # sloppy but still a box-sized tick
        end = [rng.uniform(0.95, 1.08), rng.uniform(-0.08, 0.03)]
        bottom[1] = rng.uniform(0.85, 1.03)
    else:
        end = [rng.uniform(0.78, 0.95), rng.uniform(0.05, 0.22)]
    uv = np.array([start, bottom, end], np.float64)
    if not overrun and not far:  # some people tick small
        s = rng.uniform(0.75, 1.0)
        uv = 0.5 + s * (uv - 0.5) + rng.uniform(-0.05, 0.05, 2)
    return uv


def _zigzag_uv(rng: np.random.Generator, rows: int, horizontal: bool) -> FloatArray:
    """Back-and-forth hatching used to black out a box."""
    lo, hi = rng.uniform(0.0, 0.08), rng.uniform(0.92, 1.0)
    near, far = rng.uniform(-0.02, 0.08, rows), rng.uniform(0.92, 1.02, rows)
    across = np.where(np.arange(rows) % 2 == 0, near, far)
    along = np.linspace(lo, hi, rows) + rng.normal(0.0, 0.15 / rows, rows)
    uv = np.column_stack([across, along]) if horizontal else np.column_stack([along, across])
    return uv


def draw_mark(
    img: Image,
    rect: Rect,
    kind: str,
    pen: Pen,
    rng: np.random.Generator,
    dpi: float = 300.0,
    inplace: bool = False,
    label: Rect | None = None,
) -> Image:
    """Draw one hand-made mark of ``kind`` (see ``MARK_KINDS``) in/over ``rect``.

    ``dpi`` keeps the accidental ``"dot"`` physically tiny (<= 0.6 mm) and the
    ``"dot-tick"`` and a circle's margins physical; everything else scales with the
    rectangle and the pen. ``label``: where the printed answer next to the box is (for
    ``"circle"``; default: a 4.5 mm word ``LABEL_GAP_MM`` right of the box).
    """
    if kind not in MARK_KINDS:
        raise ValueError(f"unknown mark kind {kind!r}; expected one of {MARK_KINDS}")
    x, y, w, h = rect
    size = min(w, h)
    jitter = 0.012 * size + 0.3
    width = pen.width_px
    strokes: list[Stroke] = []
    if kind in ("tick", "overrun", "overrun-far"):
        uv = _tick_uv(rng, overrun=kind == "overrun", far=kind == "overrun-far")
        strokes.append((_stroke(rng, _in_rect(rect, uv), jitter), width))
    elif kind == "dot-tick":
        strokes += _dot_tick(rng, rect, width, dpi)
    elif kind == "circle":
        strokes.append((_circle(rng, rect, label, dpi), width))
    elif kind == "struck":  # a tick, then a hard scribble over it that spills out
        uv = _tick_uv(rng, overrun=False)
        strokes.append((_stroke(rng, _in_rect(rect, uv), jitter), width))
        k = int(rng.integers(7, 12))
        near, far = rng.uniform(-0.15, 0.1, k), rng.uniform(0.9, 1.15, k)
        side = np.where(np.arange(k) % 2 == 0, near, far)
        zig = np.column_stack([side, np.linspace(-0.05, 1.05, k) + rng.normal(0, 0.03, k)])
        if rng.random() < 0.5:
            zig = zig[:, ::-1]
        strokes.append((_stroke(rng, _in_rect(rect, zig), jitter, 0.03), width * 1.2))
    elif kind == "cross":
        a = rng.uniform(0.04, 0.2, 4)
        b = rng.uniform(0.8, 0.96, 4)
        d1 = np.array([[a[0], a[1]], [b[0], b[1]]])
        d2 = np.array([[b[2], a[2]], [a[3], b[3]]])
        for d in (d1, d2):
            strokes.append((_stroke(rng, _in_rect(rect, d), jitter, 0.05), width))
    elif kind == "fill":
        fill_w = width * rng.uniform(1.0, 1.3)
        rows = max(4, math.ceil(h / (fill_w * rng.uniform(0.55, 0.8))))
        hatch = _in_rect(rect, _zigzag_uv(rng, rows, True))
        strokes.append((_stroke(rng, hatch, jitter, 0.02), fill_w))
        if rng.random() < 0.5:  # a second, crossing pass
            cols = max(4, math.ceil(w / (fill_w * rng.uniform(0.7, 1.2))))
            hatch = _in_rect(rect, _zigzag_uv(rng, cols, False))
            strokes.append((_stroke(rng, hatch, jitter, 0.02), fill_w))
    elif kind == "scribble":
        if rng.random() < 0.6:  # loose loops
            turns = rng.uniform(1.8, 3.5)
            n = int(60 * turns)
            t = np.linspace(0.0, 2 * np.pi * turns, n) + rng.uniform(0, 2 * np.pi)
            r = 1.0 + 0.2 * _smooth_noise(rng, n, int(turns * 3))
            rx, ry = rng.uniform(0.22, 0.38, 2)
            cx = 0.5 + 0.06 * _smooth_noise(rng, n, 3)
            cy = 0.5 + 0.06 * _smooth_noise(rng, n, 3)
            uv = np.column_stack([cx + rx * r * np.cos(t), cy + ry * r * np.sin(t)])
            strokes.append((_in_rect(rect, uv) + jitter * rng.normal(0, 0.3, (n, 2)), width))
        else:  # a few big zig-zags at odd angles
            k = int(rng.integers(4, 8))
            near, far = rng.uniform(0.1, 0.35, k), rng.uniform(0.65, 0.9, k)
            side = np.where(np.arange(k) % 2 == 0, near, far)
            uv = np.column_stack([side, rng.uniform(0.12, 0.88, k)])
            if rng.random() < 0.5:
                uv = uv[:, ::-1]
            strokes.append((_stroke(rng, _in_rect(rect, uv), jitter, 0.15), width))
    else:  # "dot": an accidental speck, never tick-like
        d = min(mm_to_px(rng.uniform(0.2, 0.6), dpi), 0.12 * size, mm_to_px(0.6, dpi))
        d = max(d, 1.0)
        c = np.array([x + rng.uniform(0.15, 0.85) * w, y + rng.uniform(0.15, 0.85) * h])
        ang = rng.uniform(0, np.pi)
        tail = rng.uniform(0.0, 0.2) * d * np.array([np.cos(ang), np.sin(ang)])
        strokes.append((np.stack([c, c + tail]), 0.8 * d))
    return _render(img, strokes, pen, rng, inplace)


def _dot_tick(rng: np.random.Generator, rect: Rect, width: float, dpi: float) -> list[Stroke]:
    """A deliberate small mark near the box's middle: a firm blob (a pen pressed and
    turned) of 1.2-2 mm, or a short dash of 2-3 mm: small, but never dust-sized."""
    x, y, w, h = rect
    c = np.array([x + rng.uniform(0.35, 0.65) * w, y + rng.uniform(0.35, 0.65) * h])
    if rng.random() < 0.5:
        d = mm_to_px(rng.uniform(1.2, 2.0), dpi)
        t = np.linspace(0.0, 2 * np.pi * 2.5, 50)
        r = np.linspace(0.1, 0.5, 50)[:, None] * max(d - width, 1.0)
        path = c + r * np.column_stack([np.cos(t), np.sin(t)])
        return [(path, width), (np.array([c]), max(width, d * 0.45))]
    length = mm_to_px(rng.uniform(2.0, 3.0), dpi)
    ang = rng.uniform(-1.2, -0.2)  # a dash rising to the right, as a tick would
    d = 0.5 * length * np.array([np.cos(ang), np.sin(ang)])
    return [(_stroke(rng, np.stack([c - d, c + d]), 0.3, 0.1), width)]


def label_rect(rect: Rect, dpi: float, width_mm: float = 4.5) -> Rect:
    """Where the printed answer word sits next to a box (the layout of ``_form.html``:
    ``LABEL_GAP_MM`` to the right, bold, about 3 mm high, centred on the box)."""
    x, y, w, h = rect
    px = dpi / MM_PER_INCH
    return (x + w + LABEL_GAP_MM * px, y + h / 2 - 1.6 * px, width_mm * px, 3.2 * px)


def find_label(page: Image, rect: Rect, dpi: float) -> Rect:
    """Where the printed answer word next to a box is on a clean render (``page``), as
    ``label_rect`` gives it: the dark print right of the box, level with it."""
    x, y, w, h = rect
    px = dpi / MM_PER_INCH
    x0, x1 = round(x + w + 0.8 * px), round(x + w + 13.0 * px)
    y0, y1 = round(y + h / 2 - 3.0 * px), round(y + h / 2 + 3.0 * px)
    gray = to_gray(page) if page.ndim == 3 else page
    ys, xs = np.nonzero(gray[y0:y1, x0:x1] < 128)
    if len(xs) == 0:
        return label_rect(rect, dpi)
    return (x0 + xs.min(), y0 + ys.min(), xs.max() - xs.min() + 1.0, ys.max() - ys.min() + 1.0)


def _circle(rng: np.random.Generator, rect: Rect, label: Rect | None, dpi: float) -> FloatArray:
    """A hand-drawn loop around the answer's word (mostly), the word and its box, or
    the box alone: 330-400 degrees, so it may not quite close or may overlap itself."""
    px = dpi / MM_PER_INCH
    word = label if label is not None else label_rect(rect, dpi)
    x, y, w, h = rect
    around = rng.choice(3, p=[0.6, 0.3, 0.1])  # word | word and box | box
    if around == 0:
        x0, y0, x1, y1 = word[0], word[1], word[0] + word[2], word[1] + word[3]
    elif around == 1:
        x0, y0, x1, y1 = x, min(y, word[1]), word[0] + word[2], max(y + h, word[1] + word[3])
    else:
        x0, y0, x1, y1 = x, y, x + w, y + h
    margin = rng.uniform(0.8, 2.0, 2) * px
    # an ellipse through the corners of the rect grown by the margin
    rx = (x1 - x0) / 2 * math.sqrt(2) * rng.uniform(0.8, 0.95) + margin[0]
    ry = (y1 - y0) / 2 * math.sqrt(2) * rng.uniform(0.8, 0.95) + margin[1]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    sweep = np.deg2rad(rng.uniform(330, 400))
    start = rng.uniform(0, 2 * np.pi)
    n = 120
    t = start + np.linspace(0.0, sweep, n) * rng.choice([-1, 1])
    wobble = 1.0 + 0.05 * _smooth_noise(rng, n, 5)
    tilt = rng.uniform(-0.15, 0.15)
    ex, ey = rx * wobble * np.cos(t), ry * wobble * np.sin(t)
    cos, sin = math.cos(tilt), math.sin(tilt)
    path = np.column_stack([cx + ex * cos - ey * sin, cy + ex * sin + ey * cos])
    return _tremor(rng, path, 0.15 * px)


# --------------------------------------------------------------------------
# Handwriting
# --------------------------------------------------------------------------


def _cursive(
    rng: np.random.Generator,
    n_letters: int,
    loop_max: float,
    tall_prob: float,
    capital: bool,
) -> FloatArray:
    """Pseudo-cursive in letter units: x advances ~1 per letter, y in x-heights
    (negative is up).  Each letter is one up-down oscillation; a backwards
    x-component makes loops (like 'l' and 'e') when it outruns the advance."""
    per = 26
    n = n_letters * per + 1
    t = np.linspace(0.0, n_letters, n)
    li = np.minimum(t.astype(np.int64), n_letters - 1)
    amp_k = rng.uniform(0.55, 1.0, n_letters)
    tall = rng.random(n_letters) < tall_prob
    amp_k[tall] *= rng.uniform(1.8, 2.6, int(tall.sum()))
    desc = (~tall) & (rng.random(n_letters) < tall_prob * 0.5)
    amp_k[desc] *= -rng.uniform(1.5, 2.0, int(desc.sum()))  # loops below the baseline
    if capital:
        amp_k[0] = rng.uniform(2.2, 3.0)
    loop_k = rng.uniform(0.0, loop_max, n_letters)
    loop_k[tall | desc] = rng.uniform(0.2, 0.32, int((tall | desc).sum()))  # looped l, b, g
    adv_k = rng.uniform(0.7, 1.3, n_letters)
    frac = t - li
    x_base = np.concatenate([[0.0], np.cumsum(adv_k)])[li] + adv_k[li] * frac
    # dx/dt < 0 near the top (frac ~ 0.5) when loop > ~adv/(2 pi): a loop forms
    x = x_base + loop_k[li] * np.sin(2 * np.pi * frac)
    y = -amp_k[li] * (1.0 - np.cos(2 * np.pi * frac)) / 2.0
    y += 0.12 * _smooth_noise(rng, n, max(2, n_letters // 3))  # wandering baseline
    slant = rng.uniform(0.1, 0.4)
    x = x - slant * y
    return np.column_stack([x, y])


def _place_words(
    rng: np.random.Generator,
    rect: Rect,
    words: list[FloatArray],
    span_frac: float,
    x_height_frac: float,
    baseline_frac: float,
    gap: float,
) -> list[FloatArray]:
    """Scale letter-unit words into ``rect`` with the requested overall span,
    squeezing vertically if tall loops would leave the box."""
    x, y, w, h = rect
    offsets: list[float] = []
    cursor = 0.0
    for word in words:
        offsets.append(cursor - word[:, 0].min())
        cursor += word[:, 0].max() - word[:, 0].min() + gap
    total = cursor - gap
    sx = span_frac * w / max(total, 1e-6)
    sy = x_height_frac * h
    start = x + rng.uniform(0.03, max(0.031, 1.0 - span_frac - 0.03)) * w
    base = y + baseline_frac * h
    placed = [
        np.column_stack([start + (wd[:, 0] + off) * sx, base + wd[:, 1] * sy])
        for wd, off in zip(words, offsets, strict=True)
    ]
    allpts = np.concatenate(placed)
    top, bot = allpts[:, 1].min(), allpts[:, 1].max()
    lim_top, lim_bot = y + 0.04 * h, y + 0.96 * h
    k = 1.0
    if top < lim_top:
        k = min(k, (base - lim_top) / max(base - top, 1e-6))
    if bot > lim_bot:
        k = min(k, (lim_bot - base) / max(bot - base, 1e-6))
    for p in placed:
        p[:, 1] = base + (p[:, 1] - base) * k
    return placed


def draw_signature(
    img: Image,
    rect: Rect,
    pen: Pen,
    rng: np.random.Generator,
    inplace: bool = False,
    style: str = "full",
    dpi: float = 300.0,
    on_line: tuple[str, float] | None = None,
) -> Image:
    """Scrawl a random signature in (or over) the field ``rect``. ``style`` (one of
    ``SIGNATURE_STYLES``):

    * ``"full"``: loopy connected cursive across 40-90 % of the rect width, sometimes
      an initial apart and an underline flourish;
    * ``"short"``: one connected stroke 18-30 mm wide and a few mm high, anywhere in
      the field (about 0.5 % of a 95 x 30 mm field inked);
    * ``"initials"``: two or three separate letters, 6-15 mm in all, sometimes with
      full stops;
    * ``"over-edge"``: a signature that starts inside and runs out over the right,
      top or bottom edge of the field.

    ``dpi`` turns the physical sizes of the short styles into pixels. ``on_line`` (with
    ``"over-edge"``): the edge (``"top"``, ``"bottom"``) and how far (mm) below that
    frame line the word's baseline lies, for a signature written on the line (a test's
    own; without it the random draws are as they always were)."""
    if style not in SIGNATURE_STYLES:
        raise ValueError(f"unknown signature style {style!r}; expected one of {SIGNATURE_STYLES}")
    if style == "full":
        return _full_signature(img, rect, pen, rng, inplace)
    x, y, w, h = rect
    px = dpi / MM_PER_INCH
    strokes: list[Stroke] = []
    if style == "short":
        span, tall = rng.uniform(18, 30) * px, rng.uniform(7, 12) * px
        sx = x + rng.uniform(0.03, max(0.031, 0.97 - span / w)) * w
        sy = y + rng.uniform(0.15, max(0.151, 0.9 - tall / h)) * h
        word = _cursive(rng, int(rng.integers(3, 6)), rng.uniform(0.1, 0.25), 0.3, capital=True)
        placed = _place_words(rng, (sx, sy, span, tall), [word], 1.0, 0.3, 0.7, 1.0)
        strokes += [(_tremor(rng, q, 0.3 * pen.width_px), pen.width_px) for q in placed]
    elif style == "initials":
        n = int(rng.integers(2, 4))
        span, tall = rng.uniform(6, 15) * px, rng.uniform(5, 9) * px
        sx = x + rng.uniform(0.05, max(0.051, 0.9 - span / w)) * w
        sy = y + rng.uniform(0.2, max(0.201, 0.85 - tall / h)) * h
        words = [_cursive(rng, 1, 0.3, 0.0, capital=True) for _ in range(n)]
        placed = _place_words(rng, (sx, sy, span, tall), words, 1.0, 0.35, 0.75, 0.6)
        strokes += [(_tremor(rng, q, 0.3 * pen.width_px), pen.width_px) for q in placed]
        if rng.random() < 0.5:  # full stops after the letters: specks, not strokes
            for q in placed:
                dot = np.array([[q[:, 0].max() + 0.6 * px, q[:, 1].max()]])
                strokes.append((dot, max(pen.width_px * 1.3, 0.5 * px)))
    else:  # over-edge
        edge = rng.choice(["right", "top", "bottom"]) if on_line is None else on_line[0]
        span = rng.uniform(30, 60) * px
        tall = rng.uniform(9, 14) * px
        if on_line is not None:  # the baseline (0.65 of ``tall`` down) where asked
            line = y if edge == "top" else y + h
            sx, sy = x + rng.uniform(0.05, 0.4) * w, line + on_line[1] * px - 0.65 * tall
        elif edge == "right":
            sx, sy = x + w - span * rng.uniform(0.45, 0.7), y + rng.uniform(0.2, 0.5) * h
        elif edge == "top":
            sx, sy = x + rng.uniform(0.05, 0.4) * w, y - tall * rng.uniform(0.35, 0.55)
        else:
            sx, sy = x + rng.uniform(0.05, 0.4) * w, y + h - tall * rng.uniform(0.3, 0.5)
        n = int(rng.integers(5, 10))
        word = _cursive(rng, n, rng.uniform(0.15, 0.3), 0.3, capital=True)
        area = (sx, sy, span, tall)
        placed = _place_words(rng, area, [word], 1.0, 0.3, 0.65, 1.0)
        strokes += [(_tremor(rng, q, 0.3 * pen.width_px), pen.width_px) for q in placed]
    return _render(img, strokes, pen, rng, inplace)


def _full_signature(
    img: Image, rect: Rect, pen: Pen, rng: np.random.Generator, inplace: bool
) -> Image:
    _, y, w, h = rect
    span = rng.uniform(0.4, 0.9)
    x_height = rng.uniform(0.18, 0.3)
    letter_px = x_height * h * rng.uniform(0.9, 1.6)
    n_total = int(np.clip(round(span * w / max(letter_px, 1.0)), 4, 16))
    words: list[FloatArray] = []
    if rng.random() < 0.4 and n_total >= 6:
        n_init = int(rng.integers(1, 3))
        words.append(_cursive(rng, n_init, 0.3, 0.2, capital=True))
        n_total -= n_init
    words.append(_cursive(rng, n_total, rng.uniform(0.15, 0.3), 0.3, capital=True))
    baseline, gap = rng.uniform(0.58, 0.72), rng.uniform(0.5, 1.2)
    placed = _place_words(rng, rect, words, span, x_height, baseline, gap)
    strokes: list[Stroke] = [(_tremor(rng, p, 0.3 * pen.width_px), pen.width_px) for p in placed]
    if rng.random() < 0.5:  # underline flourish, drawn back from the end
        allpts = np.concatenate(placed)
        x_end, x_start = allpts[:, 0].max(), allpts[:, 0].min()
        yb = min(allpts[:, 1].max() + 0.05 * h, y + 0.93 * h)
        x_back = x_start + rng.uniform(0.0, 0.3) * (x_end - x_start)
        ctrl = np.array([[x_end, yb - 0.1 * h], [x_back, yb]])
        strokes.append((_stroke(rng, ctrl, 0.01 * h, 0.08), pen.width_px))
    return _render(img, strokes, pen, rng, inplace)


def draw_handwritten_text(
    img: Image, rect: Rect, pen: Pen, rng: np.random.Generator, inplace: bool = False
) -> Image:
    """Write a pseudo-handwritten name (1-3 words, capitals, modest loops) in
    ``rect``; looks like handwriting at reading distance, says nothing."""
    _, _, w, h = rect
    span, x_height = rng.uniform(0.45, 0.9), rng.uniform(0.2, 0.3)
    baseline, gap = rng.uniform(0.65, 0.75), rng.uniform(1.0, 1.8)
    n_words = int(rng.choice([1, 2, 2, 3]))
    # letters about as wide as they are high, so the count follows the span
    n_letters = round(span * w / max(x_height * h * rng.uniform(1.0, 1.5), 1.0)) - n_words
    n_letters = max(n_letters, 3 * n_words)
    cuts = np.sort(rng.choice(np.arange(3, n_letters - 2), n_words - 1, replace=False))
    counts = np.diff(np.concatenate([[0], cuts, [n_letters]])) if n_words > 1 else [n_letters]
    words = [_cursive(rng, int(c), rng.uniform(0.08, 0.2), 0.15, capital=True) for c in counts]
    placed = _place_words(rng, rect, words, span, x_height, baseline, gap)
    strokes: list[Stroke] = [(_tremor(rng, p, 0.25 * pen.width_px), pen.width_px) for p in placed]
    return _render(img, strokes, pen, rng, inplace)


def draw_dust(
    img: Image, rng: np.random.Generator, count: int, dpi: float, inplace: bool = False
) -> Image:
    """Sprinkle ``count`` dark specks of 0.1-0.3 mm over the page, like dust on
    scanner glass; they may land inside check boxes, which is the point."""
    _check_image(img)
    out = img if inplace else img.copy()
    h, w = img.shape[:2]
    xs = rng.uniform(0, w, count)
    ys = rng.uniform(0, h, count)
    sizes = rng.uniform(0.1, 0.3, count) * dpi / MM_PER_INCH
    levels = rng.integers(20, 120, count)
    for cx, cy, d, lv in zip(xs, ys, sizes, levels, strict=True):
        speck = Pen((int(lv),) * 3, float(d), 1.0, "dust")
        _render(out, [(np.array([[cx, cy]]), float(d))], speck, rng, inplace=True)
    return out


# --------------------------------------------------------------------------
# Degradations
# --------------------------------------------------------------------------


def to_gray(img: Image) -> Image:
    """Grayscale copy (luminance); most flatbed scans of forms are gray."""
    _check_image(img)
    if img.ndim == 2:
        return img.copy()
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


def to_rgb(img: Image) -> Image:
    """Colour copy, so colour-only steps also accept gray pages."""
    _check_image(img)
    if img.ndim == 3:
        return img.copy()
    return cv2.cvtColor(img, cv2.COLOR_GRAY2RGB)


def binarize(img: Image, threshold: float | None = None) -> Image:
    """1-bit scan: gray output with only 0 and 255 (Otsu if no threshold)."""
    gray = to_gray(img)
    if threshold is None:
        _, out = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    else:
        _, out = cv2.threshold(gray, float(threshold), 255, cv2.THRESH_BINARY)
    return out


def dither(img: Image) -> Image:
    """1-bit scan by error diffusion (Floyd-Steinberg, Pillow's): gray output with only
    0 and 255, where a gray area becomes a density of black dots."""
    from PIL import Image as PILImage

    out = PILImage.fromarray(to_gray(img)).convert("1", dither=PILImage.Dither.FLOYDSTEINBERG)
    return np.asarray(out, dtype=np.uint8) * np.uint8(255)


def rotate(img: Image, angle_deg: float, scale: float = 1.0) -> Image:
    """Rotate counter-clockwise about the centre, growing the canvas so no
    content is cut off and filling the new area with white paper.

    Quarter turns at scale 1 are exact (``np.rot90``), as when a page is fed
    sideways or upside down.
    """
    _check_image(img)
    if scale == 1.0 and float(angle_deg) % 90.0 == 0.0:
        return np.ascontiguousarray(np.rot90(img, k=round(angle_deg / 90.0) % 4))
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D(((w - 1) / 2.0, (h - 1) / 2.0), float(angle_deg), float(scale))
    c, s = abs(m[0, 0]), abs(m[0, 1])
    nw = math.ceil(w * c + h * s - 1e-6)
    nh = math.ceil(w * s + h * c - 1e-6)
    m[0, 2] += (nw - w) / 2.0
    m[1, 2] += (nh - h) / 2.0
    return cv2.warpAffine(
        img,
        m,
        (nw, nh),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=_white(img),
    )


def scale_page(img: Image, factor: float) -> Image:
    """Printer 'fit to page': content shrunk by ``factor`` and centred on a
    white page of the original size, so form coordinates no longer match."""
    _check_image(img)
    if not 0.0 < factor <= 1.0:
        raise ValueError(f"factor must be in (0, 1], got {factor}")
    h, w = img.shape[:2]
    nw, nh = max(1, round(w * factor)), max(1, round(h * factor))
    small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.full_like(img, 255)
    y0, x0 = (h - nh) // 2, (w - nw) // 2
    out[y0 : y0 + nh, x0 : x0 + nw] = small
    return out


def speckle(img: Image, rng: np.random.Generator, amount: float) -> Image:
    """Salt-and-pepper noise on a fraction ``amount`` of pixels (dirty glass,
    sensor defects); sampled sparsely so cost scales with the noise, not the page."""
    _check_image(img)
    out = img.copy()
    h, w = img.shape[:2]
    n = int(rng.binomial(h * w, min(max(amount, 0.0), 1.0)))
    if n == 0:
        return out
    idx = rng.integers(0, h * w, n)
    vals = (rng.integers(0, 2, n) * 255).astype(np.uint8)
    flat = out.reshape(h * w, -1)
    flat[idx] = vals[:, None]
    return out


def streaks(
    img: Image, rng: np.random.Generator, count: int, vertical: bool = True, black: bool = False
) -> Image:
    """Thin lines right across the page, as dirt on a scanner's glass or a fax head
    leaves them: 1-2 px wide, light gray to black (``black``: black, on a 1-bit page),
    along the scan direction."""
    _check_image(img)
    out = img.copy()
    h, w = img.shape[:2]
    for _ in range(count):
        width = int(rng.integers(1, 3))
        level = 0 if black else int(rng.integers(40, 200))
        at = int(rng.integers(0, (w if vertical else h) - width))
        if vertical:
            out[:, at : at + width] = np.minimum(out[:, at : at + width], level)
        else:
            out[at : at + width] = np.minimum(out[at : at + width], level)
    return out


def fax_noise(img: Image, rng: np.random.Generator, amount: float) -> Image:
    """A fax line's noise on a 1-bit page: black specks of one or two pixels (never
    paper-coloured ink), and white drop-outs in black."""
    _check_image(img)
    out = img.copy()
    h, w = img.shape[:2]
    n = int(rng.binomial(h * w, min(max(amount, 0.0), 1.0)))
    ys, xs = rng.integers(0, h - 1, n), rng.integers(0, w - 1, n)
    big = rng.random(n) < 0.25  # a quarter are 2x2
    out[ys, xs] = 0
    out[ys[big] + 1, xs[big]] = 0
    out[ys[big], xs[big] + 1] = 0
    out[ys[big] + 1, xs[big] + 1] = 0
    m = n // 4
    ys, xs = rng.integers(0, h, m), rng.integers(0, w, m)
    out[ys, xs] = 255
    return out


BLANK_STYLES: tuple[str, ...] = ("grey-noise", "fax-speckle", "phone-photo", "streaks")


def blank_backside(rng: np.random.Generator, style: str) -> tuple[Image, int]:
    """A scanned or photographed blank backside in one of ``BLANK_STYLES``, ready to
    read (``(image, dpi)``): grey sensor noise and shading from a cheap scanner at
    200 dpi (JPEG); a 150 dpi fax with dense speckle and a streak; a phone photo of a
    blank sheet on a table; a 300 dpi gray scan with streaks across it."""
    if style not in BLANK_STYLES:
        raise ValueError(f"unknown blank style {style!r}; expected one of {BLANK_STYLES}")
    a4 = (round(297 / MM_PER_INCH * SOURCE_DPI), round(210 / MM_PER_INCH * SOURCE_DPI))
    sheet = np.full(a4, 255, np.uint8)
    sheet = draw_dust(sheet, rng, int(rng.integers(5, 60)), SOURCE_DPI)
    if style == "phone-photo":
        return photo_effective_dpi(sheet, rng, SOURCE_DPI, strength=rng.uniform(0.03, 0.08))
    if style == "fax-speckle":
        page = _c_fax(sheet, rng, noise=(0.002, 0.008))[0]
        return streaks(page, rng, 1, vertical=bool(rng.random() < 0.5), black=True), 150
    if style == "streaks":
        page = _scan(sheet, rng, 300)
        return streaks(page, rng, int(rng.integers(1, 4))), 300
    page = _scan(sheet, rng, 200)
    h, w = page.shape
    shade = cv2.resize(rng.normal(0, 6, (8, 6)).astype(np.float32), (w, h), cv2.INTER_CUBIC)
    noise = rng.normal(0, rng.uniform(4, 12), (h, w)).astype(np.float32)
    level = np.float32(rng.uniform(0.8, 0.97))
    noisy = page.astype(np.float32) * level + shade + noise
    page = np.clip(noisy + 0.5, 0, 255).astype(np.uint8)
    return jpeg(page, int(rng.integers(60, 86))), 200


def _crease_profile(
    rng: np.random.Generator, n: int, dpi: float, panel_step: float
) -> tuple[FloatArray, FloatArray, float, float]:
    """Along one crease: where it wanders (px) and how dark it is (0..1), its core
    width (px) and how far its one-sided shading reaches (px)."""
    px_mm = dpi / MM_PER_INCH
    wander = _smooth_noise(rng, n, 6) * rng.uniform(0.05, 0.35) * px_mm
    # a crease is not even: stretches fade almost to nothing, others are dark
    depth = np.clip(0.55 + 0.6 * _smooth_noise(rng, n, 12), 0.05, 1.0)
    core = rng.uniform(0.15, 0.5) * px_mm
    reach = rng.uniform(1.0, 3.0) * px_mm
    return wander, depth, core, reach


def fold(
    img: Image,
    rng: np.random.Generator,
    dpi: float,
    at_mm: tuple[float, float],
    panel_step: float = 0.0,
) -> Image:
    """A sheet folded in four and flattened again: a vertical crease at ``at_mm[0]``
    and a horizontal one at ``at_mm[1]`` (mm from the top-left), each a thin dark line
    of uneven strength (stretches nearly vanish) with soft shading to one side, running
    right across the page, a little skewed. ``panel_step``: how much darker (0..1) the
    panels on one side of each crease are, as the folded sheet's panels face the light
    at different angles (a photo); 0 on a flatbed's glass."""
    _check_image(img)
    out = img.astype(np.float32)
    h, w = img.shape[:2]
    px_mm = dpi / MM_PER_INCH
    gain = np.ones((h, w), np.float32)
    for vertical, pos_mm in ((True, at_mm[0]), (False, at_mm[1])):
        n = h if vertical else w
        wander, depth, core, reach = _crease_profile(rng, n, dpi, panel_step)
        skew = math.tan(math.radians(rng.uniform(-1.5, 1.5)))
        along = np.arange(n, dtype=np.float32)
        centre = pos_mm * px_mm + skew * (along - n / 2) + wander  # per row (or column)
        centre = centre.astype(np.float32)
        m = w if vertical else h
        strength = rng.uniform(0.12, 0.35)  # the core's darkness at full depth
        side = 1.0 if rng.random() < 0.5 else -1.0
        # The line and the shading are worked out only in the band where either can
        # change a pixel: beyond it each is below 2**-26, so 1 - it rounds to exactly
        # 1.0 in float32, and the page there only gets the panel step. The same pixels
        # as working out the whole page (and 10 times faster: it was most of the time
        # of the folded conditions' tests).
        band = max(6.0 * core / 2.0, 16.0 * reach) + 2.0
        lo = max(math.floor(float(centre.min()) - band), 0)
        hi = min(math.ceil(float(centre.max()) + band) + 1, m)
        across = np.arange(lo, hi, dtype=np.float32)
        d = across[None, :] - centre[:, None]  # signed distance, px
        depth = depth.astype(np.float32)[:, None]
        line = strength * depth * np.exp(-0.5 * (d / np.float32(core / 2.0)) ** 2)
        shade = 0.05 * depth * np.exp(-np.maximum(side * d, 0.0) / np.float32(reach))
        shade *= side * d > 0
        step = panel_step * (side * d < 0)
        g = ((1.0 - line) * (1.0 - shade) * (1.0 - step)).astype(np.float32)
        # beyond the band: the panel step on the side that faces away, 1.0 elsewhere
        stepped = np.float32(1.0 - panel_step)
        before, after = (stepped, 1.0) if side > 0 else (1.0, stepped)
        if vertical:
            gain[:, lo:hi] *= g
            gain[:, :lo] *= before
            gain[:, hi:] *= after
        else:
            gain[lo:hi, :] *= g.T
            gain[:lo, :] *= before
            gain[hi:, :] *= after
    out *= gain[..., None] if img.ndim == 3 else gain
    out += 0.5  # in place: a whole A4 page at 300 dpi is 26 million values in colour
    return np.clip(out, 0, 255, out=out).astype(np.uint8)


def staple(
    img: Image,
    rng: np.random.Generator,
    dpi: float,
    at_mm: tuple[float, float],
    side: str | None = None,
) -> Image:
    """A staple at ``at_mm`` (its middle, mm from the top-left), at any angle: seen from
    the front (``side`` "crown": one straight steel bar 12-13 mm by 0.6-0.8 mm, dark with
    a light sheen along it and a soft shadow to one side) or from the back ("legs": the
    two legs bent flat towards each other, 4-5.5 mm each, a gap between); or the holes a
    pulled staple left ("holes": two dark dots). None: one of those at random."""
    _check_image(img)
    side = side or str(rng.choice(["crown", "crown", "legs", "holes"]))
    px_mm = dpi / MM_PER_INCH
    angle = rng.uniform(0.0, math.pi)
    u = np.array([math.cos(angle), math.sin(angle)])
    centre = np.array(at_mm) * px_mm
    crown, wire = rng.uniform(12.0, 13.0) * px_mm, rng.uniform(0.6, 0.8) * px_mm
    if side == "crown":
        bars = [(-crown / 2, crown / 2)]
    elif side == "legs":
        leg = rng.uniform(4.0, 5.5) * px_mm
        bars = [(-crown / 2, -crown / 2 + leg), (crown / 2 - leg, crown / 2)]
    else:
        bars = [
            (-crown / 2 - wire / 2, -crown / 2 + wire / 2),
            (crown / 2 - wire / 2, crown / 2 + wire / 2),
        ]
    ss = _SUPERSAMPLE
    h, w = img.shape[:2]
    pad = round(crown / 2 + 3 * px_mm)
    cx, cy = (round(v) for v in centre)
    x0, y0, x1, y1 = max(cx - pad, 0), max(cy - pad, 0), min(cx + pad, w), min(cy + pad, h)
    if x1 <= x0 or y1 <= y0:
        return img.copy()

    def mask(offset: float, width: float) -> Image:
        m = np.zeros(((y1 - y0) * ss, (x1 - x0) * ss), np.uint8)
        normal = np.array([-u[1], u[0]])
        for a, b in bars:
            ends = [centre + u * t + normal * offset for t in (a, b)]
            p = np.round(((np.array(ends) - (x0, y0)) * ss + (ss - 1) / 2) * _ONE).astype(np.int32)
            thick = max(1, round(width * ss))
            cv2.line(m, tuple(p[0]), tuple(p[1]), 255, thick, cv2.LINE_AA, _SHIFT)
        return (
            cv2.resize(m, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
        )

    body = mask(0.0, wire if side != "holes" else 0.6 * wire)  # a hole: a pin prick
    shadow = mask(rng.choice([-1.0, 1.0]) * 0.5 * wire, 1.6 * wire) * (1.0 - body)
    shadow *= side != "holes"  # a hole is a hole: the paper round it lies flat
    sheen = mask(0.0, 0.25 * wire) if side == "crown" and rng.random() < 0.7 else 0.0 * body
    metal = rng.uniform(35.0, 80.0)
    tone = metal + (rng.uniform(150.0, 200.0) - metal) * sheen * 0.6
    out = img.astype(np.float32)
    roi = out[y0:y1, x0:x1]
    fade = 1.0 - rng.uniform(0.08, 0.18) * shadow
    if img.ndim == 3:
        roi *= fade[..., None]
        roi += (tone[..., None] - roi) * body[..., None]
    else:
        roi *= fade
        roi += (tone - roi) * body
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def show_through(
    img: Image, back: Image, strength: float, sigma_px: float, shift: tuple[int, int] = (0, 0)
) -> Image:
    """Thin paper on a duplex scanner: the other side (``back``, as printed and
    filled in) shows through mirrored, softened by the paper (``sigma_px``) and at
    ``strength`` (0..1) of its own darkness; ``shift`` (rows, columns) moves it, as the
    two sides are rarely printed in register."""
    _check_image(img)
    other = to_gray(back)[:, ::-1]
    other = np.roll(other, shift, axis=(0, 1))
    h, w = img.shape[:2]
    other = (
        cv2.resize(other, (w, h), interpolation=cv2.INTER_AREA) if other.shape != (h, w) else other
    )
    other = cv2.GaussianBlur(other, (0, 0), sigma_px)
    gain = 1.0 - strength * (255.0 - other.astype(np.float32)) / 255.0
    out = img.astype(np.float32) * (gain[..., None] if img.ndim == 3 else gain)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def recycled_paper(
    img: Image, rng: np.random.Generator, dpi: float, fibres_cm2: float, flecks_cm2: float
) -> Image:
    """The page printed on gray recycled paper: ``fibres_cm2`` short dark fibres a square
    centimetre (1-5 mm long, curved, 0.04-0.12 mm thin, 4-15 % darker), ``flecks_cm2``
    specks of old ink (0.16-0.6 mm across, 20-60 % darker), a mottled tone (about 1 %
    over a few millimetres) and the whole sheet 4 % grayer."""
    _check_image(img)
    h, w = img.shape[:2]
    px_mm = dpi / MM_PER_INCH
    dark = np.zeros((h, w), np.float32)
    area_cm2 = h * w / (10 * px_mm) ** 2
    steps = np.linspace(-0.5, 0.5, 12)
    for _ in range(int(fibres_cm2 * area_cm2)):
        length = rng.uniform(1.0, 5.0) * px_mm
        angles = rng.uniform(0, math.pi) + rng.uniform(-1.5, 1.5) * steps
        xs = rng.uniform(0, w) + np.cumsum(np.cos(angles)) * length / len(steps)
        ys = rng.uniform(0, h) + np.cumsum(np.sin(angles)) * length / len(steps)
        width = max(1, round(rng.uniform(0.04, 0.12) * px_mm))
        points = np.stack([xs, ys], 1).astype(np.int32)
        cv2.polylines(dark, [points], False, float(rng.uniform(0.04, 0.15)), width, cv2.LINE_AA)
    for _ in range(int(flecks_cm2 * area_cm2)):
        radius = rng.uniform(0.08, 0.3) * px_mm
        axes = (max(1, int(radius)), max(1, int(radius * rng.uniform(0.5, 1.0))))
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        darker = float(rng.uniform(0.2, 0.6))
        cv2.ellipse(dark, centre, axes, rng.uniform(0, 180), 0, 360, darker, -1, cv2.LINE_AA)
    cells = max(1, round(5 * px_mm))  # the mottling's scale
    mottle = rng.normal(0, 1, (h // cells + 1, w // cells + 1)).astype(np.float32)
    mottle = cv2.resize(mottle, (w, h), interpolation=cv2.INTER_CUBIC)
    gain = (1 - np.clip(dark, 0, 0.8)) * (1 - 0.012 * mottle) * 0.96
    out = img.astype(np.float32) * (gain[..., None] if img.ndim == 3 else gain)
    return np.clip(out + 0.5, 0, 255).astype(np.uint8)


def blur(img: Image, sigma: float) -> Image:
    """Gaussian blur: scanner optics / slight camera defocus."""
    _check_image(img)
    if sigma <= 0:
        return img.copy()
    return cv2.GaussianBlur(img, (0, 0), float(sigma))


def jpeg(img: Image, quality: int) -> Image:
    """Round-trip through JPEG at ``quality`` (block artefacts, ringing)."""
    _check_image(img)
    src = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", src, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    flag = cv2.IMREAD_GRAYSCALE if img.ndim == 2 else cv2.IMREAD_COLOR
    dec = cv2.imdecode(buf, flag)
    return dec if img.ndim == 2 else cv2.cvtColor(dec, cv2.COLOR_BGR2RGB)


def resample_dpi(img: Image, from_dpi: float, to_dpi: float) -> Image:
    """Change resolution as a scanner set to ``to_dpi`` would (area averaging
    when shrinking, cubic when enlarging)."""
    _check_image(img)
    if from_dpi == to_dpi:
        return img.copy()
    f = to_dpi / from_dpi
    h, w = img.shape[:2]
    size = (max(1, round(w * f)), max(1, round(h * f)))
    interp = cv2.INTER_AREA if f < 1.0 else cv2.INTER_CUBIC
    return cv2.resize(img, size, interpolation=interp)


def levels(img: Image, black: float = 0.0, white: float = 255.0, gamma: float = 1.0) -> Image:
    """Tone curve via a LUT: scanners never give pure white paper or pure black ink."""
    _check_image(img)
    x = np.arange(256, dtype=np.float64) / 255.0
    lut = np.clip(black + (white - black) * x**gamma + 0.5, 0, 255).astype(np.uint8)
    return cv2.LUT(img, lut)


def _gain_grid(
    rng: np.random.Generator, gh: int, gw: int, min_gain: float, shadow: bool
) -> NDArray[np.float32]:
    """Coarse illumination map (callers upsample; light varies slowly): bright
    near one spot, falling to ``min_gain`` in the opposite corner, a mild
    vignette and optionally a soft shadow band (a hand or the phone)."""
    gh, gw = max(2, gh), max(2, gw)
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
    xx /= gw - 1
    yy /= gh - 1
    corner = int(rng.integers(0, 4))
    dark = np.array([corner % 2, corner // 2], np.float32)
    bright = (1.0 - dark) + rng.uniform(-0.25, 0.25, 2).astype(np.float32) * (1.0 - 2.0 * dark)
    dist = np.hypot(xx - bright[0], yy - bright[1])
    ref = float(np.hypot(*(dark - bright)))
    t = np.clip(dist / max(ref, 1e-3), 0.0, 1.0) ** 1.5
    gain = 1.0 - (1.0 - min_gain) * t
    gain *= 1.0 - 0.16 * ((xx - 0.5) ** 2 + (yy - 0.5) ** 2)
    if shadow:
        ang = rng.uniform(0, np.pi)
        proj = (xx - 0.5) * np.cos(ang) + (yy - 0.5) * np.sin(ang)
        c, half = rng.uniform(-0.3, 0.3), rng.uniform(0.05, 0.2)
        soft = rng.uniform(0.03, 0.1)
        inside = 1.0 / (1.0 + np.exp(-(half - np.abs(proj - c)) / soft))
        gain *= 1.0 - rng.uniform(0.1, 0.25) * inside
    return np.clip(gain, min_gain, 1.0).astype(np.float32)


def uneven_light(img: Image, rng: np.random.Generator, min_gain: float = 0.6) -> Image:
    """Multiply brightness by a smooth field going down to ``min_gain`` in
    one corner (desk lamp, camera held at an angle)."""
    _check_image(img)
    h, w = img.shape[:2]
    grid = _gain_grid(rng, h // 16, w // 16, min_gain, shadow=bool(rng.random() < 0.5))
    gain = cv2.resize(grid, (w, h), interpolation=cv2.INTER_LINEAR)
    f = img.astype(np.float32)
    f *= gain if img.ndim == 2 else gain[..., None]
    return np.clip(f + 0.5, 0, 255).astype(np.uint8)


def _table(rng: np.random.Generator, h: int, w: int) -> NDArray[np.float32]:
    """Background the page lies on (float RGB): wood grain (usually) or a plain
    desk.  Callers build it at reduced size; texture this coarse upsamples well."""
    if rng.random() < 0.65:
        base = np.array(
            [rng.uniform(120, 175), rng.uniform(75, 115), rng.uniform(40, 75)], np.float32
        )
        along, across = (h, w) if rng.random() < 0.5 else (w, h)
        coarse = rng.standard_normal((6, max(8, across // 2))).astype(np.float32)
        streak = cv2.resize(coarse, (across, along), interpolation=cv2.INTER_CUBIC)
        ramp = np.linspace(0, rng.uniform(15, 40), across, dtype=np.float32)[None, :]
        rings = np.sin(ramp + 2.5 * cv2.GaussianBlur(streak, (0, 0), 2.0))
        pattern = 0.55 * rings + 0.3 * streak
        if (along, across) != (h, w):
            pattern = np.ascontiguousarray(pattern.T)
        return base[None, None, :] * (1.0 + 0.12 * pattern[..., None])
    v = rng.uniform(60, 210)
    tint = rng.uniform(0.95, 1.05, 3).astype(np.float32)
    coarse = rng.standard_normal((max(2, h // 4), max(2, w // 4))).astype(np.float32)
    mottle = 1.0 + 0.04 * cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    return np.float32(v) * tint[None, None, :] * mottle[..., None]


def _photo(
    img: Image,
    rng: np.random.Generator,
    strength: float,
    long_side: int,
    max_rotation_deg: float,
    jpeg_quality: int | None,
) -> tuple[Image, float]:
    """Phone photo of the page on a table; also returns the average linear
    scale from input page pixels to photo pixels (for an effective dpi).

    Everything smooth (table texture, shadow, light) is computed at low
    resolution and upsampled; full-resolution work stays in uint8/int16.
    """
    _check_image(img)
    ph, pw = img.shape[:2]
    portrait = ph >= pw
    out_h, out_w = (long_side, long_side * 3 // 4) if portrait else (long_side * 3 // 4, long_side)
    s = rng.uniform(0.72, 0.88) * min(out_h / ph, out_w / pw)

    # --- where the page corners land: tilt (trapezoid), corner jitter, rotation
    half = np.array([pw, ph], np.float64) * s / 2.0
    quad = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], np.float64) * half
    tilt = rng.uniform(-strength, strength) * half[0]
    quad[0, 0] += tilt
    quad[1, 0] -= tilt
    quad += rng.uniform(-strength, strength, (4, 2)) * half
    ang = math.radians(rng.uniform(-max_rotation_deg, max_rotation_deg))
    rot = np.array([[math.cos(ang), -math.sin(ang)], [math.sin(ang), math.cos(ang)]])
    quad = quad @ rot.T
    limit = np.array([out_w, out_h], np.float64) / 2.0 * 0.97
    quad *= min(1.0, float((limit / np.abs(quad).max(axis=0)).min()))
    slack = np.maximum(limit - np.abs(quad).max(axis=0), 0.0)
    centre = np.array([out_w, out_h], np.float64) / 2.0 + rng.uniform(-1, 1, 2) * slack * 0.7
    dst = (quad + centre).astype(np.float32)

    # --- table with the page's soft contact shadow, built at 1/4 size
    lo = 4
    th, tw = max(2, out_h // lo), max(2, out_w // lo)
    table = _table(rng, th, tw)
    footprint = np.zeros((th, tw), np.uint8)
    cv2.fillConvexPoly(
        footprint, np.round(dst / lo * _ONE).astype(np.int32), 255, cv2.LINE_AA, _SHIFT
    )
    shade = cv2.GaussianBlur(footprint, (0, 0), long_side * 0.004).astype(np.float32) / 255.0
    table *= (1.0 - 0.35 * shade)[..., None]
    bg = cv2.resize(
        np.clip(table, 0, 255).astype(np.uint8), (out_w, out_h), interpolation=cv2.INTER_LINEAR
    )

    # --- page: halve with a Gaussian pyramid (cheap anti-aliasing), tint, warp
    page = to_rgb(img) if img.ndim == 2 else img
    while s * pw / page.shape[1] < 0.55 and min(page.shape[:2]) > 64:
        page = cv2.pyrDown(page)
    paper = np.array([1.0, rng.uniform(0.96, 1.0), rng.uniform(0.88, 0.97)])  # warm paper
    ramp = np.arange(256, dtype=np.float64)[:, None] * paper[None, :]
    page = cv2.LUT(page, np.clip(ramp + 0.5, 0, 255).astype(np.uint8).reshape(256, 1, 3))
    sh, sw = page.shape[:2]
    src = np.array([[0, 0], [sw, 0], [sw, sh], [0, sh]], np.float32)
    hmat = cv2.getPerspectiveTransform(src, dst)
    cv2.warpPerspective(
        page,
        hmat,
        (out_w, out_h),
        dst=bg,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_TRANSPARENT,
    )

    # --- light: smooth gain x white balance, applied as an 8-bit multiply
    gain = _gain_grid(
        rng, out_h // 16, out_w // 16, rng.uniform(0.55, 0.7), shadow=bool(rng.random() < 0.5)
    )
    wb = rng.uniform(0.92, 1.05, 3)
    wb /= wb.max()
    gain3 = np.clip(gain[..., None] * wb[None, None, :] * 255.0 + 0.5, 0, 255).astype(np.uint8)
    gain3 = cv2.resize(gain3, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
    photo = cv2.multiply(bg, gain3, scale=1.0 / 255.0)

    # --- optics, sensor noise (blotchy after the phone's own processing), JPEG
    photo = cv2.GaussianBlur(photo, (0, 0), rng.uniform(0.5, 1.1))
    noise = rng.standard_normal((out_h // 2, out_w // 2), dtype=np.float32)
    noise *= np.float32(rng.uniform(2.0, 5.0))
    noise = cv2.resize(noise, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
    noisy = photo.astype(np.int16)
    noisy += np.round(noise).astype(np.int16)[..., None]
    photo = np.clip(noisy, 0, 255).astype(np.uint8)
    q = int(rng.integers(75, 88)) if jpeg_quality is None else jpeg_quality
    photo = jpeg(photo, q)
    scale = math.sqrt(abs(float(cv2.contourArea(dst))) / float(pw * ph))
    return photo, scale


def perspective_photo(
    img: Image,
    rng: np.random.Generator,
    strength: float = 0.05,
    long_side: int = 2000,
    max_rotation_deg: float = 10.0,
    jpeg_quality: int | None = None,
) -> Image:
    """Simulate a phone photo of the page lying on a table: wood/desk
    background, perspective from corners moved by up to ``strength`` x page
    size, in-plane rotation, uneven light and shadow, blur, sensor noise and
    JPEG.  Output is RGB, ``long_side`` px on its long side, 4:3 aspect."""
    return _photo(img, rng, strength, long_side, max_rotation_deg, jpeg_quality)[0]


def photo_effective_dpi(
    img: Image, rng: np.random.Generator, dpi: float, strength: float = 0.05, long_side: int = 2000
) -> tuple[Image, int]:
    """``perspective_photo`` that also reports the page's effective dpi in the photo."""
    out, scale = _photo(img, rng, strength, long_side, 10.0, None)
    return out, round(dpi * scale)


# --------------------------------------------------------------------------
# Standard conditions
# --------------------------------------------------------------------------


ConditionFn = Callable[[Image, np.random.Generator], tuple[Image, int]]


@dataclass(frozen=True)
class Condition:
    """A named way a clean 300-dpi render reaches the reader: ``apply(page,
    rng)`` returns ``(image, effective_dpi)``."""

    name: str
    apply: ConditionFn
    description: str = ""

    def __call__(self, page: Image, rng: np.random.Generator) -> tuple[Image, int]:
        return self.apply(page, rng)


SOURCE_DPI = 300


def _scan(
    page: Image,
    rng: np.random.Generator,
    dpi: float,
    gray: bool = True,
    optics: tuple[float, float] = (0.4, 0.8),
) -> Image:
    """Office flatbed: optical blur (sigma in output pixels) at the source
    resolution, which also anti-aliases the resample to ``dpi``; then paper a
    little below white and ink a little above black.  Blur + linear resize
    costs a fraction of INTER_AREA at non-integer ratios such as 300->200."""
    img = to_gray(page) if gray else (page if page.ndim == 3 else to_rgb(page))
    f = dpi / SOURCE_DPI
    sigma = rng.uniform(*optics) / min(f, 1.0)
    img = cv2.GaussianBlur(img, (0, 0), sigma)
    if f != 1.0:
        h, w = img.shape[:2]
        size = (max(1, round(w * f)), max(1, round(h * f)))
        img = cv2.resize(img, size, interpolation=cv2.INTER_LINEAR)
    return levels(img, rng.uniform(8, 30), rng.uniform(236, 252), rng.uniform(0.9, 1.1))


def _c_flatbed(dpi: int) -> ConditionFn:
    def apply(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
        return _scan(page, rng, dpi), dpi

    return apply


def _c_bw(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    """1-bit with a fixed threshold, as a flatbed's or copier's B/W text mode makes it.
    The threshold, 50-67 % of white, is on the generous side of what drivers default
    to (TWAIN's default is 50 %). Pencil at the synthetic pressures (stroke cores
    around 160-210 after the optics) is lighter than that and mostly vanishes: real,
    and why B/W scans of pencil are a known trouble; the reader must say review."""
    g = blur(to_gray(page), rng.uniform(0.4, 0.8))
    return binarize(g, rng.uniform(128, 170)), SOURCE_DPI


def _c_fax(
    page: Image, rng: np.random.Generator, noise: tuple[float, float] = (0.0005, 0.003)
) -> tuple[Image, int]:
    """A fax, or a scan to a fax-like black-and-white PDF: 150 dpi, a fixed threshold
    (55-65 % of white), black speckle and white drop-outs. Pencil mostly vanishes,
    ballpoint survives thinned."""
    g = _scan(page, rng, 150, optics=(0.4, 0.8))
    out = binarize(g, rng.uniform(140, 165))
    return fax_noise(out, rng, rng.uniform(*noise)), 150


def _c_dither(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    """1-bit by error diffusion, as a scanner's B/W "text/photo" (halftone) mode makes
    it: shading correction maps the paper to white, then Floyd-Steinberg. A light
    stroke survives as scattered black dots rather than vanishing."""
    g = blur(to_gray(page), rng.uniform(0.4, 0.8))
    g = levels(g, rng.uniform(0, 20), 255.0, rng.uniform(0.9, 1.1))
    return dither(g), SOURCE_DPI


def _c_rot5(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    return rotate(_scan(page, rng, 200), rng.uniform(-5.0, 5.0)), 200


def _c_quarter(angle: int) -> ConditionFn:
    def apply(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
        return rotate(_scan(page, rng, 200), angle), 200

    return apply


def _c_fit(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    """Printed shrunk, then scanned at 200 dpi: one resample straight to the
    shrunk size, centred on a 200-dpi page (same result as ``scale_page``)."""
    factor = rng.uniform(0.94, 0.97)
    small = _scan(page, rng, 200 * factor)
    h, w = (max(1, round(n * 200 / SOURCE_DPI)) for n in page.shape[:2])
    out = np.full((h, w), 255, np.uint8)
    sh, sw = min(h, small.shape[0]), min(w, small.shape[1])
    y0, x0 = (h - sh) // 2, (w - sw) // 2
    out[y0 : y0 + sh, x0 : x0 + sw] = small[:sh, :sw]
    return out, 200


def _c_noisy(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    g = _scan(page, rng, 200, optics=(0.6, 1.0))
    g = speckle(g, rng, rng.uniform(0.002, 0.006))
    return jpeg(g, int(rng.integers(55, 66))), 200


def _c_color(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    return jpeg(_scan(page, rng, 200, gray=False), int(rng.integers(80, 92))), 200


def _c_phone(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    return photo_effective_dpi(page, rng, SOURCE_DPI, strength=rng.uniform(0.03, 0.08))


# Where a sheet folded in four has its creases on page 3 (the page handed in): through
# the signature field (x 88-188 mm; y 159-189 mm on the shortest test layout, 179-209 mm
# on test_scan_v2's), as parents fold a form into a bag.
FOLD_X_MM = (95.0, 130.0)
FOLD_Y_MM = (162.0, 194.0)


def _fold_at(rng: np.random.Generator) -> tuple[float, float]:
    return float(rng.uniform(*FOLD_X_MM)), float(rng.uniform(*FOLD_Y_MM))


def _c_folded_scan(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    folded = fold(page, rng, SOURCE_DPI, _fold_at(rng), rng.uniform(0.0, 0.03))
    return _scan(folded, rng, 200), 200


def _c_folded_photo(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    folded = fold(page, rng, SOURCE_DPI, _fold_at(rng), rng.uniform(0.03, 0.15))
    return photo_effective_dpi(folded, rng, SOURCE_DPI, strength=rng.uniform(0.03, 0.08))


def _c_show_through(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    """A duplex scan of thin paper: the other side (here the same filled page, moved so
    that its marks and print fall elsewhere) shows through at 5-15 %."""
    px_mm = SOURCE_DPI / MM_PER_INCH
    shift = (int(rng.uniform(-40, 40) * px_mm), int(rng.uniform(-8, 8) * px_mm))
    seen = show_through(page, page, rng.uniform(0.05, 0.15), rng.uniform(0.1, 0.5) * px_mm, shift)
    return _scan(seen, rng, 200), 200


def _c_copier_outline(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    """A cheap copier's 1-bit text mode: an adaptive threshold over a small window
    (2.6-4.3 mm), which keeps only the outlines of solid areas wider than that (the
    registration discs become rings, a filled box a frame)."""
    g = blur(to_gray(page), rng.uniform(0.4, 0.8))
    block = int(rng.integers(15, 26)) * 2 + 1  # px at 300 dpi: 2.6-4.3 mm
    c = float(rng.uniform(8, 16))
    return cv2.adaptiveThreshold(
        g, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, c
    ), SOURCE_DPI


def _c_marks_cut(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    """A page laid crooked (up to 4 degrees, scaled 97-103 %) on a 200-dpi flatbed, one
    side of it over the glass's edge: the strip with the two marks of that side (the
    left or the bottom, never the QR code's) is not in the scan."""
    px_mm = SOURCE_DPI / MM_PER_INCH
    cut = page.copy()
    strip = round(rng.uniform(14.5, 17.0) * px_mm)
    if rng.random() < 0.5:
        cut[:, :strip] = 255
    else:
        cut[-strip:] = 255
    scanned = _scan(cut, rng, 200)
    return rotate(scanned, rng.uniform(-4.0, 4.0), rng.uniform(0.97, 1.03)), 200


# Where the answer boxes are on page 3 (x: the "yes" and the "no" column; y: the rows
# of test_scan_v2's layout, 111-165.5 mm).
BOX_COLUMNS_MM = ((149.8, 155.3), (170.2, 175.6))
BOX_ROWS_MM = (111.0, 165.0)


def _c_creased_boxes(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    """Folded in four elsewhere than usual: the crease down the page runs through a
    column of answer boxes, the one across through the rows of boxes; flatbed 200 dpi."""
    column = BOX_COLUMNS_MM[int(rng.integers(0, 2))]
    at = (float(rng.uniform(*column)), float(rng.uniform(*BOX_ROWS_MM)))
    folded = fold(page, rng, SOURCE_DPI, at, rng.uniform(0.0, 0.03))
    return _scan(folded, rng, 200), 200


# Inside the signature field of test_scan_v2's layout (x 88-188 mm; y from 179.4 mm,
# 30 mm high): where a staple in the field lands.
STAPLE_X_MM = (96.0, 180.0)
STAPLE_Y_MM = (183.0, 193.0)


def _c_stapled(page: Image, rng: np.random.Generator) -> tuple[Image, int]:
    """A staple (its crown, its bent legs or the holes of a pulled one) inside the
    signature field, at any angle; flatbed 200 dpi."""
    at = (float(rng.uniform(*STAPLE_X_MM)), float(rng.uniform(*STAPLE_Y_MM)))
    return _scan(staple(page, rng, SOURCE_DPI, at), rng, 200), 200


CONDITIONS: dict[str, Condition] = {
    c.name: c
    for c in (
        Condition("flatbed-300-gray", _c_flatbed(300), "gray 300 dpi, light blur and levels"),
        Condition("flatbed-200-gray", _c_flatbed(200), "gray 200 dpi, light blur and levels"),
        Condition("flatbed-150-gray", _c_flatbed(150), "gray 150 dpi, light blur and levels"),
        Condition("flatbed-300-bw", _c_bw, "1-bit 300 dpi, threshold 128-170 (pencil may vanish)"),
        Condition("flatbed-300-dither", _c_dither, "1-bit 300 dpi, error diffusion (halftone)"),
        Condition("fax-150-bw", _c_fax, "1-bit 150 dpi, fixed threshold, fax speckle"),
        Condition("flatbed-200-color", _c_color, "RGB 200 dpi, JPEG q80-91"),
        Condition("flatbed-rot5", _c_rot5, "gray 200 dpi, skewed by a random angle in [-5, 5] deg"),
        Condition("flatbed-rot90", _c_quarter(90), "gray 200 dpi, page fed sideways (90 deg CCW)"),
        Condition("flatbed-rot180", _c_quarter(180), "gray 200 dpi, page upside down"),
        Condition("fit-to-page", _c_fit, "gray 200 dpi, printed 'fit to page' at 94-97 %"),
        Condition("noisy", _c_noisy, "gray 200 dpi, blur + salt-and-pepper + JPEG q55-65"),
        Condition("phone-photo", _c_phone, "RGB phone photo on a table, ~2000 px long side"),
        Condition("folded-scan", _c_folded_scan, "gray 200 dpi of a sheet folded in four"),
        Condition("folded-photo", _c_folded_photo, "phone photo of a sheet folded in four"),
        Condition("show-through", _c_show_through, "gray 200 dpi, the other side at 5-15 %"),
        Condition("copier-outline", _c_copier_outline, "1-bit 300 dpi, small-window adaptive"),
        Condition("marks-cut-off", _c_marks_cut, "gray 200 dpi, crooked, two marks off the glass"),
        Condition("creased-boxes", _c_creased_boxes, "gray 200 dpi, creases through the boxes"),
        Condition("stapled", _c_stapled, "gray 200 dpi, a staple in the signature field"),
    )
}
