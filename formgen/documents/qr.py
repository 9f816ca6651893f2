"""QR codes: encoded by zxing-cpp (the scan reader's own library), drawn as 1-bit
samples for a PDF image, a PNG, or a data URI."""

from __future__ import annotations

import base64
import struct
import zlib
from functools import cache


def _qr_samples(payload: str) -> tuple[int, bytes]:
    """The QR code's side in modules (quiet zone included) and one byte a module (0
    dark, 255 light): error correction M, the smallest version that holds the payload."""
    # zxing-cpp's encoder, the reader's own library: some 0.3 ms a code against 2.7 ms
    # for the pure-Python qrcode package, and a class set prints 60 of them.
    import zxingcpp

    code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = memoryview(code.to_image(scale=1, add_quiet_zones=True))
    return image.shape[0], image.tobytes()  # one byte a module: 0 dark, 255 light


# A module's sample (0 dark, 255 light) as the ASCII digit of its bit (1 = light).
_BIT_DIGITS = bytes(ord("1") if value >= 128 else ord("0") for value in range(256))


def qr_bits(payload: str) -> tuple[int, bytes]:
    """The QR code as 1-bit grey rows (1 = white), each padded to a byte: the samples
    of a PDF image, and of a PNG."""
    size, samples = _qr_samples(payload)
    pad = (-size) % 8
    rows = bytearray()
    for start in range(0, size * size, size):
        bits = int(samples[start : start + size].translate(_BIT_DIGITS), 2)
        rows += ((bits << pad) | ((1 << pad) - 1)).to_bytes((size + pad) // 8, "big")
    return size, bytes(rows)


def qr_png(payload: str) -> bytes:
    """The QR code as a 1-bit PNG with one pixel per module (for a page of the service)."""
    size, rows = qr_bits(payload)
    width = (size + 7) // 8
    raw = b"".join(b"\x00" + rows[i : i + width] for i in range(0, len(rows), width))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


@cache
def qr_data_uri(payload: str) -> str:
    """The QR code for an <img> (a template of a faculty's own may still use one)."""
    return "data:image/png;base64," + base64.b64encode(qr_png(payload)).decode()
