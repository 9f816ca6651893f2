"""Reading signed pages back: load scans, find the QR code, register, measure the ink.

This package only MEASURES. Which ink cover counts as a mark, and what a pair of boxes
means, is decided in ``rules.py`` (``classify_mark``, ``decide_pair``); matching a QR
text to a form is the caller's (``Instance.verify``). ``look`` does all of it for one
page, and ``page_worker`` does it in a worker process: this package imports nothing of
the store, so such a process starts quickly and small.

    load          files and pages: regular files only, sniffing, PDF raster or render,
                  strict Pillow, page size and shape limits
    pixels        the ink channel, a fast percentile, halving (shared by all below)
    blank         is a page a blank backside
    qr            finding QR codes (zxing-cpp)
    registration  marks, homography, residuals, rectify
    measuring     boxes, outlines, signature, crops
    page          one page for the record: look, look_start/look_finish, encode, small
    worker        page_worker, PageFailure

The names below are the package's interface; the modules' other names are its own.
"""

from __future__ import annotations

from ..errors import ScanInputError
from .blank import is_blank
from .load import (
    MAX_FILE_BYTES,
    MAX_PIXELS,
    RENDER_DPI,
    PageFile,
    PageImage,
    check_file,
    file_sha256,
    load_pages,
)
from .measuring import BoxReading, FieldCrop, Measurement, layout_offset, measure
from .page import Identity, PageLook, Started, encode, look, look_finish, look_start, small
from .pixels import MM_PER_INCH, ink_gray
from .qr import QrHit, find_qr
from .registration import (
    MAX_LAYOUT_OFFSET_MM,
    MAX_RESIDUAL_MM,
    PAGE_MM,
    Registration,
    is_binary,
    qr_symbol_mm,
    rectify,
    register,
)
from .worker import WORKER_PARKED, PageFailure, page_worker

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_LAYOUT_OFFSET_MM",
    "MAX_PIXELS",
    "MAX_RESIDUAL_MM",
    "MM_PER_INCH",
    "PAGE_MM",
    "RENDER_DPI",
    "WORKER_PARKED",
    "BoxReading",
    "FieldCrop",
    "Identity",
    "Measurement",
    "PageFailure",
    "PageFile",
    "PageImage",
    "PageLook",
    "QrHit",
    "Registration",
    "ScanInputError",
    "Started",
    "check_file",
    "encode",
    "file_sha256",
    "find_qr",
    "ink_gray",
    "is_binary",
    "is_blank",
    "layout_offset",
    "load_pages",
    "look",
    "look_finish",
    "look_start",
    "measure",
    "page_worker",
    "qr_symbol_mm",
    "rectify",
    "register",
    "small",
]
