"""The upright page, region by region: a homography's regions warped on demand.

Reading a page needs only a few regions of it upright (the answers, the signature
field, the fields a reviewer sees): warping those instead of the whole page saves most
of the warp, and each region has exactly the pixels the same block of a whole warp
would have.
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from formgen.scan.pixels import MM_PER_INCH, Array, ink_gray

PAGE_MM = (210.0, 297.0)
BINARY_SMOOTH = 0.5  # a 1-bit page is blurred by this many output pixels (sigma) first
# A camera sees a page in perspective, a flatbed or a sheet feeder flat: a page whose
# opposite edges differ by KEYSTONE or more, as its homography maps them, was taken
# by a camera (random checks: scans 0-0.12 %, the fit's own noise; phone photos
# 0.4-13 %). A photo taken square on reads as a scan (light pencil goes to a person).
KEYSTONE = 0.003


def _project(H: Array, pts: Array) -> Array:
    pts = np.asarray(pts, np.float64).reshape(-1, 2)
    hom = np.hstack([pts, np.ones((len(pts), 1))]) @ H.T
    return hom[:, :2] / hom[:, 2:3]


def _jacobian(H: Array, pt: tuple[float, float]) -> Array:
    """Local linear map (px per mm) of H at a layout point."""
    x, y = pt
    w = H[2, 0] * x + H[2, 1] * y + H[2, 2]
    u = (H[0, 0] * x + H[0, 1] * y + H[0, 2]) / w
    v = (H[1, 0] * x + H[1, 1] * y + H[1, 2]) / w
    return np.array(
        [
            [(H[0, 0] - u * H[2, 0]) / w, (H[0, 1] - u * H[2, 1]) / w],
            [(H[1, 0] - v * H[2, 0]) / w, (H[1, 1] - v * H[2, 1]) / w],
        ]
    )


def is_binary(gray: Array) -> bool:
    """A 1-bit scan (only black and white), judged from a sample of its pixels."""
    sample = gray[::7, ::7]
    counts = np.bincount(sample.ravel(), minlength=256)
    return int(counts[1:255].sum()) == 0 and counts[0] > 0


def keystone(H: Array) -> float:
    """How much one edge of the page, as H maps it, is longer than the opposite one
    (of the two pairs, the larger; relative to their mean): 0 for an affine map."""
    corners = _project(H, np.array([(0.0, 0.0), (PAGE_MM[0], 0.0), PAGE_MM, (0.0, PAGE_MM[1])]))
    edges = np.hypot(*(corners - np.roll(corners, -1, axis=0)).T)  # top, right, bottom, left
    return float(np.max(2 * np.abs(edges[:2] - edges[2:]) / (edges[:2] + edges[2:])))


class PageView:
    """The upright page at ``dpi`` (ink gray), region by region: ``region(c0, r0, c1,
    r1)`` is the block of pixels ``[r0:r1, c0:c1]`` of the whole upright page (clipped
    to it). ``ArrayView`` slices a page warped whole; ``WarpView`` warps each region
    asked for, and only that."""

    dpi: float
    size: tuple[int, int]  # whole page: width, height in px
    memo: dict[Any, Any]  # what is found on the view, for whoever needs it again
    binary = False  # warped from a 1-bit page: its gray is the density of black dots
    camera = False  # warped from a photo: the page seen in perspective (KEYSTONE)

    def region(self, c0: int, r0: int, c1: int, r1: int) -> tuple[Array, int, int]:
        """The block and its top-left pixel (c0, r0 clipped)."""
        c0, r0 = max(c0, 0), max(r0, 0)
        c1, r1 = min(c1, self.size[0]), min(r1, self.size[1])
        return self._block(c0, r0, max(c1, c0), max(r1, r0)), c0, r0

    def _block(self, c0: int, r0: int, c1: int, r1: int) -> Array:
        raise NotImplementedError

    def whole(self) -> Array:
        return self.region(0, 0, *self.size)[0]


def page_px(dpi: float) -> tuple[int, int]:
    k = MM_PER_INCH / dpi
    return round(PAGE_MM[0] / k), round(PAGE_MM[1] / k)


class ArrayView(PageView):
    def __init__(self, rectified: Array, dpi: float = 150.0) -> None:
        self.array, self.dpi, self.memo = rectified, dpi, {}
        self.size = (rectified.shape[1], rectified.shape[0])

    def _block(self, c0: int, r0: int, c1: int, r1: int) -> Array:
        return self.array[r0:r1, c0:c1]


class WarpView(PageView):
    """Regions of the upright page warped from the image on demand (and kept): the
    same pixels as the same block of ``rectify(gray, H, dpi)``."""

    def __init__(
        self, gray: Array, H: Array, dpi: float = 150.0, binary: bool | None = None
    ) -> None:
        self.gray, self.H, self.dpi, self.memo = gray, H, dpi, {}
        self.size = page_px(dpi)
        self.binary = is_binary(gray) if binary is None else binary
        self.camera = keystone(H) >= KEYSTONE
        k = MM_PER_INCH / dpi
        jac = _jacobian(H, (PAGE_MM[0] / 2, PAGE_MM[1] / 2))
        self.ratio = math.sqrt(abs(float(np.linalg.det(jac)))) * k  # image px per output px
        # output pixel centre (u, v) is at ((u + 0.5) k, (v + 0.5) k) mm
        self.to_px = H @ np.array([[k, 0.0, 0.5 * k], [0.0, k, 0.5 * k], [0.0, 0.0, 1.0]])
        self.cache: dict[tuple[int, int, int, int], Array] = {}

    def _block(self, c0: int, r0: int, c1: int, r1: int) -> Array:
        key = (c0, r0, c1, r1)
        if key not in self.cache:
            self.cache[key] = self._warp(c0, r0, c1, r1)
        return self.cache[key]

    def _warp(self, c0: int, r0: int, c1: int, r1: int) -> Array:
        if c1 <= c0 or r1 <= r0:
            return np.zeros((max(r1 - r0, 0), max(c1 - c0, 0)), np.uint8)
        M = self.to_px @ np.array([[1.0, 0.0, c0], [0.0, 1.0, r0], [0.0, 0.0, 1.0]])
        # the image pixels that region comes from, with room for the smoothing below
        box = np.array([[0, 0], [c1 - c0, 0], [c1 - c0, r1 - r0], [0, r1 - r0]], np.float64)
        src = _project(M, box - 0.5)
        pad = 3 + math.ceil(3 * BINARY_SMOOTH * max(self.ratio, 1.0))
        height, width = self.gray.shape[:2]
        x0 = max(math.floor(src[:, 0].min()) - pad, 0)
        y0 = max(math.floor(src[:, 1].min()) - pad, 0)
        x1 = min(math.ceil(src[:, 0].max()) + pad + 1, width)
        y1 = min(math.ceil(src[:, 1].max()) + pad + 1, height)
        if x1 <= x0 or y1 <= y0:  # off the image: paper
            return np.full((r1 - r0, c1 - c0), 255, np.uint8)
        source = self.gray[y0:y1, x0:x1]
        M = np.array([[1.0, 0.0, -x0], [0.0, 1.0, -y0], [0.0, 0.0, 1.0]]) @ M
        return _warp_region(source, M, (c1 - c0, r1 - r0), self.ratio, self.binary)


def rectify(gray: Array, H: Array, dpi_out: float = 150.0) -> Array:
    """The page warped upright at dpi_out, whole (see ``WarpView`` for regions)."""
    return WarpView(ink_gray(gray), H, dpi_out).whole()


def _warp_region(
    source: Array, M: Array, size: tuple[int, int], ratio: float, binary: bool
) -> Array:
    """One warp (output px -> source px by ``M``), pre-shrunk when the source is much
    finer, so thin strokes are averaged rather than skipped."""
    if binary:
        # A 1-bit scan has no gray: a light stroke survives as scattered black dots
        # (dithering, or graphite grain at the threshold), which point sampling would
        # drop or turn into dust. Averaging over about an output pixel gives them back
        # as the gray a person sees; solid strokes and dust stay solid and dark.
        source = cv2.GaussianBlur(source, (0, 0), BINARY_SMOOTH * max(ratio, 1.0))
    if ratio > 2.5:
        f = 1.5 / ratio
        source = cv2.resize(source, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        shrink = np.array([[f, 0.0, 0.5 * f - 0.5], [0.0, f, 0.5 * f - 0.5], [0.0, 0.0, 1.0]])
        M = shrink @ M
    return cv2.warpPerspective(
        source,
        M,
        size,
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=255,
    )
