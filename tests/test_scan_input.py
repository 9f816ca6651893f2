"""What the scan reader agrees to read at all, on real files: regular files of a sane
size, with pages the size and shape of a sheet of paper; and a worker that starts small.

Every refusal is a ScanInputError with one line for a person, raised at once: a FIFO or
/dev/zero must not make ``scan import`` wait or read forever.
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image
from pypdf import PdfWriter

from formgen import scan

from . import synth

ENTRY_POINTS: dict[str, Callable[[Path], Any]] = {
    "check_file": scan.check_file,
    "file_sha256": scan.file_sha256,
    "PageFile": lambda path: scan.PageFile(path).close(),
    "load_pages": lambda path: list(scan.load_pages(path)),
}


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    """A test that would block (open a FIFO, read /dev/zero) fails after 20 s instead."""

    def expired(signum: int, frame: Any) -> None:
        raise TimeoutError("the scan reader blocked")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(20)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def refused(path: Path, entry: str = "load_pages") -> str:
    with pytest.raises(scan.ScanInputError) as info:
        ENTRY_POINTS[entry](path)
    message = str(info.value)
    assert "\n" not in message and path.name in message, message
    return message


def page(width: int = 1654, height: int = 2339) -> np.ndarray:
    """A plain A4 sheet at 200 dpi with a little print on it."""
    image = np.full((height, width), 250, np.uint8)
    cv2.putText(image, "formgen", (width // 5, height // 4), cv2.FONT_HERSHEY_SIMPLEX, 3, 0, 6)
    return image


def save(path: Path, image: np.ndarray, dpi: float | None = None, **options: Any) -> Path:
    if dpi is not None:
        options["dpi"] = (dpi, dpi)
    Image.fromarray(image).save(path, **options)
    return path


# --- Regular files only -------------------------------------------------------------------


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_fifo_is_refused_at_once(tmp_path: Path, entry: str) -> None:
    fifo = tmp_path / "scan.pdf"
    os.mkfifo(fifo)  # no writer: opening it for reading would wait for one
    assert "not a regular file" in refused(fifo, entry)


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_devices_and_directories_are_refused(tmp_path: Path, entry: str) -> None:
    zero = tmp_path / "zero.pdf"
    zero.symlink_to("/dev/zero")  # read to the end, it never ends
    null = tmp_path / "null.png"
    null.symlink_to("/dev/null")
    folder = tmp_path / "scans"
    folder.mkdir()
    for path in (Path("/dev/zero"), zero, null, folder):
        assert "not a regular file" in refused(path, entry)


def test_a_link_to_a_scan_is_a_scan(tmp_path: Path) -> None:
    real = save(tmp_path / "real.png", page())
    link = tmp_path / "link.png"
    link.symlink_to(real)
    assert scan.file_sha256(link) == scan.file_sha256(real)
    (loaded,) = scan.load_pages(link)
    assert loaded.image.shape == (2339, 1654)


def test_missing_file(tmp_path: Path) -> None:
    for entry in ENTRY_POINTS:
        assert "No such file" in refused(tmp_path / "gone.pdf", entry)


def test_size_limit(tmp_path: Path) -> None:
    big = tmp_path / "stack.pdf"
    with big.open("wb") as handle:  # sparse: no disk is used, and nothing is read
        handle.write(b"%PDF-1.7\n")
        handle.truncate(scan.MAX_FILE_BYTES + 1)
    for entry in ENTRY_POINTS:
        message = refused(big, entry)
        assert "512 MiB" in message and "split" in message, message
    os.truncate(big, scan.MAX_FILE_BYTES)  # at the limit: allowed
    assert scan.check_file(big).st_size == scan.MAX_FILE_BYTES


# --- Pages the size of a sheet --------------------------------------------------------------


def test_tiny_images_are_errors_not_blank_pages(tmp_path: Path) -> None:
    for width, height in ((1, 1), (50, 50), (299, 1000), (400, 419)):
        path = save(
            tmp_path / f"tiny-{width}x{height}.png", np.full((height, width), 255, np.uint8)
        )
        message = refused(path)
        assert f"page too small for a form: {width}×{height} px" in message, message
        assert "blank" not in message


def test_physical_size_from_the_images_dpi(tmp_path: Path) -> None:
    image = page()
    assert len(list(scan.load_pages(save(tmp_path / "a4.png", image, dpi=200)))) == 1
    # the same pixels said to be 1200 dpi: a slip of paper
    message = refused(save(tmp_path / "slip.png", image, dpi=1200))
    assert "page too small for a form: 35×50 mm" in message, message


def _pdf(path: Path, width_mm: float, height_mm: float) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(width=width_mm / 25.4 * 72, height=height_mm / 25.4 * 72)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def test_tiny_pdf_pages(tmp_path: Path) -> None:
    assert "page too small for a form: 20×20 mm" in refused(_pdf(tmp_path / "a.pdf", 20, 20))
    # a scanner's PDF: a full-sized image on a 21x30 mm page (3000 dpi)
    raster = tmp_path / "raster.pdf"
    Image.fromarray(page()).save(raster, "PDF", resolution=2000.0)
    assert "page too small for a form: 21×30 mm" in refused(raster)
    (a5,) = scan.load_pages(_pdf(tmp_path / "a5.pdf", 148, 210))  # blank, but a sheet
    assert a5.image.shape == (1654, 1166)


def test_only_the_small_page_of_a_stack_fails(tmp_path: Path) -> None:
    stack = tmp_path / "stack.tif"
    first, small = Image.fromarray(page()), Image.fromarray(np.full((40, 30), 255, np.uint8))
    first.save(stack, save_all=True, dpi=(200, 200), append_images=[small, first])
    with scan.PageFile(stack) as pages:
        assert pages.count == 3
        assert pages.page(0).image.shape == pages.page(2).image.shape == (2339, 1654)
        with pytest.raises(scan.ScanInputError, match=r"stack\.tif page 2: page too small"):
            pages.page(1)


@pytest.mark.parametrize("shape", [(10, 100_000), (100_000, 10), (300, 1300)])
def test_absurd_shapes(tmp_path: Path, shape: tuple[int, int]) -> None:
    height, width = shape
    path = save(tmp_path / "strip.png", np.full(shape, 255, np.uint8))
    message = refused(path)
    assert f"{width}×{height} px is not the shape of a sheet of paper" in message, message


def test_absurd_pdf_page(tmp_path: Path) -> None:
    assert "1000×10 mm is not the shape" in refused(_pdf(tmp_path / "tape.pdf", 1000, 10))


@pytest.mark.slow  # every scanner and phone condition, each a whole page
def test_real_conditions_pass(tmp_path: Path) -> None:
    """Every way the benchmark's pages reach the reader (synth.CONDITIONS, saved as it
    saves them), a fax, a 12 MP phone photo, and the smallest page allowed."""
    source = cv2.resize(page(), (2480, 3508), interpolation=cv2.INTER_NEAREST)  # 300 dpi
    rng = np.random.default_rng(1)
    files = []
    for name, condition in synth.CONDITIONS.items():
        image, dpi = condition.apply(source, rng)
        if name == "phone-photo":
            files.append(save(tmp_path / f"{name}.jpg", image, quality=85))  # no dpi
        else:
            files.append(save(tmp_path / f"{name}.png", image, dpi=dpi))
    pdf = tmp_path / "scanner.pdf"
    Image.fromarray(page()).save(pdf, "PDF", resolution=200.0)
    fax = tmp_path / "fax.tif"  # A4 at 204x98 dpi: squashed to landscape proportions
    fax_image = cv2.resize(page(), (1728, 1145), interpolation=cv2.INTER_AREA) > 128
    Image.fromarray(fax_image).save(fax, dpi=(204, 98), compression="group4")
    photo = save(tmp_path / "photo.jpg", np.full((3000, 4000), 200, np.uint8), quality=70)
    smallest = save(tmp_path / "smallest.png", np.full((420, 300), 255, np.uint8))
    for path in [*files, pdf, fax, photo, smallest]:
        (loaded,) = scan.load_pages(path)
        assert loaded.image.size, path.name


# --- Broken files stay one clean line -------------------------------------------------------


def test_corrupt_files(tmp_path: Path) -> None:
    """Truncated files are covered by test_scan_core's test_load_errors; here files whose
    header is fine and whose body is not."""
    png = io.BytesIO()
    Image.fromarray(page()).save(png, "PNG")
    data = bytearray(png.getvalue())
    start = data.index(b"IDAT") + 4
    data[start : start + 400] = bytes(400)  # compressed data zeroed: zlib fails
    jpeg = cv2.imencode(".jpg", page())[1].tobytes()
    cases = {
        "broken.png": bytes(data),
        "header.jpg": jpeg[:2] + b"\xff\xc0\x00\x03" + bytes(200),  # a frame header cut short
        "junk.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n",
    }
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        message = refused(path)
        assert "corrupt" in message, message


# --- The reader stands apart from the store ---------------------------------------------------


def test_the_scan_package_imports_nothing_of_the_store() -> None:
    code = (
        "import formgen.scan, sys; print(sorted(m for m in sys.modules if m.split('.')[0]"
        " in {'sqlalchemy','click','weasyprint','alembic'}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]", done.stdout
