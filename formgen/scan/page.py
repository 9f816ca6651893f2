"""One page for the record, pixels only (also in a worker process): the blank check,
QR codes, registration and measurement, and the encoded images a reviewer needs.

Matching a QR text to a form is the caller's (``Instance.verify``, behind the
``identify`` callback): it holds the store, this module does not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

from .blank import is_blank
from .load import PageImage
from .measuring import Measurement, measure
from .pixels import Array, ink_gray
from .qr import QrHit, find_qr
from .registration import register


@dataclass
class Identity:
    """Which form and printed page a page's QR code names (``hit``: which of the codes
    found), with that page's layout; or why not (``error``). The caller's answer."""

    form_id: str | None = None
    page_no: int = 0
    hit: int = 0
    sheet: dict[str, Any] | None = None
    error: str | None = None


@dataclass
class PageLook:
    """What one page shows, measured without the store: picklable, so that a worker
    process can send it. Its images are encoded, for the caller to keep."""

    source: str
    page: int
    blank: bool = False
    error: str | None = None  # the page cannot be read: why
    form_id: str | None = None
    page_no: int = 0
    sheet: dict[str, Any] | None = None
    registered: bool = False
    reason: str | None = None  # why registration failed
    residual_mm: float = 0.0
    measured: Measurement | None = None  # without its crops (they are in ``images``)
    images: dict[str, bytes] = field(default_factory=dict)  # file name -> encoded image
    crops: dict[str, str] = field(default_factory=dict)  # crop key -> file name


def look(
    page: PageImage, identify: Callable[[list[str]], Identity], dpi_out: float = 150.0
) -> PageLook:
    """Every pixel operation on a page: blank check, QR codes, registration and
    measurement, and the images a reviewer needs. ``identify`` maps the QR texts found
    to a form and its layout (the caller's: it holds the store)."""
    started = look_start(page)
    if started.texts is None:
        return started.seen
    return look_finish(started, identify(started.texts), dpi_out)


@dataclass
class Started:
    """A page looked at up to its QR codes: ``texts`` is None when that is all there
    is to it (blank, or no code), else the codes' texts to identify."""

    seen: PageLook
    gray: Array | None = None
    hits: list[QrHit] = field(default_factory=list)
    texts: list[str] | None = None


def look_start(page: PageImage) -> Started:
    """``look`` up to the QR codes, which is all it can do before knowing the form."""
    seen = PageLook(page.source, page.page)
    gray = ink_gray(page.image)
    # Blank first: a backside can show the QR of its front through the paper.
    if is_blank(gray):
        seen.blank = True
        return Started(seen)
    hits = find_qr(gray)
    if not hits:
        seen.error = "no formgen QR code found on this page"
        return Started(seen)
    return Started(seen, gray, hits, [hit.text for hit in hits])


def look_finish(started: Started, who: Identity, dpi_out: float = 150.0) -> PageLook:
    """The rest of ``look`` once the form is known."""
    seen, gray = started.seen, started.gray
    seen.form_id, seen.error = who.form_id, who.error
    if who.error is not None or who.sheet is None or gray is None:
        return seen
    seen.page_no, seen.sheet = who.page_no, who.sheet
    sheet = who.sheet
    registration = register(gray, sheet, started.hits[who.hit], dpi_out)
    if not registration.ok or registration.rectified is None:
        seen.images["page.jpg"] = encode(".jpg", small(gray))
        seen.reason = registration.reason
        return seen
    seen.registered, seen.residual_mm = True, registration.residual_mm
    seen.images["page.jpg"] = encode(".jpg", registration.rectified)
    if not sheet["boxes"] and sheet.get("signature") is None:
        return seen
    measured = measure(registration.rectified, sheet, dpi_out)
    boxes = measured.boxes
    crops = [(f"{b.clause}-{b.answer}", f"box-{b.clause}-{b.answer}.png", b.crop) for b in boxes]
    if measured.signature_crop is not None:
        crops.append(("signature", "signature.png", measured.signature_crop))
    crops += [(f.field, f"field-{f.field}.png", f.crop) for f in measured.fields]
    for key, name, crop in crops:
        seen.images[name] = encode(".png", crop)
        seen.crops[key] = name
    none = np.zeros((0, 0), np.uint8)
    seen.measured = dataclasses.replace(
        measured,
        boxes=[dataclasses.replace(b, crop=none) for b in boxes],
        signature_crop=None,
        fields=[],
    )
    return seen


def encode(ext: str, image: Array) -> bytes:
    """An image as a file's bytes: ".jpg" (quality 85) or ".png"."""
    params = [cv2.IMWRITE_JPEG_QUALITY, 85] if ext == ".jpg" else []
    ok, data = cv2.imencode(ext, image, params)
    if not ok:
        raise OSError(f"cannot encode a {ext} image")
    return bytes(data.tobytes())


def small(gray: Array, long_side: int = 1800) -> Array:
    """The page shrunk to ``long_side`` pixels, for a reviewer to look at."""
    scale = long_side / max(gray.shape[:2])
    if scale >= 1:
        return gray
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
