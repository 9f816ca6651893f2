"""Pixel helpers every step shares: the ink channel, a fast percentile, halving."""

from __future__ import annotations

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
    """Percentile of a uint8 image from its histogram: ten times np.percentile's speed."""
    counts = np.bincount(image.ravel(), minlength=256)
    return float(np.searchsorted(np.cumsum(counts), q / 100.0 * (image.size - 1), side="right"))


def _halve(image: Array, min_side: int) -> tuple[Array, int]:
    """Area-average by 2 while the long side stays >= min_side: OpenCV's 2x path is
    ten times faster than any other factor. Returns the image and the total factor."""
    k = 1
    while max(image.shape[:2]) // 2 >= min_side:
        image = cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        k *= 2
    return image, k
