"""Reading signed pages back: load scans, find the QR code, register, measure the ink.

This module only MEASURES. Which ink cover counts as a mark, and what a pair of boxes
means, is decided in ``rules.py`` (``classify_mark``, ``decide_pair``); matching a QR
text to a form is the caller's (``Instance.verify``). ``look`` does all of it for one
page, and ``page_worker`` does it in a worker process: this module imports nothing of
the store, so such a process starts quickly and small. Coordinates in a layout are
millimetres from the page's top-left corner; image coordinates are OpenCV's (pixel
centres at integers). A homography ``H`` maps layout millimetres to image pixels.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import itertools
import math
import struct
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import zxingcpp
from numpy.typing import NDArray
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

Array = NDArray[Any]
MM_PER_INCH = 25.4
PAGE_MM = (210.0, 297.0)

MAX_PIXELS = 80_000_000  # per page: far above any sensible scan, far below a memory bomb
RENDER_DPI = 200.0  # vector (or mixed) PDF pages are rendered, not scanned
ORIENTATION_TAG = 0x0112  # EXIF: how a camera stored the picture (1 = as is)
QR_LONG_SIDE = 1170  # decode QR codes at 100-200 dpi on A4 (3+ px per module): fast, sharp

# Registration
MARK_DIAMETER_MM = 6.0
MARK_WINDOW_MM = (10.0, 22.0, 40.0)  # search half-widths, tried in turn
MIN_MARKS = 3
MAX_RESIDUAL_MM = 0.6  # good pages show <= 0.3 mm; a moved mark shows more
MAX_LAYOUT_OFFSET_MM = 0.7  # printed boxes vs. registration: good pages show <= 0.25 mm
BINARY_SMOOTH = 0.5  # a 1-bit page is blurred by this many output pixels (sigma) first

# Measurement
BOX_INSET_MM = 1.0  # interior = outline's outer edge moved in by this (border is 0.45 mm)
BOX_BORDER_MM = 0.45
BOX_SEARCH_MM = 1.6  # how far the printed outline may sit from where registration says
OUTLINE_SEEN = 0.35  # share of full darkness the outline must show to count as found
SIG_INSET_MM = 1.0
SIG_BORDER_MM = 0.35
INK_DARKER = 0.09  # a pixel is ink when it is this much darker than the local paper
DUST_MM = 0.8  # ink narrower than this (bounding box) or smaller than DUST_AREA_MM2 is dust
DUST_AREA_MM2 = 0.16
BOX_SPECK_MM2 = 0.8  # in a box, compact ink (area below this and span below BOX_SPECK_MM)
BOX_SPECK_MM = 1.5  # is a speck or a stray dot, not a mark
SIGNATURE_UNSIGNED = 0.002  # signature ink below: no signature; above SIGNED: signed
SIGNATURE_SIGNED = 0.006
SIGNATURE_MIN_SPAN_MM = 8.0  # a signature is wider than this; a smudge is not
CROP_MARGIN_MM = 2.0


class ScanInputError(Exception):
    """A file formgen cannot read as a scan; the message is one line for the user."""


# --- Loading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PageImage:
    source: str
    page: int  # 1-based within the file
    image: Array  # uint8, HxW gray or HxWx3 RGB
    dpi: float | None  # None when the file does not say


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sniff(head: bytes) -> str | None:
    """File type from magic bytes: a renamed file must not be trusted by its extension."""
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return None


def load_pages(path: Path) -> Iterator[PageImage]:
    """Every page of a PDF or image file (multi-page TIFF too), in file order.

    Raises ScanInputError (also part-way, for a broken later page) for anything that
    is not a readable, unencrypted PDF or a PNG/JPEG/TIFF of sane size."""
    with PageFile(path) as pages:
        for index in range(pages.count):
            yield pages.page(index)


class PageFile:
    """A scan file opened once, its pages loaded on demand and in any order: what a
    worker process needs to read some of the pages of a file it opened itself.

    ``count`` pages; ``page(index)`` (0-based) loads one. Opening raises ScanInputError
    for anything that is not a readable, unencrypted PDF or a PNG/JPEG/TIFF; ``page``
    raises it for a broken page. A PDF is read from the file as needed, not held in
    memory whole."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.count = 0
        self._image: Image.Image | None = None
        self._handle: Any = None
        self._reader: Any = None
        self._document: Any = None
        try:
            with self.path.open("rb") as handle:
                head = handle.read(1024)
        except OSError as exc:
            raise ScanInputError(f"cannot read {self.path.name}: {exc.strerror or exc}") from exc
        if not head:
            raise ScanInputError(f"{self.path.name} is empty")
        kind = _sniff(head)
        if kind is None:
            raise ScanInputError(f"{self.path.name} is not a PDF or an image (PNG, JPEG, TIFF)")
        try:
            if kind == "pdf":
                self._open_pdf()
            else:
                self._open_image()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> PageFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for closing in (self._image, self._document, self._handle):
            if closing is not None:
                closing.close()
        self._image = self._document = self._handle = self._reader = None

    def page(self, index: int) -> PageImage:
        if not 0 <= index < self.count:
            raise IndexError(f"{self.path.name} has no page {index + 1}")
        if self._reader is not None:
            return self._pdf_page(index)
        return self._image_page(index)

    def _open_image(self) -> None:
        name = self.path.name
        try:
            with _strict_pillow():
                self._image = Image.open(self.path)
                self.count = getattr(self._image, "n_frames", 1)
        except _BOMB as exc:
            raise ScanInputError(f"{name}: image too large (decompression bomb?)") from exc
        except _BROKEN as exc:
            raise ScanInputError(f"{name}: corrupt image ({_brief(exc)})") from exc

    def _image_page(self, index: int) -> PageImage:
        image = self._image
        assert image is not None
        where = f"{self.path.name} page {index + 1}"
        try:
            with _strict_pillow():
                image.seek(index)
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ScanInputError(f"{where}: {width}x{height} pixels is too large")
                image.load()
                array, dpi = _from_pil(image)
        except _BOMB as exc:
            raise ScanInputError(f"{where}: image too large (decompression bomb?)") from exc
        except _BROKEN as exc:
            raise ScanInputError(f"{where}: corrupt or truncated image ({_brief(exc)})") from exc
        return PageImage(str(self.path), index + 1, array, dpi)

    def _open_pdf(self) -> None:
        import pypdf

        name = self.path.name
        try:
            self._handle = self.path.open("rb")
            size = self._handle.seek(0, io.SEEK_END)
            self._handle.seek(max(0, size - 2048))
            tail = self._handle.read()
        except OSError as exc:
            raise ScanInputError(f"cannot read {name}: {exc.strerror or exc}") from exc
        # A scan cut off in transfer still parses (both libraries repair xrefs) but loses
        # pages silently; every complete PDF ends with %%EOF.
        if b"%%EOF" not in tail:
            raise ScanInputError(f"{name}: truncated PDF (no end-of-file marker)")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pypdf warns about repairable oddities
                self._handle.seek(0)
                reader = pypdf.PdfReader(self._handle)
                encrypted = reader.is_encrypted
                count = None if encrypted else len(reader.pages)
        except Exception as exc:  # untrusted input: any parser failure is "corrupt"
            raise ScanInputError(f"{name}: corrupt PDF ({_brief(exc)})") from exc
        if encrypted:
            raise ScanInputError(f"{name}: encrypted PDF; save it without a password")
        if not count:
            raise ScanInputError(f"{name}: PDF without pages")
        self._reader, self.count = reader, count

    def _pdf_page(self, index: int) -> PageImage:
        import pypdfium2 as pdfium

        name = self.path.name
        found: tuple[Array, float] | None = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = _pdf_raster(self._reader.pages[index])
        except ScanInputError as exc:
            raise ScanInputError(f"{name} page {index + 1}: {exc}") from exc
        except Exception:
            found = None  # unusual image encoding (JBIG2 ...): let pdfium render it
        if found is None:
            if self._document is None:
                try:
                    self._document = pdfium.PdfDocument(str(self.path))
                except Exception as exc:
                    raise ScanInputError(f"{name}: corrupt PDF ({_brief(exc)})") from exc
            found = _pdf_render(self._document, index, name)
        return PageImage(str(self.path), index + 1, found[0], found[1])


@contextmanager
def _strict_pillow() -> Iterator[None]:
    """Pillow as a scan reader needs it: the bomb warning (89-179 MP) is an error, and a
    truncated file fails instead of loading gray (WeasyPrint, imported by the same
    process, switches ``LOAD_TRUNCATED_IMAGES`` on for everyone)."""
    truncated = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated


_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)
_BROKEN = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error)


def _from_pil(image: Image.Image) -> tuple[Array, float | None]:
    dpi_info = image.info.get("dpi")
    oriented = image
    if image.getexif().get(ORIENTATION_TAG, 1) != 1:  # phone photos are stored sideways
        oriented = ImageOps.exif_transpose(image)  # (always a copy: only when needed)
    if oriented.mode in ("RGBA", "LA", "PA") or (
        oriented.mode == "P" and "transparency" in oriented.info
    ):
        rgba = oriented.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        oriented = Image.alpha_composite(paper, rgba)
    if oriented.mode in ("1", "L", "I;16", "I;16B", "I;16L", "I", "F"):
        if oriented.mode in ("1", "L"):
            array = np.asarray(oriented if oriented.mode == "L" else oriented.convert("L"))
        else:  # 16-bit or float gray: scale by its own range
            raw = np.asarray(oriented, dtype=np.float64)
            top = 65535.0 if raw.max() > 255 else 255.0
            array = np.clip(raw * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)
    else:
        array = np.asarray(oriented if oriented.mode == "RGB" else oriented.convert("RGB"))
    dpi: float | None = None
    if dpi_info:
        try:
            value = float(np.mean([float(v) for v in dpi_info]))
        except (TypeError, ValueError):
            value = 0.0
        dpi = value if 100.0 <= value <= 2400.0 else None  # 72: a phone's placeholder
    return np.ascontiguousarray(array), dpi


def _brief(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]


# Operators that paint something other than an image: such a page is rendered.
_PAINT_OPS = frozenset(b"f F f* S s B B* b b* sh BI".split()) | {b"INLINE IMAGE"}


def _pdf_raster(page: Any) -> tuple[Array, float] | None:
    """The page's one raster image when it covers the page (scanner output), taken
    as stored; None when the page is anything else and must be rendered."""
    from pypdf.generic import ContentStream

    contents = page.get_contents()
    xobjects = page.get("/Resources", {}).get("/XObject", {})
    if contents is None or not xobjects:
        return None
    raw = contents.get_data()
    if len(raw) > 200_000:  # a big content stream is a drawn page, not a scan
        return None
    ctm = np.eye(3)
    stack: list[Array] = []
    drawn: list[tuple[Any, Array]] = []
    for operands, operator in ContentStream(contents, page.pdf).operations:
        if operator == b"q":
            stack.append(ctm.copy())
        elif operator == b"Q":
            ctm = stack.pop() if stack else np.eye(3)
        elif operator == b"cm":
            a, b, c, d, e, f = (float(v) for v in operands)
            ctm = np.array([[a, b, 0.0], [c, d, 0.0], [e, f, 1.0]]) @ ctm
        elif operator == b"Do":
            xobject = xobjects[operands[0]].get_object()
            if xobject.get("/Subtype") != "/Image" or drawn:
                return None
            drawn.append((xobject, ctm.copy()))
        elif operator in _PAINT_OPS:
            return None
    if len(drawn) != 1:
        return None
    xobject, ctm = drawn[0]
    a, b, c, d, e, f = ctm[0, 0], ctm[0, 1], ctm[1, 0], ctm[1, 1], ctm[2, 0], ctm[2, 1]
    box = [float(v) for v in page.mediabox]
    page_w, page_h = box[2] - box[0], box[3] - box[1]
    # Only the plain placement (upright, not mirrored) is taken as is; anything else
    # is rare enough to render.
    if abs(b) > 1e-6 or abs(c) > 1e-6 or a <= 0 or d <= 0:
        return None
    if a < 0.95 * page_w or d < 0.95 * page_h:
        return None
    if e > box[0] + 0.05 * page_w or f > box[1] + 0.05 * page_h:
        return None
    width, height = int(xobject["/Width"]), int(xobject["/Height"])
    if width * height > MAX_PIXELS:
        raise ScanInputError(f"{width}x{height} pixel image is too large")
    with _strict_pillow():
        if xobject.get("/Filter") in ("/DCTDecode", ["/DCTDecode"]):
            # a JPEG as the scanner wrote it: decode once (pypdf would re-encode it)
            pil = Image.open(io.BytesIO(xobject.get_data()))
        else:
            pil = xobject.decode_as_image()
        array, _ = _from_pil(pil)
    if array.shape[1] != width or array.shape[0] != height:
        return None
    rotate = int(page.get("/Rotate", 0) or 0) % 360
    if rotate:
        array = np.ascontiguousarray(np.rot90(array, k=-(rotate // 90)))
    dpi = (width / (a / 72.0) + height / (d / 72.0)) / 2.0
    return array, float(dpi)


def _pdf_render(document: Any, index: int, name: str) -> tuple[Array, float]:
    page = document[index]
    try:
        width, height = page.get_size()
        if width * height * (RENDER_DPI / 72.0) ** 2 > MAX_PIXELS:
            raise ScanInputError(f"{name} page {index + 1}: page too large to render")
        bitmap = page.render(scale=RENDER_DPI / 72.0, grayscale=True)
        array = bitmap.to_numpy()
    except ScanInputError:
        raise
    except Exception as exc:
        raise ScanInputError(f"{name} page {index + 1}: cannot render ({_brief(exc)})") from exc
    finally:
        page.close()
    if array.ndim == 3:
        array = array[..., 0] if array.shape[2] == 1 else cv2.cvtColor(array, cv2.COLOR_BGR2GRAY)
    return np.ascontiguousarray(array), RENDER_DPI


# --- Pixels -----------------------------------------------------------------------------


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


def is_blank(gray: Array) -> bool:
    """A blank backside (dust, speckle, faint show-through) rather than a page with
    print on it: count clearly dark pixels against the local paper on a ~50 dpi
    thumbnail, where dust and speckle average away."""
    small, _ = _halve(ink_gray(gray), 580)  # 50-100 dpi for A4
    sh, sw = small.shape
    my, mx = max(1, sh // 50), max(1, sw // 50)  # scanner edge shadows are not content
    small = small[my : sh - my, mx : sw - mx]
    if small.size == 0:
        return True
    paper = cv2.dilate(small, np.ones((15, 15), np.uint8))  # local white, print removed
    dark = cv2.subtract(paper, small)
    # ink: darker than the paper by over a third of it (show-through stays lighter)
    ink = ((dark.astype(np.uint16) * 3 > paper) * 255).astype(np.uint8)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # lone specks
    if cv2.countNonZero(ink) < 0.0004 * small.size:
        return True
    # A phone photo shows the sheet on a darker table, whose edge reads as ink: look
    # only inside the sheet, well away from its edge.
    sheet = _sheet_mask(small)
    if sheet is None:
        return False
    return cv2.countNonZero(cv2.bitwise_and(ink, sheet)) < 0.0004 * cv2.countNonZero(sheet)


def _sheet_mask(small: Array) -> Array | None:
    """The inside of the one bright sheet in a photo (None when the picture is not a
    sheet on a darker background, as in any scan)."""
    rim = np.concatenate([small[0], small[-1], small[:, 0], small[:, -1]])
    if _percentile(rim, 25) > 0.75 * _percentile(small, 90):  # paper all round: a scan
        return None
    _, bright = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    if count < 2:
        return None
    biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    share = stats[biggest, cv2.CC_STAT_AREA] / small.size
    if not 0.15 < share < 0.95:
        return None
    # The sheet's outline, print included: the convex hull of its outer contour.
    outline, _ = cv2.findContours(
        (labels == biggest).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    mask = np.zeros_like(small)
    cv2.fillConvexPoly(mask, cv2.convexHull(max(outline, key=len)), 255)
    margin = max(2, min(small.shape) // 100)  # ~2 mm: the registration marks sit at 4 mm
    return cv2.erode(mask, np.ones((2 * margin + 1, 2 * margin + 1), np.uint8))


# --- QR codes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QrHit:
    text: str
    corners: Array  # (4, 2) image px: symbol's top-left, top-right, bottom-right, bottom-left
    modules: int = 25  # symbol size without quiet zone (version * 4 + 17)


def _halve(image: Array, min_side: int) -> tuple[Array, int]:
    """Area-average by 2 while the long side stays >= min_side: OpenCV's 2x path is
    ten times faster than any other factor. Returns the image and the total factor."""
    k = 1
    while max(image.shape[:2]) // 2 >= min_side:
        image = cv2.resize(image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        k *= 2
    return image, k


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


# --- Registration -----------------------------------------------------------------------


@dataclass
class Registration:
    ok: bool
    reason: str | None  # why not ok, for the reviewer
    H: Array | None  # 3x3, layout mm -> image px (the best available, also when not ok)
    residual_mm: float  # largest distance between a fitted point and where H puts it
    rectified: Array | None  # upright page at dpi_out, ink gray (None when not ok)
    dpi_out: float = 150.0
    marks: dict[str, tuple[float, float]] = field(default_factory=dict)  # found, image px
    residuals_mm: dict[str, float] = field(default_factory=dict)  # per fitted point


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
    lo, hi = _percentile(window, 1), _percentile(window, 90)
    if hi - lo < max(40.0, 0.45 * hi):  # no black disc (painted over, or show-through)
        return None
    _, binary = cv2.threshold(window, (lo + hi) / 2.0, 255, cv2.THRESH_BINARY_INV)
    n, _, stats, centroids = cv2.connectedComponentsWithStats(binary, connectivity=8)
    predicted = _project(H, np.array([centre_mm]))[0] - (x0, y0)
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
        if bx == 0 or by == 0 or bx + bw >= x1 - x0 or by + bh >= y1 - y0:
            continue  # cut by the window (or the image edge): centroid would be biased
        distance = float(np.hypot(*(centroids[i] - predicted)))
        if distance < best_distance:
            best, best_distance = centroids[i] + (x0, y0), distance
    return best


def register(
    gray: Array, layout_page: Mapping[str, Any], qr: QrHit, dpi_out: float = 150.0
) -> Registration:
    """Map the layout onto the image: coarse from the QR symbol's corners, then the
    four corner discs found one by one (nearest first, refitting after each), a
    least-squares fit over all points, and a residual check.

    Four marks give a homography (any perspective). With three, the fit is affine:
    three marks and a QR code cannot tell a perspective from a mark in the wrong
    place, so a phone photo with a mark missing goes to review rather than risk it."""
    gray = ink_gray(gray)
    qr_mm = qr_symbol_mm(layout_page, qr.modules)
    H = _fit(list(qr_mm), list(qr.corners), perspective=False)
    if H is None or not _plausible(H, qr_mm):
        return Registration(False, "QR code geometry is implausible", H, math.inf, None, dpi_out)
    marks_mm = {m["mark"]: _centre(m["rect_mm"]) for m in layout_page["marks"]}
    qr_centre = qr_mm.mean(axis=0)
    order = sorted(marks_mm, key=lambda n: float(np.hypot(*(np.array(marks_mm[n]) - qr_centre))))
    found: dict[str, tuple[float, float]] = {}
    for name in order:
        hit = None
        for window in MARK_WINDOW_MM:
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
    if len(found) < MIN_MARKS:
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
    reason, fitted, worst, residuals = "", H, math.inf, {}
    for trial, trial_res in _fits(qr_mm, qr.corners, marks_mm, found):
        trial_worst = max(trial_res.values())
        if trial_worst > MAX_RESIDUAL_MM:
            where = max(trial_res, key=trial_res.__getitem__)
            failure = f"registration marks disagree by {trial_worst:.2f} mm ({where})"
        else:
            rectified = rectify(gray, trial, dpi_out)
            offset = layout_offset(rectified, layout_page, dpi_out)
            if offset <= MAX_LAYOUT_OFFSET_MM:
                return Registration(
                    True, None, trial, trial_worst, rectified, dpi_out, found, trial_res
                )
            what = "not found" if math.isinf(offset) else f"{offset:.2f} mm away"
            failure = f"printed boxes {what} where the registration marks put them"
        if not reason:
            reason, fitted, worst, residuals = failure, trial, trial_worst, trial_res
    return Registration(False, reason, fitted, worst, None, dpi_out, found, residuals)


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


def is_binary(gray: Array) -> bool:
    """A 1-bit scan (only black and white), judged from a sample of its pixels."""
    sample = gray[::7, ::7]
    counts = np.bincount(sample.ravel(), minlength=256)
    return int(counts[1:255].sum()) == 0 and counts[0] > 0


def rectify(gray: Array, H: Array, dpi_out: float = 150.0) -> Array:
    """The page warped upright at dpi_out (one warp; pre-shrunk when the source is
    much finer, so thin strokes are averaged rather than skipped)."""
    k = MM_PER_INCH / dpi_out
    size = (round(PAGE_MM[0] / k), round(PAGE_MM[1] / k))
    # output pixel centre (u, v) is at ((u + 0.5) k, (v + 0.5) k) mm
    to_mm = np.array([[k, 0.0, 0.5 * k], [0.0, k, 0.5 * k], [0.0, 0.0, 1.0]])
    source = gray
    jac = _jacobian(H, (PAGE_MM[0] / 2, PAGE_MM[1] / 2))
    ratio = math.sqrt(abs(float(np.linalg.det(jac)))) * k
    M = H @ to_mm
    if is_binary(gray):
        # A 1-bit scan has no gray: a light stroke survives as scattered black dots
        # (dithering, or graphite grain at the threshold), which point sampling would
        # drop or turn into dust. Averaging over about an output pixel gives them back
        # as the gray a person sees; solid strokes and dust stay solid and dark.
        source = cv2.GaussianBlur(gray, (0, 0), BINARY_SMOOTH * max(ratio, 1.0))
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


# --- Measuring --------------------------------------------------------------------------


@dataclass
class BoxReading:
    clause: str
    answer: str  # "yes" | "no"
    ink: float  # 0..1 cover of the interior; compare with rules.Thresholds
    shift_mm: tuple[float, float]  # where the printed outline was found vs. the layout
    outline: bool  # the printed outline was found: False = do not trust ``ink``
    crop: Array  # the box and ~2 mm around it, for a reviewer


@dataclass
class FieldCrop:
    field: str
    crop: Array


@dataclass
class Measurement:
    boxes: list[BoxReading]
    signature_ink: float | None  # None: the page has no signature field
    signed: bool | None  # None: uncertain (or no signature field on this page)
    signature_crop: Array | None
    fields: list[FieldCrop]
    problems: list[str] = field(default_factory=list)  # any entry: a person must look

    def ink(self, clause: str, answer: str) -> float:
        return next(b.ink for b in self.boxes if b.clause == clause and b.answer == answer)


def _px(mm: float, px_mm: float) -> float:
    """Layout mm to the rectified image's pixel-centre coordinate."""
    return mm * px_mm - 0.5


def _crop(image: Array, rect: Sequence[float], px_mm: float, margin_mm: float) -> Array:
    x, y, w, h = rect
    height, width = image.shape[:2]
    x0 = max(0, math.floor(_px(x - margin_mm, px_mm)))
    y0 = max(0, math.floor(_px(y - margin_mm, px_mm)))
    x1 = min(width, math.ceil(_px(x + w + margin_mm, px_mm)) + 1)
    y1 = min(height, math.ceil(_px(y + h + margin_mm, px_mm)) + 1)
    return image[y0:y1, x0:x1].copy()


def _interior(rect: Sequence[float], inset: float, px_mm: float) -> tuple[int, int, int, int]:
    """Pixel slice bounds (y0, y1, x0, x1) of the pixels whose centres lie in the rect
    moved in by ``inset`` mm on every side."""
    x, y, w, h = rect
    x0 = math.ceil(_px(x + inset, px_mm))
    x1 = math.floor(_px(x + w - inset, px_mm)) + 1
    y0 = math.ceil(_px(y + inset, px_mm))
    y1 = math.floor(_px(y + h - inset, px_mm)) + 1
    return y0, y1, x0, x1


def _outline_template(w_px: int, h_px: int, border_px: int, band_px: int) -> Array:
    """+1 on the printed border, -1 on a band of paper just outside it: peaks where
    the outline is, also when the box is filled in."""
    t = np.full((h_px + 2 * band_px, w_px + 2 * band_px), -1.0, np.float32)
    t[band_px:-band_px, band_px:-band_px] = 1.0
    inner = band_px + border_px
    t[inner:-inner, inner:-inner] = 0.0
    return t


@dataclass(frozen=True)
class _Outline:
    dx: float  # mm from the layout's position to the printed outline
    dy: float
    seen: bool  # the border is dark where it was found
    clean: bool  # paper around it, so the position is measured, not guessed (no fill)


def _locate_outline(
    dark: Array, rect: Sequence[float], border_mm: float, px_mm: float, search_mm: float
) -> _Outline:
    """The printed outline near the layout's: absorbs what registration left over so
    the inset stays clear of the border, and checks the registration where it counts."""
    x, y, w, h = rect
    band = max(1, round(0.5 * px_mm))
    border = max(1, round(border_mm * px_mm))
    w_px, h_px = max(3, round(w * px_mm)), max(3, round(h * px_mm))
    template = _outline_template(w_px, h_px, border, band)
    search = max(1, round(search_mm * px_mm))
    x0 = round(x * px_mm) - band - search
    y0 = round(y * px_mm) - band - search
    x1 = x0 + template.shape[1] + 2 * search
    y1 = y0 + template.shape[0] + 2 * search
    height, width = dark.shape
    if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
        return _Outline(0.0, 0.0, False, False)
    window = dark[y0:y1, x0:x1]
    score = cv2.matchTemplate(window, template, cv2.TM_CCORR)
    _, best, _, (bx, by) = cv2.minMaxLoc(score)
    if score[search, search] >= 0.97 * best:  # marginal gain: a stroke along one side
        bx, by = search, search
    patch = window[by : by + template.shape[0], bx : bx + template.shape[1]]
    on_border = float(patch[template > 0].mean()) / 255.0
    around = float(patch[template < 0].mean()) / 255.0
    return _Outline(
        (bx - search) / px_mm, (by - search) / px_mm, on_border >= OUTLINE_SEEN, around < 0.2
    )


def _paper_and_dark(region: Array) -> tuple[float, Array]:
    white = _percentile(region, 90)
    dark = np.clip(white - region.astype(np.float32), 0.0, 255.0) * (255.0 / max(white, 1.0))
    return white, dark


def _ink_mask(dark: Array) -> Array:
    return (dark > INK_DARKER * 255.0).astype(np.uint8)


def _components(mask: Array) -> tuple[Array, Array, Array]:
    """Labels, areas and spans (longer bounding-box side) of 8-connected ink."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    span = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    return labels, stats[:, cv2.CC_STAT_AREA], span


def _keep(mask: Array, keep: Array, labels: Array) -> Array:
    keep[0] = False
    return keep[labels].astype(np.uint8)


def _box_dark(ink: Array, rect: Sequence[float], px_mm: float) -> tuple[Array, list[float]]:
    """Darkness (0..255 relative to the local paper) around a box, and the box's rect in
    that region's own mm coordinates."""
    x, y, w, h = rect
    margin = 3.0
    y0 = max(0, math.floor(_px(y - margin, px_mm)))
    x0 = max(0, math.floor(_px(x - margin, px_mm)))
    y1 = min(ink.shape[0], math.ceil(_px(y + h + margin, px_mm)) + 1)
    x1 = min(ink.shape[1], math.ceil(_px(x + w + margin, px_mm)) + 1)
    _, dark = _paper_and_dark(ink[y0:y1, x0:x1])
    return dark, [x - x0 / px_mm, y - y0 / px_mm, w, h]


def _measure_box(
    view: Array,
    box: Mapping[str, Any],
    px_mm: float,
    located: tuple[_Outline, Array, list[float]],
    fallback: tuple[float, float],
) -> BoxReading:
    x, y, w, h = box["rect_mm"]
    outline, dark, local = located
    # inked all around (a fill): its position is a guess; the clean boxes' shift is not
    dx, dy = (outline.dx, outline.dy) if outline.clean else fallback
    moved = [local[0] + dx, local[1] + dy, w, h]
    iy0, iy1, ix0, ix1 = _interior(moved, BOX_INSET_MM, px_mm)
    inside = dark[max(iy0, 0) : iy1, max(ix0, 0) : ix1]
    if inside.size == 0:
        value = 0.0
    else:
        mask = _ink_mask(inside)
        # a speck must be both small and compact: a short stroke stays however small
        labels, area, span = _components(mask)
        big = (area >= BOX_SPECK_MM2 * px_mm * px_mm) | (span >= BOX_SPECK_MM * px_mm)
        mask = _keep(mask, big & (area >= DUST_AREA_MM2 * px_mm * px_mm), labels)
        value = float(np.count_nonzero(mask)) / float(inside.size)
    crop = _crop(view, [x + dx, y + dy, w, h], px_mm, CROP_MARGIN_MM)
    return BoxReading(box["clause"], box["answer"], round(value, 4), (dx, dy), outline.seen, crop)


def _outlines(
    ink: Array, layout_page: Mapping[str, Any], px_mm: float
) -> list[tuple[_Outline, Array, list[float]]]:
    """Each box's outline, with its darkness map and local rect for measuring."""
    found = []
    for box in layout_page.get("boxes", []):
        dark, local = _box_dark(ink, box["rect_mm"], px_mm)
        outline = _locate_outline(dark, local, BOX_BORDER_MM, px_mm, BOX_SEARCH_MM)
        found.append((outline, dark, local))
    return found


def _typical_shift(outlines: list[_Outline]) -> tuple[float, float]:
    clean = [(o.dx, o.dy) for o in outlines if o.clean and o.seen]  # fills give no position
    if not clean:
        return 0.0, 0.0
    dx, dy = np.median(np.array(clean), axis=0)
    return float(dx), float(dy)


def layout_offset(rectified: Array, layout_page: Mapping[str, Any], dpi_out: float) -> float:
    """How far (mm) the printed boxes and signature frame lie from where the layout
    puts them on a rectified page; inf when one is missing or none is measurable.
    Independent of the registration marks, so it catches a fit the marks and the QR
    code agree on wrongly (they have little leverage at the middle of the page)."""
    px_mm = dpi_out / MM_PER_INCH
    ink = ink_gray(rectified)
    outlines = [outline for outline, _, _ in _outlines(ink, layout_page, px_mm)]
    if not all(o.seen for o in outlines):
        return math.inf
    offsets = [math.hypot(o.dx, o.dy) for o in outlines if o.clean]
    signature = layout_page.get("signature")
    if signature:
        rect = signature["rect_mm"]
        frame, found = _locate_frame(ink, rect, SIG_BORDER_MM, px_mm, BOX_SEARCH_MM)
        if not found:
            return math.inf
        offsets.append(max(abs(a - b) for a, b in zip(_edges(frame), _edges(rect), strict=True)))
    if not offsets:
        return math.inf if outlines else 0.0
    return max(offsets)


def _edges(rect: Sequence[float]) -> tuple[float, float, float, float]:
    x, y, w, h = rect
    return x, y, x + w, y + h


def _locate_frame(
    ink: Array, rect: Sequence[float], border_mm: float, px_mm: float, search_mm: float
) -> tuple[list[float], bool]:
    """The printed frame's rect (mm) near the layout's, edge by edge from darkness
    profiles: a frame line spans the whole side, a pen stroke does not."""
    x, y, w, h = rect
    pad = search_mm + border_mm + 0.5
    y0 = max(0, math.floor(_px(y - pad, px_mm)))
    x0 = max(0, math.floor(_px(x - pad, px_mm)))
    y1 = min(ink.shape[0], math.ceil(_px(y + h + pad, px_mm)) + 1)
    x1 = min(ink.shape[1], math.ceil(_px(x + w + pad, px_mm)) + 1)
    region = ink[y0:y1, x0:x1]
    if region.size == 0:
        return list(rect), False
    _, dark = _paper_and_dark(region)
    edges = []
    seen = 0
    # columns are profiled over the middle of the height (corners belong to both)
    for axis, lo, length, origin in ((0, x, w, x0), (1, y, h, y0)):
        other_lo, other_len, other_origin = (y, h, y0) if axis == 0 else (x, w, x0)
        a = max(0, round(_px(other_lo + 0.2 * other_len, px_mm)) - other_origin)
        b = max(a + 1, round(_px(other_lo + 0.8 * other_len, px_mm)) - other_origin)
        band = dark[a:b, :] if axis == 0 else dark[:, a:b]
        profile = band.mean(axis=0 if axis == 0 else 1)
        for centre_mm in (lo + border_mm / 2, lo + length - border_mm / 2):
            c = _px(centre_mm, px_mm) - origin
            r = search_mm * px_mm
            i0, i1 = max(0, math.floor(c - r)), min(len(profile), math.ceil(c + r) + 1)
            if i1 <= i0:
                edges.append(centre_mm)
                continue
            i = i0 + int(np.argmax(profile[i0:i1]))
            visible = profile[i] > OUTLINE_SEEN * 255.0
            seen += visible
            edges.append((i + origin + 0.5) / px_mm if visible else centre_mm)
    left, right, top, bottom = edges
    frame = [left - border_mm / 2, top - border_mm / 2, right - left + border_mm]
    return [*frame, bottom - top + border_mm], seen == 4


def _measure_signature(
    ink: Array, view: Array, rect: Sequence[float], px_mm: float
) -> tuple[float, bool | None, Array, bool]:
    crop = _crop(view, rect, px_mm, CROP_MARGIN_MM)
    frame, found = _locate_frame(ink, rect, SIG_BORDER_MM, px_mm, BOX_SEARCH_MM)
    iy0, iy1, ix0, ix1 = _interior(frame, SIG_INSET_MM, px_mm)
    iy0, ix0 = max(iy0, 0), max(ix0, 0)
    region = ink[iy0:iy1, ix0:ix1]
    if region.size == 0:
        return 0.0, None, crop, False
    # local paper: a max filter wider than any stroke follows shadows and gradients
    small = cv2.resize(region, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    k = max(3, round(0.75 * px_mm)) | 1  # 3 mm at quarter size
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.GaussianBlur(paper, (0, 0), k / 2)
    paper = cv2.resize(paper, (region.shape[1], region.shape[0]), interpolation=cv2.INTER_LINEAR)
    paper_f = np.maximum(paper.astype(np.float32), 1.0)
    dark = (paper_f - region.astype(np.float32)) * (255.0 / paper_f)
    # a phone photo's sensor noise can reach the ink threshold: stay 4 sigma above it
    sample = dark[::2, ::2]
    centre = float(np.median(sample))
    sigma = 1.4826 * float(np.median(np.abs(sample - centre)))
    mask = (dark > max(INK_DARKER * 255.0, centre + 4.0 * sigma)).astype(np.uint8)
    # dust is anything tiny in either sense; every signature stroke is long and wide
    labels, area, span = _components(mask)
    keep = (area >= DUST_AREA_MM2 * px_mm * px_mm) & (span >= DUST_MM * px_mm)
    mask = _keep(mask, keep, labels)
    value = float(np.count_nonzero(mask)) / float(region.size)
    cols = np.flatnonzero(mask.any(axis=0))
    span_mm = (cols[-1] - cols[0] + 1) / px_mm if cols.size else 0.0
    signed: bool | None
    if value >= SIGNATURE_SIGNED and span_mm >= SIGNATURE_MIN_SPAN_MM:
        signed = True
    elif value < SIGNATURE_UNSIGNED:
        signed = False
    else:
        signed = None
    return round(value, 5), signed if found else None, crop, found


def measure(
    rectified: Array, layout_page: Mapping[str, Any], dpi_out: float = 150.0
) -> Measurement:
    """Ink cover of every box and of the signature field on a rectified page (gray or
    RGB; RGB is read through its darkest channel so blue ink counts)."""
    px_mm = dpi_out / MM_PER_INCH
    ink = ink_gray(rectified)
    located = _outlines(ink, layout_page, px_mm)
    fallback = _typical_shift([outline for outline, _, _ in located])
    boxes = [
        _measure_box(rectified, box, px_mm, found, fallback)
        for box, found in zip(layout_page.get("boxes", []), located, strict=True)
    ]
    problems = [
        f"box {b.clause}/{b.answer}: printed outline not found" for b in boxes if not b.outline
    ]
    signature = layout_page.get("signature")
    sig_ink: float | None = None
    signed: bool | None = None
    sig_crop: Array | None = None
    if signature:
        sig_ink, signed, sig_crop, found = _measure_signature(
            ink, rectified, signature["rect_mm"], px_mm
        )
        if not found:
            problems.append("signature field: printed frame not found")
    fields = [
        FieldCrop(f["field"], _crop(rectified, f["rect_mm"], px_mm, 1.0))
        for f in layout_page.get("fields", [])
    ]
    return Measurement(boxes, sig_ink, signed, sig_crop, fields, problems)


# --- One page for the record, pixels only (also in a worker process) --------------------


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


@dataclass
class PageFailure:
    """A page a worker could not read: a broken page (``load``: reported as
    ``load_pages`` reports it) or a bug (``message`` is the traceback)."""

    message: str
    load: bool


WORKER_PARKED = 2  # pages a worker starts while earlier ones wait for their form


def page_worker(conn: Any, dpi_out: float = 150.0) -> None:
    """A worker process (``reading`` starts them): reads the pages sent to it and
    imports nothing that holds the store.

    Over ``conn``, a duplex pipe, it receives ``(task, path, index, stamp)`` tuples, and
    None to stop; asks ``("who", task, qr_texts)`` and receives ``("who", task,
    Identity)``; sends ``("seen", task, PageLook | PageFailure)``, not necessarily in
    the order of the tasks: while a page waits for its form, the next one is started.
    ``stamp`` is the file's (size, mtime_ns) when it was hashed: a file changed since
    is not read."""
    import traceback
    from collections import deque

    cv2.setNumThreads(1)  # one process per core: OpenCV's own threads would only contend
    tasks: deque[tuple[int, str, int, tuple[int, int]]] = deque()
    parked: dict[int, Started] = {}
    answers: dict[int, Identity] = {}
    opened: PageFile | None = None

    def take(message: Any) -> bool:
        """File a message; False for the stop."""
        if message is None:
            return False
        if message[0] == "who":
            answers[message[1]] = message[2]
        else:
            tasks.append(message)
        return True

    def failure(exc: BaseException) -> PageFailure:
        if isinstance(exc, ScanInputError):
            return PageFailure(str(exc), load=True)
        return PageFailure("".join(traceback.format_exception(exc)), load=False)

    try:
        running = True
        while running:
            while running and conn.poll():
                running = take(conn.recv())
            done = next((t for t in parked if t in answers), None)
            result: PageLook | PageFailure
            if done is not None:
                started = parked.pop(done)
                try:
                    result = look_finish(started, answers.pop(done), dpi_out)
                except Exception as exc:
                    result = failure(exc)
                conn.send(("seen", done, result))
            elif tasks and len(parked) < WORKER_PARKED:
                task, path, index, stamp = tasks.popleft()
                try:
                    if opened is None or str(opened.path) != path:
                        if opened is not None:
                            opened.close()
                        opened = None
                        opened = _reopen(Path(path), stamp)
                    started = look_start(opened.page(index))
                except Exception as exc:
                    conn.send(("seen", task, failure(exc)))
                    continue
                if started.texts is None:
                    conn.send(("seen", task, started.seen))
                else:
                    parked[task] = started
                    conn.send(("who", task, started.texts))
            elif running:
                running = take(conn.recv())
    except (EOFError, OSError, KeyboardInterrupt):
        pass
    finally:
        if opened is not None:
            opened.close()


def _reopen(path: Path, stamp: tuple[int, int]) -> PageFile:
    """The file a task names, if it is still the file that was hashed."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise ScanInputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if (stat.st_size, stat.st_mtime_ns) != stamp:
        raise ScanInputError(f"{path.name} changed while it was being imported")
    return PageFile(path)
