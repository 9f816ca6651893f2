"""Finding the QR codes on a page (zxing-cpp), cheapest attempt first."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from formgen.scan.pixels import Array, _halve, ink_gray

QR_LONG_SIDE = 1170  # decode QR codes at 100-200 dpi on A4 (3+ px per module): fast, sharp
# A form's code sits in a corner of the sheet (top right; any corner once the page is
# turned): these windows (share of the short and long side) hold it, also on a photo.
CORNER = (0.5, 0.4)


@dataclass(frozen=True)
class QrHit:
    text: str
    corners: Array  # (4, 2) image px: symbol's top-left, top-right, bottom-right, bottom-left
    modules: int = 25  # symbol size without quiet zone (version * 4 + 17)


def find_qr(gray: Array, small: Array | None = None, corners_only: bool = False) -> list[QrHit]:
    """The QR codes on the page, cheapest attempt first: in the corners of a 100-dpi
    copy (a quarter of the page each, the upright sheet's top right first), then the
    whole page, then harder. ``small``: the page halved once (``pixels._halve``), when
    the caller has it. With ``corners_only``, the corner windows that found a code are
    all: the caller looks further (``find_qr`` without it) only when none of those
    codes is its own."""
    gray = ink_gray(gray)
    k = 1
    if small is not None and max(gray.shape[:2]) // 2 >= QR_LONG_SIDE * 9 // 10:
        level, k = _halve(small, QR_LONG_SIDE * 9 // 10)
        k *= 2
    else:
        level, k = _halve(gray, QR_LONG_SIDE * 9 // 10)
    factor = 1.0 / k
    hits = _corners(level, factor)
    if hits and corners_only:
        return hits
    hits = _decode(level, factor)
    if not hits:  # salt-and-pepper noise breaks finder patterns; a median removes it
        hits = _decode(cv2.medianBlur(level, 3), factor)
    if not hits:
        _, binary = cv2.threshold(level, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        hits = _decode(binary, factor)
    if not hits and k > 1:  # small or blurred codes need every pixel
        hits = _decode(gray, 1.0)
    return hits


def _corners(level: Array, factor: float) -> list[QrHit]:
    h, w = level.shape[:2]
    across, along = CORNER if h >= w else CORNER[::-1]
    cw, ch = round(w * across), round(h * along)
    # top right, bottom left (upside down), top left, bottom right (fed sideways)
    for x0, y0 in ((w - cw, 0), (0, h - ch), (0, 0), (w - cw, h - ch)):
        window = np.ascontiguousarray(level[y0 : y0 + ch, x0 : x0 + cw])
        hits = _decode(window, factor, (x0, y0))
        if hits:
            return hits
    return []


def _decode(image: Array, factor: float, offset: tuple[int, int] = (0, 0)) -> list[QrHit]:
    results = zxingcpp.read_barcodes(
        image,
        formats=zxingcpp.BarcodeFormat.QRCode,
        try_rotate=False,  # QR finding is rotation invariant; this only concerns 1D codes
        try_invert=False,
        try_downscale=False,  # we chose the scale
    )
    hits: list[QrHit] = []
    for result in results:
        if not result.valid or any(h.text == result.text for h in hits):
            continue
        p = result.position
        pts = [p.top_left, p.top_right, p.bottom_right, p.bottom_left]
        corners = np.array([[q.x, q.y] for q in pts], np.float64) + offset
        corners = (corners + 0.5) / factor - 0.5  # back to the full image's pixel centres
        try:
            version = int(result.extra.get("Version", 2))
        except (AttributeError, TypeError, ValueError):
            version = 2
        hits.append(QrHit(result.text, corners, 17 + 4 * version))
    return hits
