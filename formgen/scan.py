"""Reading signed pages back: load scans, find the QR code, register, measure the ink.

This module only MEASURES. Which ink cover counts as a mark, and what a pair of boxes
means, is decided in ``rules.py`` (``classify_mark``, ``decide_pair``); matching a QR
text to a form is the caller's (``Instance.verify``). Coordinates in a layout are
millimetres from the page's top-left corner; image coordinates are OpenCV's (pixel
centres at integers). A homography ``H`` maps layout millimetres to image pixels.
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import zxingcpp
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

Array = NDArray[Any]
MM_PER_INCH = 25.4
PAGE_MM = (210.0, 297.0)

MAX_PIXELS = 80_000_000  # per page: far above any sensible scan, far below a memory bomb
RENDER_DPI = 200.0  # vector (or mixed) PDF pages are rendered, not scanned
QR_LONG_SIDE = 1754  # decode QR codes at about 150 dpi for an A4 page: fast, still sharp

# Registration
MARK_DIAMETER_MM = 6.0
MARK_WINDOW_MM = (10.0, 22.0)  # search half-width: first try, then a wider retry
MIN_MARKS = 3
MAX_RESIDUAL_MM = 1.0

# Measurement
BOX_INSET_MM = 1.0  # interior = outline's outer edge moved in by this (border is 0.45 mm)
BOX_BORDER_MM = 0.45
BOX_SEARCH_MM = 1.2  # how far the printed outline may sit from where registration says
SIG_INSET_MM = 1.0
SIG_BORDER_MM = 0.35
INK_DARKER = 0.12  # a pixel is ink when it is this much darker than the local paper
DUST_MM = 0.4  # components smaller than this (bounding box) are dust, not ink
BOX_DOT_MM2 = 0.45  # in a box, ink components below this area are specks (a stray dot)
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
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError as exc:
        raise ScanInputError(f"cannot read {path.name}: {exc.strerror or exc}") from exc
    if not head:
        raise ScanInputError(f"{path.name} is empty")
    kind = _sniff(head)
    if kind is None:
        raise ScanInputError(f"{path.name} is not a PDF or an image (PNG, JPEG, TIFF)")
    if kind == "pdf":
        yield from _pdf_pages(path)
    else:
        yield from _image_pages(path)


def _image_pages(path: Path) -> Iterator[PageImage]:
    try:
        with warnings.catch_warnings():
            # Pillow only warns between 89 and 179 MP: make that an error too.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ScanInputError(f"{path.name}: image too large (decompression bomb?)") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ScanInputError(f"{path.name}: corrupt image ({_brief(exc)})") from exc
    with image:
        frames = getattr(image, "n_frames", 1)
        for index in range(frames):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("error", Image.DecompressionBombWarning)
                    image.seek(index)
                    width, height = image.size
                    if width * height > MAX_PIXELS:
                        raise ScanInputError(
                            f"{path.name} page {index + 1}: {width}x{height} pixels is too large"
                        )
                    image.load()
                    array, dpi = _from_pil(image)
            except ScanInputError:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
                raise ScanInputError(f"{path.name}: image too large (decompression bomb?)") from exc
            except (OSError, SyntaxError, ValueError, EOFError) as exc:
                raise ScanInputError(
                    f"{path.name} page {index + 1}: corrupt or truncated image ({_brief(exc)})"
                ) from exc
            yield PageImage(str(path), index + 1, array, dpi)


def _from_pil(image: Image.Image) -> tuple[Array, float | None]:
    dpi_info = image.info.get("dpi")
    oriented = ImageOps.exif_transpose(image)  # phone photos are stored sideways
    if oriented.mode in ("RGBA", "LA", "PA") or (
        oriented.mode == "P" and "transparency" in oriented.info
    ):
        rgba = oriented.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        oriented = Image.alpha_composite(paper, rgba)
    if oriented.mode in ("1", "L", "I;16", "I;16B", "I;16L", "I", "F"):
        if oriented.mode in ("1", "L"):
            array = np.asarray(oriented.convert("L"))
        else:  # 16-bit or float gray: scale by its own range
            raw = np.asarray(oriented, dtype=np.float64)
            top = 65535.0 if raw.max() > 255 else 255.0
            array = np.clip(raw * (255.0 / top) + 0.5, 0, 255).astype(np.uint8)
    else:
        array = np.asarray(oriented.convert("RGB"))
    dpi: float | None = None
    if dpi_info:
        try:
            value = float(np.mean([float(v) for v in dpi_info]))
        except (TypeError, ValueError):
            value = 0.0
        dpi = value if 50.0 <= value <= 2400.0 else None
    return np.ascontiguousarray(array), dpi


def _brief(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:160]


def _pdf_pages(path: Path) -> Iterator[PageImage]:
    import pypdf
    import pypdfium2 as pdfium

    data = path.read_bytes()
    # A scan cut off in transfer still parses (both libraries repair xrefs) but loses
    # pages silently; every complete PDF ends with %%EOF.
    if b"%%EOF" not in data[-2048:]:
        raise ScanInputError(f"{path.name}: truncated PDF (no end-of-file marker)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pypdf warns about repairable oddities
            reader = pypdf.PdfReader(io.BytesIO(data))
            encrypted = reader.is_encrypted
            count = None if encrypted else len(reader.pages)
    except Exception as exc:  # untrusted input: any parser failure is "corrupt"
        raise ScanInputError(f"{path.name}: corrupt PDF ({_brief(exc)})") from exc
    if encrypted:
        raise ScanInputError(f"{path.name}: encrypted PDF; save it without a password")
    document: Any = None
    try:
        for index in range(count or 0):
            found: tuple[Array, float] | None = None
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    found = _pdf_raster(reader.pages[index])
            except ScanInputError as exc:
                raise ScanInputError(f"{path.name} page {index + 1}: {exc}") from exc
            except Exception:
                found = None  # unusual image encoding (JBIG2 ...): let pdfium render it
            if found is None:
                if document is None:
                    try:
                        document = pdfium.PdfDocument(data)
                    except Exception as exc:
                        raise ScanInputError(f"{path.name}: corrupt PDF ({_brief(exc)})") from exc
                found = _pdf_render(document, index, path.name)
            yield PageImage(str(path), index + 1, found[0], found[1])
    finally:
        if document is not None:
            document.close()


_PAINT_OPS = {b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b", b"b*", b"sh", b"BI", b"INLINE IMAGE"}


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
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        pil = xobject.decode_as_image()
    array, _ = _from_pil(pil)
    if array.shape[1] != width or array.shape[0] != height:
        return None
    rotate = int(page.get("/Rotate", 0) or 0) % 360
    if rotate:
        array = np.ascontiguousarray(np.rot90(array, k=-(rotate // 90)))
    dpi = (width / (a / 72.0) + height / (d / 72.0)) / 2.0
    return array, dpi


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


def is_blank(gray: Array) -> bool:
    """A blank backside (dust, speckle, faint show-through) rather than a page with
    print on it: look at a ~50 dpi thumbnail for dark pixels against local paper."""
    gray = ink_gray(gray)
    height, width = gray.shape
    factor = min(1.0, 420.0 / max(1, min(height, width)))
    small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    sh, sw = small.shape
    my, mx = max(1, sh // 25), max(1, sw // 25)  # scanner edge shadows are not content
    small = small[my : sh - my, mx : sw - mx]
    if small.size == 0:
        return True
    paper = cv2.dilate(small, np.ones((9, 9), np.uint8))  # local white, text removed
    dark = cv2.subtract(paper, small)
    ink = (dark.astype(np.float32) > 0.35 * np.maximum(paper, 40)).astype(np.uint8)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # lone specks
    return int(np.count_nonzero(ink)) < 0.0004 * small.size


# --- QR codes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QrHit:
    text: str
    corners: Array  # (4, 2) image px: symbol's top-left, top-right, bottom-right, bottom-left
    modules: int = 25  # symbol size without quiet zone (version * 4 + 17)


def find_qr(gray: Array) -> list[QrHit]:
    """All QR codes on the page, cheapest attempt first."""
    gray = ink_gray(gray)
    long_side = max(gray.shape)
    factor = QR_LONG_SIDE / long_side if long_side > 1.25 * QR_LONG_SIDE else 1.0
    small = gray
    if factor < 1.0:
        small = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    hits = _decode(small, factor)
    if not hits:  # salt-and-pepper noise breaks finder patterns; a median removes it
        hits = _decode(cv2.medianBlur(small, 3), factor)
    if not hits:
        _, binary = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
        hits = _decode(binary, factor)
    if not hits and factor < 1.0:  # tiny or blurred codes need every pixel
        hits = _decode(gray, 1.0)
    return hits


def _decode(image: Array, factor: float) -> list[QrHit]:
    results = zxingcpp.read_barcodes(
        image, formats=zxingcpp.BarcodeFormat.QRCode, try_rotate=False, try_invert=False
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


def _find_mark(gray: Array, H: Array, centre_mm: tuple[float, float], window_mm: float) -> (
    Array | None
):
    """The registration disc nearest to where H predicts it, or None."""
    height, width = gray.shape
    cx, cy = centre_mm
    square = np.array(
        [[cx - window_mm, cy - window_mm], [cx + window_mm, cy - window_mm],
         [cx + window_mm, cy + window_mm], [cx - window_mm, cy + window_mm]]
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
    lo, hi = np.percentile(window, (1, 90))
    if hi - lo < 40:  # no dark disc at all (painted over, or blank)
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
    least-squares homography over all points, and a residual check."""
    gray = ink_gray(gray)
    qr_mm = qr_symbol_mm(layout_page, qr.modules)
    H = _fit(list(qr_mm), list(qr.corners), perspective=False)
    if H is None or not _plausible(H, qr_mm):
        return Registration(False, "QR code geometry is implausible", H, math.inf, None, dpi_out)
    src: list[Array] = [p for p in qr_mm]
    dst: list[Array] = [p for p in qr.corners]
    names = ["qr-tl", "qr-tr", "qr-br", "qr-bl"]
    qr_centre = qr_mm.mean(axis=0)
    marks = sorted(
        layout_page["marks"],
        key=lambda m: float(np.hypot(*(np.array(_centre(m["rect_mm"])) - qr_centre))),
    )
    found: dict[str, tuple[float, float]] = {}
    for mark in marks:
        centre = _centre(mark["rect_mm"])
        hit = None
        for window in MARK_WINDOW_MM:
            hit = _find_mark(gray, H, centre, window)
            if hit is not None:
                break
        if hit is None:
            continue
        found[mark["mark"]] = (float(hit[0]), float(hit[1]))
        src.append(np.array(centre))
        dst.append(hit)
        names.append(mark["mark"])
        refit = _fit(src, dst, perspective=len(found) >= MIN_MARKS)
        if refit is not None and _plausible(refit, qr_mm):
            H = refit
    if len(found) < MIN_MARKS:
        return Registration(
            False, f"only {len(found)} of 4 registration marks found", H, math.inf, None,
            dpi_out, found,
        )
    H, residuals = _fit_checked(src, dst, names)
    worst = max(residuals.values()) if residuals else math.inf
    if H is None or worst > MAX_RESIDUAL_MM:
        where = max(residuals, key=residuals.__getitem__) if residuals else "?"
        return Registration(
            False, f"registration marks disagree by {worst:.2f} mm ({where})", H, worst, None,
            dpi_out, found, residuals,
        )
    rectified = rectify(gray, H, dpi_out)
    return Registration(True, None, H, worst, rectified, dpi_out, found, residuals)


def _residuals(H: Array, src: list[Array], dst: list[Array], names: list[str]) -> dict[str, float]:
    back = _project(np.linalg.inv(H), np.array(dst))
    errors = np.hypot(*(back - np.array(src)).T)
    return {name: round(float(e), 3) for name, e in zip(names, errors, strict=True)}


def _fit_checked(
    src: list[Array], dst: list[Array], names: list[str]
) -> tuple[Array | None, dict[str, float]]:
    """Least squares over every point; one mark that disagrees (moved, a blot taken
    for it) is dropped when three marks remain to check each other."""
    H = _fit(src, dst)
    if H is None:
        return None, {}
    residuals = _residuals(H, src, dst, names)
    worst = max(residuals, key=residuals.__getitem__)
    marks = [n for n in names if not n.startswith("qr-")]
    if residuals[worst] > MAX_RESIDUAL_MM and not worst.startswith("qr-") and len(marks) > 3:
        keep = [i for i, n in enumerate(names) if n != worst]
        src, dst, names = [src[i] for i in keep], [dst[i] for i in keep], [names[i] for i in keep]
        refit = _fit(src, dst)
        if refit is not None:
            return refit, _residuals(refit, src, dst, names)
    return H, residuals


def _plausible(H: Array, qr_mm: Array) -> bool:
    """Between ~40 and ~1300 dpi at the QR code, and not degenerate."""
    if not np.all(np.isfinite(H)):
        return False
    jac = _jacobian(H, tuple(qr_mm.mean(axis=0)))
    scale = math.sqrt(abs(float(np.linalg.det(jac))))
    return 1.5 < scale < 50.0


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
    if ratio > 2.5:
        f = 1.5 / ratio
        source = cv2.resize(gray, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        shrink = np.array([[f, 0.0, 0.5 * f - 0.5], [0.0, f, 0.5 * f - 0.5], [0.0, 0.0, 1.0]])
        M = shrink @ M
    return cv2.warpPerspective(
        source, M, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_CONSTANT, borderValue=255,
    )


# --- Measuring --------------------------------------------------------------------------


@dataclass
class BoxReading:
    clause: str
    answer: str  # "yes" | "no"
    ink: float  # 0..1 cover of the interior; compare with rules.Thresholds
    shift_mm: tuple[float, float]  # where the printed outline was found vs. the layout
    crop: Array  # the box and ~2 mm around it, for a reviewer


@dataclass
class FieldCrop:
    field: str
    crop: Array


@dataclass
class Measurement:
    boxes: list[BoxReading]
    signature_ink: float | None  # None: the page has no signature field
    signed: bool | None  # None: uncertain (or no field on this page)
    signature_crop: Array | None
    fields: list[FieldCrop]

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
    t = np.zeros((h_px + 2 * band_px, w_px + 2 * band_px), np.float32)
    t[:, :] = -1.0
    t[band_px:-band_px, band_px:-band_px] = 1.0
    inner = t[band_px + border_px : -band_px - border_px, band_px + border_px : -band_px - border_px]
    inner[:, :] = 0.0
    return t


def _locate_outline(
    dark: Array, rect: Sequence[float], border_mm: float, px_mm: float, search_mm: float
) -> tuple[float, float]:
    """Shift (mm) that puts the layout's outline onto the printed one nearby; absorbs
    what registration left over (a few tenths of a mm) so the inset stays clear of it."""
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
        return 0.0, 0.0
    score = cv2.matchTemplate(dark[y0:y1, x0:x1], template, cv2.TM_CCORR)
    _, best, _, (bx, by) = cv2.minMaxLoc(score)
    expected = float(np.count_nonzero(template > 0)) * 255.0
    if best < 0.35 * expected:  # outline not visible enough to trust: keep the layout
        return 0.0, 0.0
    # prefer no shift when the gain is marginal (a thick stroke along one side)
    if score[search, search] >= 0.97 * best:
        return 0.0, 0.0
    return (bx - search) / px_mm, (by - search) / px_mm


def _paper_and_dark(region: Array) -> tuple[float, Array]:
    white = float(np.percentile(region, 90))
    dark = np.clip(white - region.astype(np.float32), 0.0, 255.0) * (255.0 / max(white, 1.0))
    return white, dark


def _ink_mask(dark: Array) -> Array:
    return (dark > INK_DARKER * 255.0).astype(np.uint8)


def _drop_small(mask: Array, min_area: float, min_span: float) -> Array:
    """Remove components smaller than min_area px AND narrower than min_span px."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return mask
    span = np.maximum(stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT])
    keep = (stats[:, cv2.CC_STAT_AREA] >= min_area) | (span >= min_span)
    keep[0] = False
    return keep[labels].astype(np.uint8)


def _measure_box(
    ink: Array, view: Array, box: Mapping[str, Any], px_mm: float
) -> BoxReading:
    rect = box["rect_mm"]
    x, y, w, h = rect
    margin = 3.0
    y0 = max(0, math.floor(_px(y - margin, px_mm)))
    x0 = max(0, math.floor(_px(x - margin, px_mm)))
    y1 = min(ink.shape[0], math.ceil(_px(y + h + margin, px_mm)) + 1)
    x1 = min(ink.shape[1], math.ceil(_px(x + w + margin, px_mm)) + 1)
    region = ink[y0:y1, x0:x1]
    _, dark = _paper_and_dark(region)
    local = [x - x0 / px_mm, y - y0 / px_mm, w, h]  # the same rect in the region's mm
    dx, dy = _locate_outline(dark, local, BOX_BORDER_MM, px_mm, BOX_SEARCH_MM)
    moved = [local[0] + dx, local[1] + dy, w, h]
    iy0, iy1, ix0, ix1 = _interior(moved, BOX_INSET_MM, px_mm)
    inside = dark[max(iy0, 0) : iy1, max(ix0, 0) : ix1]
    if inside.size == 0:
        value = 0.0
    else:
        mask = _ink_mask(inside)
        min_area = BOX_DOT_MM2 * px_mm * px_mm
        mask = _drop_small(mask, min_area, math.inf)
        value = float(np.count_nonzero(mask)) / float(inside.size)
    crop = _crop(view, [x + dx, y + dy, w, h], px_mm, CROP_MARGIN_MM)
    return BoxReading(box["clause"], box["answer"], round(value, 4), (dx, dy), crop)


def _locate_frame(
    ink: Array, rect: Sequence[float], border_mm: float, px_mm: float, search_mm: float
) -> list[float]:
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
        return list(rect)
    _, dark = _paper_and_dark(region)
    edges = []
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
            visible = profile[i] > 0.35 * 255.0
            edges.append((i + origin + 0.5) / px_mm if visible else centre_mm)
    left, right, top, bottom = edges
    return [
        left - border_mm / 2,
        top - border_mm / 2,
        right - left + border_mm,
        bottom - top + border_mm,
    ]


def _measure_signature(
    ink: Array, view: Array, rect: Sequence[float], px_mm: float
) -> tuple[float, bool | None, Array]:
    crop = _crop(view, rect, px_mm, CROP_MARGIN_MM)
    frame = _locate_frame(ink, rect, SIG_BORDER_MM, px_mm, BOX_SEARCH_MM)
    iy0, iy1, ix0, ix1 = _interior(frame, SIG_INSET_MM, px_mm)
    iy0, ix0 = max(iy0, 0), max(ix0, 0)
    region = ink[iy0:iy1, ix0:ix1]
    if region.size == 0:
        return 0.0, None, crop
    # local paper: a max filter wider than any stroke follows shadows and gradients
    small = cv2.resize(region, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    k = max(3, round(0.75 * px_mm)) | 1  # 3 mm at quarter size
    paper = cv2.dilate(small, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    paper = cv2.GaussianBlur(paper, (0, 0), k / 2)
    paper = cv2.resize(paper, (region.shape[1], region.shape[0]), interpolation=cv2.INTER_LINEAR)
    paper_f = np.maximum(paper.astype(np.float32), 1.0)
    dark = np.clip(paper_f - region.astype(np.float32), 0.0, None) * (255.0 / paper_f)
    mask = _ink_mask(dark)
    dust = DUST_MM * px_mm
    mask = _drop_small(mask, dust * dust, dust)
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
    return round(value, 5), signed, crop


def measure(rectified: Array, layout_page: Mapping[str, Any], dpi_out: float = 150.0) -> (
    Measurement
):
    """Ink cover of every box and of the signature field on a rectified page (gray or
    RGB; RGB is read through its darkest channel so blue ink counts)."""
    px_mm = dpi_out / MM_PER_INCH
    ink = ink_gray(rectified)
    boxes = [_measure_box(ink, rectified, b, px_mm) for b in layout_page.get("boxes", [])]
    signature = layout_page.get("signature")
    sig_ink: float | None = None
    signed: bool | None = None
    sig_crop: Array | None = None
    if signature:
        sig_ink, signed, sig_crop = _measure_signature(
            ink, rectified, signature["rect_mm"], px_mm
        )
    fields = [
        FieldCrop(f["field"], _crop(rectified, f["rect_mm"], px_mm, 1.0))
        for f in layout_page.get("fields", [])
    ]
    return Measurement(boxes, sig_ink, signed, sig_crop, fields)
