"""One page for the record, pixels only (also in a worker thread or process): streaks
taken out, the blank check, QR codes, registration and measurement, and the encoded
images a reviewer needs.

Matching a QR text to a form is the caller's (``Instance.verify``, behind the
``identify`` callback): it holds the store, this module does not.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from formgen.scan.blank import is_blank
from formgen.scan.load import PageImage
from formgen.scan.pixels import Array, find_streaks, ink_gray, without_streaks
from formgen.scan.qr import QrHit, find_qr
from formgen.scan.view import is_binary

if TYPE_CHECKING:
    from formgen.scan.measuring import Measurement

KEEP_BYTES = 1_500_000  # a page's own JPEG up to this size is its page image as it is


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
    bilevel: bool = False  # a 1-bit page (fax, black-and-white scan): pencil may be lost
    streaks: int = 0  # scanner streaks taken out
    error: str | None = None  # the page cannot be read: why
    form_id: str | None = None
    page_no: int = 0
    sheet: dict[str, Any] | None = None
    registered: bool = False  # (a page with nothing to read is not registered: True)
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
    who = identify(started.texts)
    if who.error is not None and look_further(started):
        who = identify(started.texts or [])
    return look_finish(started, who, dpi_out)


@dataclass
class Started:
    """A page looked at up to its QR codes: ``texts`` is None when that is all there
    is to it (blank, or no code), else the codes' texts to identify."""

    seen: PageLook
    gray: Array | None = None
    hits: list[QrHit] = field(default_factory=list)
    texts: list[str] | None = None
    small: Array | None = None  # the page halved
    corners_only: bool = False  # ``hits`` are from the corners: the rest not looked at
    encoded: bytes | None = None  # the page's own JPEG, to keep as its image


def look_start(page: PageImage) -> Started:
    """``look`` up to the QR codes, which is all it can do before knowing the form."""
    seen = PageLook(page.source, page.page)
    gray = ink_gray(page.image)
    seen.bilevel = is_binary(gray)
    streaks = find_streaks(gray)
    if streaks:  # lines the scanner drew along the page: not ink on the paper
        gray, seen.streaks = without_streaks(gray, streaks), len(streaks)
    small = cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    # Blank first: a backside can show the QR of its front through the paper.
    if is_blank(small):
        seen.blank = True
        return Started(seen)
    hits = find_qr(gray, small, corners_only=True)
    if not hits:
        seen.error = "no formgen QR code found on this page"
        return Started(seen)
    keep = page.encoded if page.encoded is not None and len(page.encoded) <= KEEP_BYTES else None
    return Started(seen, gray, hits, [hit.text for hit in hits], small, True, keep)


def look_further(started: Started) -> bool:
    """After the codes found in the corners named no form of ours: all codes on the
    page (``started.hits`` and ``texts`` replaced); False when there is nothing more."""
    if not started.corners_only or started.gray is None:
        return False
    started.corners_only = False
    hits = find_qr(started.gray, started.small)
    if [h.text for h in hits] == started.texts:
        return False
    started.hits, started.texts = hits, [h.text for h in hits]
    return True


def look_finish(started: Started, who: Identity, dpi_out: float = 150.0) -> PageLook:
    """The rest of ``look`` once the form is known."""
    seen, gray = started.seen, started.gray
    seen.form_id, seen.error = who.form_id, who.error
    if who.error is not None or who.sheet is None or gray is None:
        return seen
    seen.page_no, seen.sheet = who.page_no, who.sheet
    sheet = who.sheet
    # the page image a reviewer sees: the scan's own JPEG as it came, else upright
    if started.encoded is not None:
        seen.images["page.jpg"] = started.encoded
    if not sheet["boxes"] and sheet.get("signature") is None:
        # nothing on it to read: its code says which page it is, and that is all
        seen.registered = True
        if started.encoded is None:
            seen.images["page.jpg"] = encode(".jpg", small(gray))
        return seen
    # here only: a page with nothing to read needs neither (nor their import)
    from formgen.scan.measuring import measure
    from formgen.scan.registration import register

    registration = register(
        gray, sheet, started.hits[who.hit], dpi_out, started.small, seen.bilevel
    )
    if not registration.ok or registration.view is None:
        if started.encoded is None:
            seen.images["page.jpg"] = encode(".jpg", small(gray))
        seen.reason = registration.reason
        return seen
    seen.registered, seen.residual_mm = True, registration.residual_mm
    if started.encoded is None:
        seen.images["page.jpg"] = encode(".jpg", registration.view.whole())
    measured = measure(registration.view, sheet, dpi_out)
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
    """An image (gray, or RGB as every page here) as a file's bytes: ".jpg" (quality
    85) or ".png"."""
    params = [cv2.IMWRITE_JPEG_QUALITY, 85] if ext == ".jpg" else []
    if image.ndim == 3 and image.shape[2] == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)  # OpenCV writes BGR
    ok, data = cv2.imencode(ext, image, params)
    if not ok:
        raise OSError(f"cannot encode a {ext} image")
    return bytes(data.tobytes())


def small(gray: Array, long_side: int = 1800) -> Array:
    """The page shrunk to ``long_side`` pixels, for a reviewer to look at (nothing is
    measured on it). An area average at a fractional scale cost about 11 ms a page, at
    a whole factor a fraction of that: so first the largest whole factor (every pixel
    averaged in), then bilinear for the rest, a step under two pixels, so that every
    pixel still counts towards one beside it and a thin stroke stays."""
    height, width = gray.shape[:2]
    scale = long_side / max(height, width)
    if scale >= 1:
        return gray
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    whole = int(1 / scale)
    if whole >= 2:
        gray = cv2.resize(gray, (width // whole, height // whole), interpolation=cv2.INTER_AREA)
    return cv2.resize(gray, size, interpolation=cv2.INTER_LINEAR)
