"""Loading scans: files and their pages.

A file is taken by its content (magic bytes), never its name: a PDF (its one raster
image per page as stored, or the page rendered; read with pdfium, which is C and opens
a 100-page scan in a millisecond), or a PNG, JPEG, HEIC/HEIF (an iPhone's photo, through
pillow-heif, loaded only for such a file) or (multi-page) TIFF through a strict
Pillow. What is read at all is limited: regular files only (a FIFO or a device would
block or never end), of a sane size, with pages the size and shape of a sheet of paper.
Every refusal is a ``ScanInputError`` with one line for a person.

A page stored as a JPEG (a scanner's PDF, a phone photo) keeps its own bytes
(``PageImage.encoded``): they are the page image a reviewer sees, so the page need not
be encoded again; and it is decoded by OpenCV, after Pillow has read and checked its
header, which is a third faster than Pillow's own decoding.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import struct
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import cv2
import numpy as np
from PIL import Image, ImageFile, UnidentifiedImageError

from formgen.errors import ScanInputError
from formgen.scan.pixels import MM_PER_INCH, Array
from formgen.words import N_, Word

MAX_PIXELS = 80_000_000  # per page: far above any sensible scan, far below a memory bomb
RENDER_DPI = 200.0  # vector (or mixed) PDF pages are rendered, not scanned
# A JPEG page of known resolution is decoded at 1/2 or 1/4 of its size (libjpeg scales
# in the transform: 40 % less work) as long as this much is left: the reader measures
# at 150 dpi and reads a 100-dpi page as well as a 200-dpi one (bench/scan_corpus.py).
JPEG_READ_DPI = 95.0
_REDUCED = {
    "L": {2: cv2.IMREAD_REDUCED_GRAYSCALE_2, 4: cv2.IMREAD_REDUCED_GRAYSCALE_4},
    "RGB": {2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4},
}
# HEIF brands of still pictures (ISO/IEC 23008-12): iPhone photos are "heic"
HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1")
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


# pdfium is not thread-safe: every call into it holds this lock (pages are read by
# threads, see scan/landing.py; extracting a page's image takes a fraction of a millisecond).
PDFIUM_LOCK = threading.RLock()


@dataclass(frozen=True)
class PageImage:
    source: str
    page: int  # 1-based within the file
    image: Array  # uint8, HxW gray or HxWx3 RGB
    dpi: float | None  # None when the file does not say
    encoded: bytes | None = None  # the page's own JPEG bytes, as the file holds them


def check_file(path: Path) -> os.stat_result:
    """The file's status if it may be read as a scan; ScanInputError when it is not a
    regular file (a FIFO or a device would block or never end: ``/dev/zero``) or is
    larger than MAX_FILE_BYTES. Symbolic links are followed: a link to a scan is a scan,
    a link to a device is refused like the device."""
    path = Path(path)
    try:
        status = os.stat(path)
    except OSError as exc:
        raise ScanInputError(
            N_("cannot read {name}: {reason}"), name=path.name, reason=exc.strerror or exc
        ) from exc
    _check_status(path.name, status)
    return status


def _check_status(name: str, status: os.stat_result) -> None:
    if not stat.S_ISREG(status.st_mode):
        raise ScanInputError(N_("{name} is not a regular file"), name=name)
    if status.st_size > MAX_FILE_BYTES:
        raise ScanInputError(
            N_(
                "{name} is {size}: formgen reads scan files of up to {limit}; split the stack "
                "into smaller files"
            ),
            name=name,
            size=_mib(status.st_size),
            limit=_mib(MAX_FILE_BYTES),
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
        raise ScanInputError(
            N_("cannot read {name}: {reason}"), name=path.name, reason=exc.strerror or exc
        ) from exc
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
                    raise ScanInputError(
                        N_("{name} grew past {limit} while read"),
                        name=name,
                        limit=_mib(MAX_FILE_BYTES),
                    )
                digest.update(chunk)
        except OSError as exc:
            raise ScanInputError(
                N_("cannot read {name}: {reason}"), name=name, reason=exc.strerror or exc
            ) from exc
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
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heif"
    return None


_HEIF_READY = threading.Lock()
_heif_registered = False


def _register_heif() -> None:
    """Pillow reads HEIC/HEIF (an iPhone camera's photos) through pillow-heif, loaded
    only when such a file comes: other imports do not pay for it. libheif applies the
    rotation the camera stored, so the picture comes upright as a JPEG's EXIF turns it."""
    global _heif_registered
    with _HEIF_READY:
        if not _heif_registered:
            import pillow_heif

            pillow_heif.register_heif_opener(thumbnails=False)
            _heif_registered = True


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
        self._lock = threading.Lock()
        # One descriptor, checked once, serves every library that reads the file.
        self._handle: Any = _open_checked(self.path)
        try:
            try:
                head = self._handle.read(1024)
            except OSError as exc:
                raise ScanInputError(
                    N_("cannot read {name}: {reason}"), name=self.path.name, reason=exc.strerror
                ) from exc
            if not head:
                raise ScanInputError(N_("{what} is empty"), what=Word(self.path.name))
            kind = _sniff(head)
            if kind is None:
                raise ScanInputError(
                    N_("{file} is not a PDF or an image (PNG, JPEG, TIFF)"), file=self.path.name
                )
            if kind == "pdf":
                self._open_pdf()
            else:
                if kind == "heif":
                    _register_heif()
                self._open_image()
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> PageFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._document is not None:
            with PDFIUM_LOCK:
                self._document.close()
        for closing in (self._image, self._handle):
            if closing is not None:
                closing.close()
        self._image = self._document = self._handle = self._reader = None

    def page(self, index: int) -> PageImage:
        if not 0 <= index < self.count:
            raise IndexError(f"{self.path.name} has no page {index + 1}")
        if self._document is not None:
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
            raise ScanInputError(
                N_("{name}: image too large (decompression bomb?)"), name=name
            ) from exc
        except _BROKEN as exc:
            raise ScanInputError(
                N_("{name}: corrupt image ({reason})"), name=name, reason=_brief(exc)
            ) from exc

    def _image_page(self, index: int) -> PageImage:
        image = self._image
        assert image is not None
        where = f"{self.path.name} page {index + 1}"
        try:
            with self._lock, _strict_pillow():  # a Pillow image is one reader's at a time
                image.seek(index)
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise ScanInputError(
                        N_("{where}: {width}x{height} pixels is too large"),
                        where=where,
                        width=width,
                        height=height,
                    )
                encoded: bytes | None = None
                array: Array | None = None
                dpi = _dpi_of(image)
                if self.count == 1 and image.format == "JPEG" and _plain_jpeg(image):
                    self._handle.seek(0)
                    encoded = self._handle.read()
                    _check_sheet(where, width, height, dpi)
                    array, dpi = _decode_jpeg(encoded, image.mode, image.size, dpi)
                else:  # anything else, and a photo stored sideways, as Pillow reads it
                    image.load()
                    array = _from_pil(image)[0]
                    _check_sheet(where, array.shape[1], array.shape[0], dpi)
        except ScanInputError as exc:
            if str(exc).startswith(where):
                raise
            raise ScanInputError(N_("{where}: {exc}"), where=where, exc=exc) from exc
        except _BOMB as exc:
            raise ScanInputError(
                N_("{where}: image too large (decompression bomb?)"), where=where
            ) from exc
        except _BROKEN as exc:
            raise ScanInputError(
                N_("{where}: corrupt or truncated image ({reason})"),
                where=where,
                reason=_brief(exc),
            ) from exc
        return PageImage(str(self.path), index + 1, array, dpi, encoded)

    def _open_pdf(self) -> None:
        import pypdfium2 as pdfium

        name = self.path.name
        try:
            size = self._handle.seek(0, io.SEEK_END)
            self._handle.seek(max(0, size - 2048))
            tail = self._handle.read()
        except OSError as exc:
            raise ScanInputError(
                N_("cannot read {name}: {reason}"), name=name, reason=exc.strerror or exc
            ) from exc
        # A scan cut off in transfer still parses (pdfium repairs xrefs) but loses pages
        # silently; every complete PDF ends with %%EOF.
        if b"%%EOF" not in tail:
            raise ScanInputError(N_("{name}: truncated PDF (no end-of-file marker)"), name=name)
        with PDFIUM_LOCK:
            try:
                # the descriptor checked at opening, not the path again (pdfium reads
                # it by position)
                self._handle.seek(0)
                document = pdfium.PdfDocument(self._handle)
            except pdfium.PdfiumError as exc:
                if "password" in str(exc).lower():
                    raise ScanInputError(
                        N_("{name}: encrypted PDF; save it without a password"), name=name
                    ) from exc
                raise ScanInputError(
                    N_("{name}: corrupt PDF ({reason})"), name=name, reason=_brief(exc)
                ) from exc
            except Exception as exc:  # untrusted input: any parser failure is "corrupt"
                raise ScanInputError(
                    N_("{name}: corrupt PDF ({reason})"), name=name, reason=_brief(exc)
                ) from exc
            self._document = document
            self.count = len(document)
        if not self.count:
            raise ScanInputError(N_("{name}: PDF without pages"), name=name)

    def _pdf_page(self, index: int) -> PageImage:
        name = self.path.name
        where = f"{name} page {index + 1}"
        with PDFIUM_LOCK:
            try:
                page = self._document[index]
            except Exception as exc:
                raise ScanInputError(
                    N_("{where}: corrupt PDF ({reason})"), where=where, reason=_brief(exc)
                ) from exc
            try:
                width_pt, height_pt = page.get_size()  # before any pixel is made of it
                _check_sheet_mm(where, width_pt * MM_PER_INCH / 72, height_pt * MM_PER_INCH / 72)
                try:
                    raster = _pdf_raster(page, width_pt, height_pt)
                except ScanInputError as exc:
                    raise ScanInputError(N_("{where}: {exc}"), where=where, exc=exc) from exc
                except Exception:
                    raster = None  # an unusual image: render the page instead
                if raster is None:
                    raster = _Raster(_pdf_render(page, index, name)[0], RENDER_DPI)
            finally:
                page.close()
        array, dpi = raster.array, raster.dpi
        if raster.jpeg is not None:  # decoded outside the lock: the other reader goes on
            array, dpi = _decode_stored_jpeg(where, raster.jpeg, dpi)
            array = _turn(array, raster.rotate)
        assert array is not None
        _check_sheet(where, array.shape[1], array.shape[0])
        return PageImage(str(self.path), index + 1, array, dpi, raster.jpeg)


def _turn(array: Array, rotate: int) -> Array:
    """A page's /Rotate (clockwise degrees) applied to its image."""
    if rotate % 360:
        return np.ascontiguousarray(np.rot90(array, k=-((rotate % 360) // 90)))
    return array


def _check_sheet(where: str, width: int, height: int, dpi: float | None = None) -> None:
    """Refuse a page that cannot be a scanned form, by its pixels (and by its size in
    mm when ``dpi`` gives it): else a 1x1 image reads as a blank page, and a 100000x10
    one fails deep inside OpenCV."""
    short, long = sorted((width, height))
    if long > MAX_SHEET_ASPECT * max(short, 1):
        raise ScanInputError(
            N_("{where}: {width}×{height} px is not the shape of a sheet of paper"),
            where=where,
            width=width,
            height=height,
        )
    if short < MIN_SHEET_PX[0] or long < MIN_SHEET_PX[1]:
        raise ScanInputError(
            N_("{where}: page too small for a form: {width}×{height} px"),
            where=where,
            width=width,
            height=height,
        )
    if dpi:
        _check_sheet_mm(where, width * MM_PER_INCH / dpi, height * MM_PER_INCH / dpi)


def _check_sheet_mm(where: str, width: float, height: float) -> None:
    short, long = sorted((width, height))
    if long > MAX_SHEET_ASPECT * max(short, 1.0):
        raise ScanInputError(
            N_("{where}: {width:.0f}×{height:.0f} mm is not the shape of a sheet"),
            where=where,
            width=width,
            height=height,
        )
    if short < MIN_SHEET_MM[0] or long < MIN_SHEET_MM[1]:
        raise ScanInputError(
            N_("{where}: page too small for a form: {width:.0f}×{height:.0f} mm"),
            where=where,
            width=width,
            height=height,
        )


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
    oriented = image
    if image.getexif().get(ORIENTATION_TAG, 1) != 1:  # phone photos are stored sideways
        from PIL import ImageOps  # (and its palettes: only for such a photo)

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
    return np.ascontiguousarray(array), _dpi_of(image)


def _dpi_of(image: Image.Image) -> float | None:
    """The resolution the image file states, when it is a plausible one."""
    dpi_info = image.info.get("dpi")
    if not dpi_info:
        return None
    try:
        value = float(np.mean([float(v) for v in dpi_info]))
    except (TypeError, ValueError):
        return None
    return value if 100.0 <= value <= 2400.0 else None  # 72: a phone's placeholder


def _brief(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]


@dataclass
class _Raster:
    """A PDF page's pixels: decoded, or the JPEG to decode (outside pdfium's lock) and
    the page's /Rotate to apply then."""

    array: Array | None
    dpi: float
    jpeg: bytes | None = None
    rotate: int = 0


def _pdf_raster(page: Any, width_pt: float, height_pt: float) -> _Raster | None:
    """The page's one raster image when it covers the page (scanner output), taken as
    stored; None when the page is anything else (text, vector drawing, several images)
    and must be rendered."""
    import pypdfium2.raw as pdfium_c

    objects = list(page.get_objects(max_depth=0))
    if len(objects) != 1 or objects[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    image = objects[0]
    a, b, c, d, e, f = image.get_matrix().get()
    # Only the plain placement (upright, not mirrored) is taken as is; anything else
    # is rare enough to render.
    if abs(b) > 1e-6 or abs(c) > 1e-6 or a <= 0 or d <= 0:
        return None
    if a < 0.95 * width_pt or d < 0.95 * height_pt:
        return None
    if e > 0.05 * width_pt or f > 0.05 * height_pt:
        return None
    width, height = (int(v) for v in image.get_px_size())
    if width * height > MAX_PIXELS:
        raise ScanInputError(
            N_("{width}x{height} pixel image is too large"), width=width, height=height
        )
    if width < 1 or height < 1:
        return None
    dpi = (width / (a / 72.0) + height / (d / 72.0)) / 2.0
    rotate = int(page.get_rotation() or 0)
    if image.get_filters() == ["DCTDecode"]:
        # a JPEG as the scanner wrote it: its bytes are the page image as they are
        return _Raster(None, float(dpi), bytes(image.get_data(decode_simple=False)), rotate)
    # (the bitmap is pdfium's: it goes with its object, not closed here)
    array = np.array(image.get_bitmap(render=False).to_numpy(), copy=True)
    if array.ndim == 3:
        channels = array.shape[2]
        if channels == 1:
            array = array[..., 0]
        elif channels == 3:  # pdfium's order: BGR
            array = cv2.cvtColor(array, cv2.COLOR_BGR2RGB)
        else:  # BGRx / BGRA
            array = cv2.cvtColor(array, cv2.COLOR_BGRA2RGB)
    if array.shape[1] != width or array.shape[0] != height:
        return None
    return _Raster(_turn(np.ascontiguousarray(array), rotate), float(dpi))


def _plain_jpeg(image: Image.Image) -> bool:
    """A gray or RGB JPEG stored upright: OpenCV decodes it, and its bytes show the page
    as read (Pillow decodes CMYK, and turns a photo stored sideways)."""
    return image.mode in ("L", "RGB") and image.getexif().get(ORIENTATION_TAG, 1) == 1


def _decode_jpeg(
    data: bytes, mode: str, size: tuple[int, int], dpi: float | None
) -> tuple[Array, float | None]:
    """A gray or RGB JPEG decoded by OpenCV, at 1/2 or 1/4 of its size when its
    resolution is known and JPEG_READ_DPI is left; and the resolution it has then."""
    # Truncated data decodes with a warning and a gray rest; every complete JPEG
    # ends with its end-of-image marker (some writers pad after it).
    if data.rstrip(b"\x00\r\n ")[-2:] != b"\xff\xd9":
        raise ScanInputError(N_("truncated JPEG (no end-of-image marker)"))
    scale = 1
    while dpi is not None and dpi / (scale * 2) >= JPEG_READ_DPI and scale < 4:
        scale *= 2
    if scale > 1:
        flags = _REDUCED[mode][scale]
    else:
        flags = cv2.IMREAD_GRAYSCALE if mode == "L" else cv2.IMREAD_COLOR
    array = cv2.imdecode(np.frombuffer(data, np.uint8), flags | cv2.IMREAD_IGNORE_ORIENTATION)
    expected = tuple(-(-v // scale) for v in size)  # libjpeg rounds up
    if array is None or (array.shape[1], array.shape[0]) != expected:
        raise ScanInputError(N_("corrupt JPEG"))
    if array.ndim == 3:
        array = cv2.cvtColor(array, cv2.COLOR_BGR2RGB)
    return array, None if dpi is None else dpi / scale


def _decode_stored_jpeg(where: str, data: bytes, dpi: float) -> tuple[Array, float]:
    """A PDF's JPEG: its header checked by Pillow, then decoded (fast when plain)."""
    try:
        with _strict_pillow():
            pil = Image.open(io.BytesIO(data))
            width, height = pil.size
            if width * height > MAX_PIXELS:
                raise ScanInputError(
                    N_("{where}: {width}x{height} pixels is too large"),
                    where=where,
                    width=width,
                    height=height,
                )
            if pil.mode in ("L", "RGB"):
                array, read_dpi = _decode_jpeg(data, pil.mode, pil.size, dpi)
                return array, read_dpi or dpi
            pil.load()
            return _from_pil(pil)[0], dpi
    except ScanInputError:
        raise
    except _BOMB as exc:
        raise ScanInputError(
            N_("{where}: image too large (decompression bomb?)"), where=where
        ) from exc
    except _BROKEN as exc:
        raise ScanInputError(
            N_("{where}: corrupt or truncated image ({reason})"), where=where, reason=_brief(exc)
        ) from exc


def _pdf_render(page: Any, index: int, name: str) -> tuple[Array, float]:
    try:
        width, height = page.get_size()
        if width * height * (RENDER_DPI / 72.0) ** 2 > MAX_PIXELS:
            raise ScanInputError(
                N_("{name} page {page}: page too large to render"), name=name, page=index + 1
            )
        bitmap = page.render(scale=RENDER_DPI / 72.0, grayscale=True)
        array = np.array(bitmap.to_numpy(), copy=True)
        bitmap.close()
    except ScanInputError:
        raise
    except Exception as exc:
        raise ScanInputError(
            N_("{name} page {page}: cannot render ({reason})"),
            name=name,
            page=index + 1,
            reason=_brief(exc),
        ) from exc
    if array.ndim == 3:
        array = array[..., 0] if array.shape[2] == 1 else cv2.cvtColor(array, cv2.COLOR_BGR2GRAY)
    return np.ascontiguousarray(array), RENDER_DPI
