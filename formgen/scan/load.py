"""Loading scans: files and their pages.

A file is taken by its content (magic bytes), never its name: a PDF (its one raster
image per page as stored, or the page rendered), or a PNG, JPEG or (multi-page) TIFF
through a strict Pillow. What is read at all is limited: regular files only (a FIFO or
a device would block or never end), of a sane size, with pages the size and shape of a
sheet of paper. Every refusal is a ``ScanInputError`` with one line for a person.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import cv2
import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from ..errors import ScanInputError
from .pixels import MM_PER_INCH, Array

MAX_PIXELS = 80_000_000  # per page: far above any sensible scan, far below a memory bomb
RENDER_DPI = 200.0  # vector (or mixed) PDF pages are rendered, not scanned
ORIENTATION_TAG = 0x0112  # EXIF: how a camera stored the picture (1 = as is)

# What is read at all. A stack of 500 pages scanned at 300 dpi gray (JPEG, 0.5-1 MB a
# page) stays under the file limit; pages are loaded one at a time, so memory does not
# grow with it.
MAX_FILE_BYTES = 512 * 1024 * 1024
# A page must be able to hold a form: 1.5 px/mm over A4 (what registration needs at the
# least, see ``registration._plausible``) is 315x445 px; the smallest real condition
# (a 150 dpi scan) is 1240x1754 px, a phone photo 1500x2000 px or more.
MIN_SHEET_PX = (300, 420)  # short side, long side
# Physically (a PDF's media box, or an image's own dpi): well under A6 (105x148 mm), so
# only a page no form fits on trips it, not a mislabelled dpi on a real scan.
MIN_SHEET_MM = (60.0, 85.0)
# Paper is 1:1.41 (A4), 1:1.29 (Letter), 1:1.65 (Legal); a fax at 204x98 dpi squashes
# A4 to 1.5:1 the other way. Far beyond that it is no sheet (OpenCV and zxing fail
# on a 100000x10 image).
MAX_SHEET_ASPECT = 4.0


@dataclass(frozen=True)
class PageImage:
    source: str
    page: int  # 1-based within the file
    image: Array  # uint8, HxW gray or HxWx3 RGB
    dpi: float | None  # None when the file does not say


def check_file(path: Path) -> os.stat_result:
    """The file's status if it may be read as a scan; ScanInputError when it is not a
    regular file (a FIFO or a device would block or never end: ``/dev/zero``) or is
    larger than MAX_FILE_BYTES. Symbolic links are followed: a link to a scan is a scan,
    a link to a device is refused like the device."""
    path = Path(path)
    try:
        status = os.stat(path)
    except OSError as exc:
        raise ScanInputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    _check_status(path.name, status)
    return status


def _check_status(name: str, status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise ScanInputError(f"{name} is not a regular file")
    if status.st_size > MAX_FILE_BYTES:
        raise ScanInputError(
            f"{name} is {_mib(status.st_size)}: formgen reads scan files of up to "
            f"{_mib(MAX_FILE_BYTES)}; split the stack into smaller files"
        )


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MiB"


def _open_checked(path: Path) -> BinaryIO:
    """The file opened for reading, checked as ``check_file`` checks it on the open
    descriptor itself: a file swapped for a FIFO or a device since is refused too."""
    path = Path(path)
    check_file(path)  # first by name: a socket, say, cannot even be opened
    # O_NONBLOCK: opening a FIFO (swapped in since) must not wait for a writer
    nonblock = getattr(os, "O_NONBLOCK", 0)
    flags = os.O_RDONLY | nonblock | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ScanInputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    try:
        _check_status(path.name, os.fstat(fd))
        if nonblock:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def file_sha256(path: Path) -> str:
    """The file's SHA-256; ScanInputError for a file ``check_file`` refuses or that
    cannot be read."""
    name = Path(path).name
    digest = hashlib.sha256()
    total = 0
    with _open_checked(path) as handle:
        try:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                total += len(chunk)
                if total > MAX_FILE_BYTES:  # grew since it was checked: stop all the same
                    raise ScanInputError(f"{name} grew past {_mib(MAX_FILE_BYTES)} while read")
                digest.update(chunk)
        except OSError as exc:
            raise ScanInputError(f"cannot read {name}: {exc.strerror or exc}") from exc
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
        self._reader: Any = None
        self._document: Any = None
        # One descriptor, checked once, serves every library that reads the file.
        self._handle: Any = _open_checked(self.path)
        try:
            try:
                head = self._handle.read(1024)
            except OSError as exc:
                raise ScanInputError(f"cannot read {self.path.name}: {exc.strerror}") from exc
            if not head:
                raise ScanInputError(f"{self.path.name} is empty")
            kind = _sniff(head)
            if kind is None:
                raise ScanInputError(f"{self.path.name} is not a PDF or an image (PNG, JPEG, TIFF)")
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
                self._handle.seek(0)
                self._image = Image.open(self._handle)
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
                _check_sheet(where, array.shape[1], array.shape[0], dpi)
        except _BOMB as exc:
            raise ScanInputError(f"{where}: image too large (decompression bomb?)") from exc
        except _BROKEN as exc:
            raise ScanInputError(f"{where}: corrupt or truncated image ({_brief(exc)})") from exc
        return PageImage(str(self.path), index + 1, array, dpi)

    def _open_pdf(self) -> None:
        import pypdf

        name = self.path.name
        try:
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
        where = f"{name} page {index + 1}"
        size_mm = _media_mm(self._reader, index)
        if size_mm is not None:  # before any pixel is made of it
            _check_sheet_mm(where, *size_mm)
        found: tuple[Array, float] | None = None
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = _pdf_raster(self._reader.pages[index])
        except ScanInputError as exc:
            raise ScanInputError(f"{where}: {exc}") from exc
        except Exception:
            found = None  # unusual image encoding (JBIG2 ...): let pdfium render it
        if found is None:
            if self._document is None:
                try:
                    # the descriptor checked at opening (pdfium reads it by position, as
                    # pypdf does), not the path again
                    self._document = pdfium.PdfDocument(self._handle)
                except Exception as exc:
                    raise ScanInputError(f"{name}: corrupt PDF ({_brief(exc)})") from exc
            found = _pdf_render(self._document, index, name)
        _check_sheet(where, found[0].shape[1], found[0].shape[0])
        return PageImage(str(self.path), index + 1, found[0], found[1])


def _media_mm(reader: Any, index: int) -> tuple[float, float] | None:
    """A PDF page's size (mm) from its media box; None when it has no usable one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            x0, y0, x1, y1 = (float(v) for v in reader.pages[index].mediabox)
    except Exception:
        return None  # a broken page: reading its image or rendering it says so
    return abs(x1 - x0) * MM_PER_INCH / 72.0, abs(y1 - y0) * MM_PER_INCH / 72.0


def _check_sheet(where: str, width: int, height: int, dpi: float | None = None) -> None:
    """Refuse a page that cannot be a scanned form, by its pixels (and by its size in
    mm when ``dpi`` gives it): else a 1x1 image reads as a blank page, and a 100000x10
    one fails deep inside OpenCV."""
    short, long = sorted((width, height))
    if long > MAX_SHEET_ASPECT * max(short, 1):
        raise ScanInputError(f"{where}: {width}×{height} px is not the shape of a sheet of paper")
    if short < MIN_SHEET_PX[0] or long < MIN_SHEET_PX[1]:
        raise ScanInputError(f"{where}: page too small for a form: {width}×{height} px")
    if dpi:
        _check_sheet_mm(where, width * MM_PER_INCH / dpi, height * MM_PER_INCH / dpi)


def _check_sheet_mm(where: str, width: float, height: float) -> None:
    short, long = sorted((width, height))
    if long > MAX_SHEET_ASPECT * max(short, 1.0):
        raise ScanInputError(f"{where}: {width:.0f}×{height:.0f} mm is not the shape of a sheet")
    if short < MIN_SHEET_MM[0] or long < MIN_SHEET_MM[1]:
        raise ScanInputError(f"{where}: page too small for a form: {width:.0f}×{height:.0f} mm")


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
