"""Reading signed pages back: load scans, find the QR code, register, measure the ink.

The pixel modules only MEASURE; ``landing`` lands what they found in the record. What
the ink means (a mark, a circled answer, a signature) and what a pair of boxes means
is decided in ``rules/marks.py`` (``read_box``, ``classify_signature``, ``decide_answers``);
matching a QR text to a form is the caller's (``Instance.verify``). ``look`` does all
of it for one page (``readers`` runs it in threads or processes); of the store, only
``landing`` imports anything.

    load          files and pages: regular files only, sniffing, PDF raster (pdfium) or
                  render, strict Pillow, a JPEG's own bytes, page size and shape limits
    pixels        the ink channel, a fast percentile, halving, scanner streaks
    blank         is a page a blank backside
    qr            finding QR codes (zxing-cpp), the corners first
    view          the upright page region by region (warped on demand), rectify
    registration  marks, homography, residuals
    ink           paper, ink and strokes; print (outlines, frames) taken out
    creases       straight lines right across a region (creases, edges, staples)
    measuring     boxes and the writing round them, outlines, signature strokes, crops
    page          one page for the record: look, look_start/look_finish, encode, small
    readers       an import's files planned, and their pages read in threads or processes
    landing       what was read into the record, a few forms to a transaction

The names below are the package's interface; the modules' other names are its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from formgen.errors import ScanInputError
from formgen.scan.blank import is_blank
from formgen.scan.load import (
    MAX_FILE_BYTES,
    MAX_PIXELS,
    RENDER_DPI,
    PageFile,
    PageImage,
    check_file,
    file_sha256,
    load_pages,
)
from formgen.scan.page import (
    Identity,
    PageLook,
    Started,
    encode,
    look,
    look_finish,
    look_further,
    look_start,
    small,
)
from formgen.scan.pixels import MM_PER_INCH, find_streaks, ink_gray, without_streaks
from formgen.scan.qr import QrHit, find_qr
from formgen.scan.view import PAGE_MM, ArrayView, PageView, WarpView, is_binary, rectify

if TYPE_CHECKING:
    from formgen.scan.measuring import (
        BoxReading,
        FieldCrop,
        Measurement,
        SignatureInk,
        layout_offset,
        measure,
    )
    from formgen.scan.registration import (
        MAX_LAYOUT_OFFSET_MM,
        MAX_RESIDUAL_MM,
        Registration,
        qr_symbol_mm,
        register,
    )

# Imported on first use: a page with nothing to read (page 1, a blank backside) needs
# neither registration nor measuring, so neither does a command that reads only such.
_LAZY = {
    **dict.fromkeys(
        ("BoxReading", "FieldCrop", "Measurement", "SignatureInk", "layout_offset", "measure"),
        "formgen.scan.measuring",
    ),
    **dict.fromkeys(
        ("MAX_LAYOUT_OFFSET_MM", "MAX_RESIDUAL_MM", "Registration", "qr_symbol_mm", "register"),
        "formgen.scan.registration",
    ),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'formgen.scan' has no attribute {name!r}")


__all__ = [
    "MAX_FILE_BYTES",
    "MAX_LAYOUT_OFFSET_MM",
    "MAX_PIXELS",
    "MAX_RESIDUAL_MM",
    "MM_PER_INCH",
    "PAGE_MM",
    "RENDER_DPI",
    "ArrayView",
    "BoxReading",
    "FieldCrop",
    "Identity",
    "Measurement",
    "PageFile",
    "PageImage",
    "PageLook",
    "PageView",
    "QrHit",
    "Registration",
    "ScanInputError",
    "SignatureInk",
    "Started",
    "WarpView",
    "check_file",
    "encode",
    "file_sha256",
    "find_qr",
    "find_streaks",
    "ink_gray",
    "is_binary",
    "is_blank",
    "layout_offset",
    "load_pages",
    "look",
    "look_finish",
    "look_further",
    "look_start",
    "measure",
    "qr_symbol_mm",
    "rectify",
    "register",
    "small",
    "without_streaks",
]
