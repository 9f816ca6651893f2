"""Registration: where the layout lies on a page image, and the page made upright.

Coarse from the QR symbol's corners, then the four corner discs, a least-squares fit
and a residual check (``register``). The page is not warped upright as a whole: a
``WarpView`` warps only the regions that are measured (the boxes, the signature field,
the fields a reviewer sees), each exactly as the same part of a whole warp would be;
``rectify`` warps the whole page when a whole page is wanted. Coordinates in a layout
are millimetres from the page's top-left corner; image coordinates are OpenCV's (pixel
centres at integers). A homography ``H`` maps layout millimetres to image pixels.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from formgen.scan.measuring import _answers, layout_offset
from formgen.scan.pixels import Array, _from_histogram, _halve, histogram, ink_gray
from formgen.scan.qr import QrHit
from formgen.scan.view import PageView, WarpView, _jacobian, _project

MARK_DIAMETER_MM = 6.0
HALF_MARK_PX = 12  # marks this wide (px) on the halved page are found there
# image px -> halved image px (pixel centres)
_HALF = np.array([[0.5, 0.0, -0.25], [0.0, 0.5, -0.25], [0.0, 0.0, 1.0]])
MARK_WINDOW_MM = (10.0, 22.0, 40.0)  # search half-widths, tried in turn
MIN_MARKS = 3  # or two at opposite ends of a side, when the printed boxes agree
MAX_RESIDUAL_MM = 0.6  # good pages show <= 0.3 mm; a moved mark shows more
MAX_LAYOUT_OFFSET_MM = 0.7  # printed boxes vs. registration: good pages show <= 0.25 mm


@dataclass
class Registration:
    ok: bool
    reason: str | None  # why not ok, for the reviewer
    H: Array | None  # 3x3, layout mm -> image px (the best available, also when not ok)
    residual_mm: float  # largest distance between a fitted point and where H puts it
    view: PageView | None  # the upright page, region by region (None when not ok)
    dpi_out: float = 150.0
    marks: dict[str, tuple[float, float]] = field(default_factory=dict)  # found, image px

    @property
    def rectified(self) -> Array | None:
        """The whole upright page at dpi_out, ink gray (None when not ok)."""
        return None if self.view is None else self.view.whole()


def _centre(rect: Sequence[float]) -> tuple[float, float]:
    x, y, w, h = rect
    return x + w / 2.0, y + h / 2.0


def qr_symbol_mm(layout_page: Mapping[str, Any], modules: int = 25) -> Array:
    """The symbol's corners in the layout: the image includes a 4-module quiet zone."""
    x, y, w, h = layout_page["qr"]["rect_mm"]
    ix, iy = w * 4.0 / (modules + 8), h * 4.0 / (modules + 8)
    return np.array(
        [[x + ix, y + iy], [x + w - ix, y + iy], [x + w - ix, y + h - iy], [x + ix, y + h - iy]],
        np.float64,
    )


def _fit(src_mm: list[Array], dst_px: list[Array], perspective: bool = True) -> Array | None:
    """Homography by least squares; affine while the points cluster at the top of the
    page, as perspective estimated from a 21 mm QR code explodes 270 mm away."""
    src = np.array(src_mm, np.float64).reshape(-1, 2)
    dst = np.array(dst_px, np.float64).reshape(-1, 2)
    if not perspective:
        design = np.hstack([src, np.ones((len(src), 1))])
        coef, *_ = np.linalg.lstsq(design, dst, rcond=None)
        return np.vstack([coef.T, [0.0, 0.0, 1.0]])
    H, _ = cv2.findHomography(src, dst, 0)
    return H


def _find_mark(
    gray: Array, H: Array, centre_mm: tuple[float, float], window_mm: float
) -> Array | None:
    """The registration disc nearest to where H predicts it, or None."""
    height, width = gray.shape
    cx, cy = centre_mm
    square = np.array(
        [
            [cx - window_mm, cy - window_mm],
            [cx + window_mm, cy - window_mm],
            [cx + window_mm, cy + window_mm],
            [cx - window_mm, cy + window_mm],
        ]
    )
    quad = _project(H, square)
    x0, y0 = np.floor(quad.min(axis=0)).astype(int)
    x1, y1 = np.ceil(quad.max(axis=0)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return None
    window = gray[y0:y1, x0:x1]
    jac = _jacobian(H, centre_mm)
    radius = MARK_DIAMETER_MM / 2.0
    area = math.pi * radius**2 * abs(float(np.linalg.det(jac)))
    half_w = radius * math.hypot(jac[0, 0], jac[0, 1])
    half_h = radius * math.hypot(jac[1, 0], jac[1, 1])
    if area < 12:  # under ~2 px per mm nothing here is measurable
        return None
    counts = histogram(window)
    lo, hi = _from_histogram(counts, 1), _from_histogram(counts, 90)
    if hi - lo < max(40.0, 0.45 * hi):  # no black disc (painted over, or show-through)
        return None
    _, binary = cv2.threshold(window, (lo + hi) / 2.0, 255, cv2.THRESH_BINARY_INV)
    predicted = _project(H, np.array([centre_mm]))[0] - (x0, y0)
    best = _disc(binary, predicted, area, half_w, half_h)
    if best is None:  # a copier's ring: the disc with its hole filled, the hole round
        best = _disc(_holes_filled(binary), predicted, area, half_w, half_h, binary)
    return None if best is None else best + np.array([x0, y0], np.float64)


def _holes_filled(binary: Array) -> Array:
    """Ink with every hole in it filled: a copier's text mode (an adaptive threshold
    over a small window) leaves a solid disc as its outline only."""
    h, w = binary.shape
    outside = cv2.copyMakeBorder(binary, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=0)
    cv2.floodFill(outside, np.zeros((h + 4, w + 4), np.uint8), (0, 0), 255)
    return cv2.bitwise_or(binary, cv2.bitwise_not(outside[1:-1, 1:-1]))


def _disc(
    binary: Array,
    predicted: Array,
    area: float,
    half_w: float,
    half_h: float,
    ring: Array | None = None,
) -> Array | None:
    """The centroid of the disc-like component of a mark's size nearest ``predicted``
    (window px), not cut by the window's edge; None when there is none. With ``ring``
    (the ink before holes were filled) only a ring counts: a round hole, a good part of
    the disc, in its middle (not a QR code's finder pattern or text filled in)."""
    n, labels, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    height, width = binary.shape
    best: Array | None = None
    best_distance = math.inf
    for i in range(1, n):
        bx, by, bw, bh, count = stats[i]
        if not 0.6 * area <= count <= 1.5 * area:
            continue
        if not (0.7 * 2 * half_w <= bw <= 1.35 * 2 * half_w + 2):
            continue
        if not (0.7 * 2 * half_h <= bh <= 1.35 * 2 * half_h + 2):
            continue
        if not 0.62 <= count / float(bw * bh) <= 0.92:  # a disc, not a bar or blot
            continue
        if bx == 0 or by == 0 or bx + bw >= width or by + bh >= height:
            continue  # cut by the window (or the image edge): centroid would be biased
        if ring is not None and not _round_hole(labels == i, ring, centroids[i], bw, bh):
            continue
        distance = float(np.hypot(*(centroids[i] - predicted)))
        if distance < best_distance:
            best, best_distance = centroids[i], distance
    return best


def _round_hole(disc: Array, ink: Array, centre: Array, bw: int, bh: int) -> bool:
    """The filled disc's hole (what was not ink in it) is one round piece of paper, at
    least a fifth of it, centred in it."""
    hole = (disc & (ink == 0)).astype(np.uint8)
    n, _, stats, centroids = cv2.connectedComponentsWithStats(hole, connectivity=4)
    if n != 2:
        return False
    _, _, hw, hh, count = stats[1]
    if count < 0.2 * float(np.count_nonzero(disc)) or not 0.55 <= count / float(hw * hh) <= 0.92:
        return False
    if float(np.hypot(*(centroids[1] - centre))) > 0.15 * max(bw, bh):
        return False
    # and the hole is paper throughout: a QR code's finder pattern has ink in its hole
    return np.count_nonzero(_holes_filled(hole * 255)) <= 1.05 * count


def register(
    gray: Array,
    layout_page: Mapping[str, Any],
    qr: QrHit,
    dpi_out: float = 150.0,
    small: Array | None = None,
    binary: bool | None = None,
) -> Registration:
    """Map the layout onto the image: coarse from the QR symbol's corners, then the
    four corner discs found one by one (nearest first, refitting after each), a
    least-squares fit over all points, and a residual check.

    Four marks give a homography (any perspective). With three, the fit is affine:
    three marks and a QR code cannot tell a perspective from a mark in the wrong
    place, so a phone photo with a mark missing goes to review rather than risk it.
    Two at the ends of a side (a crooked page on a flatbed, the other two off its
    glass) give the same affine fit, taken only when the printed boxes and the
    signature's frame, located on their own, lie where it puts them (as every fit is).

    ``small``: the page halved (``cv2.resize`` by 0.5, INTER_AREA), where the marks are
    looked for when they are big enough there (a quarter of the pixels; a disc's centre
    is as sharp); ``binary``: whether the page is 1-bit, when the caller knows."""
    gray = ink_gray(gray)
    qr_mm = qr_symbol_mm(layout_page, qr.modules)
    H = _fit(list(qr_mm), list(qr.corners), perspective=False)
    if H is None or not _plausible(H, qr_mm):
        return Registration(False, "QR code geometry is implausible", H, math.inf, None, dpi_out)
    marks_mm = {m["mark"]: _centre(m["rect_mm"]) for m in layout_page["marks"]}
    qr_centre = qr_mm.mean(axis=0)
    order = sorted(marks_mm, key=lambda n: float(np.hypot(*(np.array(marks_mm[n]) - qr_centre))))
    found: dict[str, tuple[float, float]] = {}
    scale = math.sqrt(abs(float(np.linalg.det(_jacobian(H, tuple(qr_mm.mean(axis=0)))))))
    halved = scale * MARK_DIAMETER_MM >= 2 * HALF_MARK_PX
    if halved and small is None:
        small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    for name in order:
        hit = None
        for window in MARK_WINDOW_MM:
            if halved and small is not None:  # pixel centres: full = 2 half + 0.5
                hit = _find_mark(small, _HALF @ H, marks_mm[name], window)
                hit = None if hit is None else 2.0 * hit + 0.5
            else:
                hit = _find_mark(gray, H, marks_mm[name], window)
            if hit is not None:
                break
        if hit is None:
            continue
        found[name] = (float(hit[0]), float(hit[1]))
        src = [*qr_mm, *(marks_mm[n] for n in found)]
        dst = [*qr.corners, *found.values()]
        refit = _fit(src, dst, perspective=len(found) >= MIN_MARKS)
        if refit is not None and _plausible(refit, qr_mm):
            H = refit
    if 2 <= len(found) < 4:  # strong perspective puts marks far from any prediction
        found.update(_complete(gray, H, qr_mm, qr.corners, marks_mm, found))
    if len(found) < MIN_MARKS - (1 if len(found) == 2 and _apart(marks_mm, found) else 0):
        return Registration(
            False,
            f"only {len(found)} of 4 registration marks found",
            H,
            math.inf,
            None,
            dpi_out,
            found,
        )
    # The first fit that both the marks and the printed boxes agree with; a moved mark
    # can hide in a fit of four, so each three-mark fit is a fallback.
    reason, fitted, worst = "", H, math.inf
    for trial, trial_res in _fits(qr_mm, qr.corners, marks_mm, found):
        trial_worst = max(trial_res.values())
        if trial_worst > MAX_RESIDUAL_MM:
            where = max(trial_res, key=trial_res.__getitem__)
            failure = f"registration marks disagree by {trial_worst:.2f} mm ({where})"
        else:
            view = WarpView(gray, trial, dpi_out, binary)
            offset = layout_offset(view, layout_page, dpi_out)
            if len(found) == 2 and offset > MAX_LAYOUT_OFFSET_MM:
                # two marks leave the far side loose: the printed boxes, found on their
                # own near where the fit puts them, fix it (then checked as any fit)
                trial = _with_boxes(view, layout_page, qr_mm, qr.corners, marks_mm, found)
                if trial is not None:
                    view = WarpView(gray, trial, dpi_out, binary)
                    offset = layout_offset(view, layout_page, dpi_out)
            if offset <= MAX_LAYOUT_OFFSET_MM and trial is not None:
                return Registration(True, None, trial, trial_worst, view, dpi_out, found)
            what = "not found" if math.isinf(offset) else f"{offset:.2f} mm away"
            failure = f"printed boxes {what} where the registration marks put them"
        if not reason:
            reason, worst = failure, trial_worst
            fitted = trial if trial is not None else fitted
    return Registration(False, reason, fitted, worst, None, dpi_out, found)


def _with_boxes(
    view: WarpView,
    layout_page: Mapping[str, Any],
    qr_mm: Array,
    qr_px: Array,
    marks_mm: Mapping[str, tuple[float, float]],
    found: Mapping[str, tuple[float, float]],
) -> Array | None:
    """An affine fit over the QR code, the marks found and the printed boxes' outlines
    where ``view`` (a fit of the first two) finds them clean: each box's centre, moved
    by what its outline shows, in image px."""
    answers = _answers(view, layout_page.get("boxes", []))
    if answers is None:
        return None
    src, dst = [*qr_mm, *(marks_mm[n] for n in found)], [*qr_px, *found.values()]
    boxes = 0
    for box, outline in zip(layout_page["boxes"], answers.outlines, strict=True):
        if not (outline.seen and outline.clean):
            continue
        x, y, w, h = box["rect_mm"]
        centre = (x + w / 2, y + h / 2)
        src.append(centre)
        dst.append(
            _project(view.H, np.array([[centre[0] + outline.dx, centre[1] + outline.dy]]))[0]
        )
        boxes += 1
    if boxes < 3:
        return None
    H = _fit(src, dst, perspective=False)
    return H if H is not None and _plausible(H, qr_mm) else None


def _apart(marks_mm: Mapping[str, tuple[float, float]], found: Mapping[str, Any]) -> bool:
    """Two marks that span the page (a side's two ends, or a diagonal), as a flatbed
    leaves them when the other two lie off its glass: with the QR code's corners they
    fix an affine map (a flatbed has no perspective), and the printed boxes and the
    signature's frame, located on their own, must then lie where it puts them."""
    a, b = (np.array(marks_mm[n]) for n in found)
    return float(np.hypot(*(a - b))) >= 150.0


def _residuals(H: Array, src: list[Any], dst: list[Any], names: list[str]) -> dict[str, float]:
    back = _project(np.linalg.inv(H), np.array(dst))
    errors = np.hypot(*(back - np.array(src, np.float64)).T)
    return {name: round(float(e), 3) for name, e in zip(names, errors, strict=True)}


def _fit_marks(
    qr_mm: Array,
    qr_px: Array,
    marks_mm: Mapping[str, tuple[float, float]],
    found: Mapping[str, tuple[float, float]],
    perspective: bool,
) -> tuple[Array | None, dict[str, float]]:
    names = ["qr-tl", "qr-tr", "qr-br", "qr-bl", *found]
    src = [*qr_mm, *(marks_mm[n] for n in found)]
    dst = [*qr_px, *found.values()]
    H = _fit(src, dst, perspective)
    if H is None or not np.all(np.isfinite(H)) or abs(np.linalg.det(H)) < 1e-12:
        return None, {}
    return H, _residuals(H, src, dst, names)


def _fits(
    qr_mm: Array,
    qr_px: Array,
    marks_mm: Mapping[str, tuple[float, float]],
    found: Mapping[str, tuple[float, float]],
) -> Iterator[tuple[Array, dict[str, float]]]:
    """Candidate fits, best first: a homography over four marks and the QR code (an
    affine fit over three, which cannot take a perspective for a misplaced mark);
    then, with four, each affine fit that leaves one mark out, by residual."""
    H, residuals = _fit_marks(qr_mm, qr_px, marks_mm, found, perspective=len(found) == 4)
    if H is not None:
        yield H, residuals
    if len(found) < 4:
        return
    rest = []
    for drop in found:
        subset = {n: p for n, p in found.items() if n != drop}
        trial, trial_res = _fit_marks(qr_mm, qr_px, marks_mm, subset, perspective=False)
        if trial is not None:
            rest.append((max(trial_res.values()), trial, trial_res))
    for _, trial, trial_res in sorted(rest, key=lambda r: r[0]):
        yield trial, trial_res


def _disc_candidates(gray: Array, px_per_mm: float) -> Array:
    """Centres (image px) of every dark disc-like blob of roughly a mark's size, from a
    thumbnail: the last resort when a mark is far from where it was expected."""
    small, k = _halve(gray, 800)
    d = MARK_DIAMETER_MM * px_per_mm / k
    if d < 4:
        return np.zeros((0, 2))
    size = int(2 * d) | 1
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (size, size)))
    mask = ((small.astype(np.int16) * 2 < paper) * 255).astype(np.uint8)
    _, _, stats, centroids = cv2.connectedComponentsWithStats(mask, connectivity=8)
    x, y, w, h, area = (stats[1:, i].astype(np.float64) for i in range(5))
    expected = math.pi / 4 * d * d
    fill = area / np.maximum(w * h, 1)
    aspect = np.maximum(w, h) / np.maximum(np.minimum(w, h), 1)
    inside = (x > 0) & (y > 0) & (x + w < small.shape[1]) & (y + h < small.shape[0])
    keep = (
        (area > 0.3 * expected)
        & (area < 4.0 * expected)
        & (fill > 0.6)
        & (fill < 0.92)
        & (aspect < 2.2)
        & inside
    )
    return (centroids[1:][keep] + 0.5) * k - 0.5


def _complete(
    gray: Array,
    H: Array,
    qr_mm: Array,
    qr_px: Array,
    marks_mm: Mapping[str, tuple[float, float]],
    found: Mapping[str, tuple[float, float]],
) -> dict[str, tuple[float, float]]:
    """Missing marks from disc-like blobs anywhere: the assignment that, with the marks
    already found, makes all four and the QR code agree. Only a complete set of four
    is accepted, so the perspective is measured, not guessed."""
    missing = [n for n in marks_mm if n not in found]
    scale = math.sqrt(abs(float(np.linalg.det(_jacobian(H, tuple(qr_mm.mean(axis=0)))))))
    candidates = _disc_candidates(gray, scale)
    taken = np.array(list(found.values()))
    if len(candidates) and len(taken):
        near = np.hypot(*(candidates[:, None, :] - taken[None, :, :]).transpose(2, 0, 1))
        candidates = candidates[near.min(axis=1) > MARK_DIAMETER_MM * scale]
    if len(candidates) < len(missing):
        return {}
    predicted = _project(H, np.array([marks_mm[n] for n in missing]))
    distance = np.hypot(*(candidates[:, None, :] - predicted[None, :, :]).transpose(2, 0, 1))
    candidates = candidates[np.argsort(distance.min(axis=1))[:12]]
    best: tuple[float, dict[str, tuple[float, float]]] = (MAX_RESIDUAL_MM, {})
    for combo in itertools.permutations(range(len(candidates)), len(missing)):
        trial = dict(found)
        trial.update({n: tuple(candidates[i]) for n, i in zip(missing, combo, strict=True)})
        fitted, residuals = _fit_marks(qr_mm, qr_px, marks_mm, trial, perspective=True)
        if fitted is not None and _plausible(fitted, qr_mm):
            worst = max(residuals.values())
            if worst < best[0]:
                best = (worst, {n: trial[n] for n in missing})
    if not best[1]:
        return {}
    trial = {**found, **best[1]}
    fitted, _ = _fit_marks(qr_mm, qr_px, marks_mm, trial, perspective=True)
    refined: dict[str, tuple[float, float]] = {}
    for name, coarse in best[1].items():
        hit = _find_mark(gray, fitted, marks_mm[name], 5.0) if fitted is not None else None
        refined[name] = coarse if hit is None else (float(hit[0]), float(hit[1]))
    return refined


def _plausible(H: Array, qr_mm: Array) -> bool:
    """Between ~40 and ~1300 dpi at the QR code, and not degenerate."""
    if not np.all(np.isfinite(H)):
        return False
    jac = _jacobian(H, tuple(qr_mm.mean(axis=0)))
    scale = math.sqrt(abs(float(np.linalg.det(jac))))
    return 1.5 < scale < 50.0
