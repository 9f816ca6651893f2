"""Finding the QR codes on a page (zxing-cpp), cheapest attempt first."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from .pixels import Array, _halve, ink_gray

QR_LONG_SIDE = 1170  # decode QR codes at 100-200 dpi on A4 (3+ px per module): fast, sharp


@dataclass(frozen=True)
class QrHit:
    text: str
    corners: Array  # (4, 2) image px: symbol's top-left, top-right, bottom-right, bottom-left
    modules: int = 25  # symbol size without quiet zone (version * 4 + 17)


def find_qr(gray: Array) -> list[QrHit]:
    """All QR codes on the page, cheapest attempt first."""
    gray = ink_gray(gray)
    small, k = _halve(gray, QR_LONG_SIDE * 9 // 10)
    factor = 1.0 / k
    hits = _decode(small, factor)
    if not hits:  # salt-and-pepper noise breaks finder patterns; a median removes it
        hits = _decode(cv2.medianBlur(small, 3), factor)
    if not hits:
        _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        hits = _decode(binary, factor)
    if not hits and k > 1:  # small or blurred codes need every pixel
        hits = _decode(gray, 1.0)
    return hits


def _decode(image: Array, factor: float) -> list[QrHit]:
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
        corners = np.array([[q.x, q.y] for q in pts], np.float64)
        corners = (corners + 0.5) / factor - 0.5  # back to the full image's pixel centres
        try:
            version = int(result.extra.get("Version", 2))
        except (AttributeError, TypeError, ValueError):
            version = 2
        hits.append(QrHit(result.text, corners, 17 + 4 * version))
    return hits
