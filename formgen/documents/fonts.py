"""Fonts: whatever formgen accepts must print. Which characters no installed font can
show, from fontconfig's own cache, through ctypes."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from formgen.errors import RenderError
from formgen.words import N_

# Default-ignorable code points (Unicode's DerivedCoreProperties): Pango draws them as
# nothing, on purpose, so no font needs them (variation selectors in emoji, joiners).
_IGNORABLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)

_FONTCONFIG_NAMES = ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll")
_coverage_lock = threading.Lock()


def _fontconfig() -> Any:
    """The few fontconfig calls needed, through ctypes (cffi would parse C at run time)."""
    import ctypes
    import ctypes.util

    def load() -> Any:
        for name in _FONTCONFIG_NAMES:
            try:
                return ctypes.CDLL(name)
            except OSError:
                continue
        found = ctypes.util.find_library("fontconfig")  # slow: only when the above fail
        if found is None:
            raise RenderError(N_("the fontconfig library is not installed: no font can be found"))
        return ctypes.CDLL(found)

    class FontSet(ctypes.Structure):
        _fields_ = [
            ("nfont", ctypes.c_int),
            ("sfont", ctypes.c_int),
            ("fonts", ctypes.POINTER(ctypes.c_void_p)),
        ]

    lib = load()
    ptr, out = ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)
    for func, restype, argtypes in (
        ("FcInitLoadConfigAndFonts", ptr, []),
        ("FcConfigDestroy", None, [ptr]),
        ("FcConfigGetFonts", ctypes.POINTER(FontSet), [ptr, ctypes.c_int]),
        ("FcPatternGetCharSet", ctypes.c_int, [ptr, ctypes.c_char_p, ctypes.c_int, out]),
        ("FcPatternGetString", ctypes.c_int, [ptr, ctypes.c_char_p, ctypes.c_int, out]),
        ("FcCharSetCreate", ptr, []),
        ("FcCharSetMerge", ctypes.c_int, [ptr, ptr, ptr]),
        ("FcCharSetHasChar", ctypes.c_int, [ptr, ctypes.c_uint32]),
    ):
        getattr(lib, func).restype = restype
        getattr(lib, func).argtypes = argtypes
    return lib


@cache
def _font_coverage() -> Callable[[int], bool]:
    """Whether some installed font has a glyph for a code point, from the character sets
    fontconfig keeps in its cache for every font: the same fonts and the same data Pango
    falls back through when WeasyPrint lays out text, read in milliseconds (opening the
    font files with fontTools takes seconds on a machine with Noto CJK)."""
    import ctypes

    lib = _fontconfig()
    config = lib.FcInitLoadConfigAndFonts()
    if not config:
        raise RenderError(N_("fontconfig could not load its configuration: no font can be found"))
    try:
        fonts = lib.FcConfigGetFonts(config, 0)  # FcSetSystem
        union = lib.FcCharSetCreate()
        value = ctypes.c_void_p()
        for i in range(fonts.contents.nfont if fonts else 0):
            pattern = fonts.contents.fonts[i]
            # Pango (through HarfBuzz) uses only SFNT fonts; bitmap and Type 1 fonts
            # fontconfig lists would never be chosen.
            if lib.FcPatternGetString(pattern, b"fontformat", 0, ctypes.byref(value)) != 0:
                continue
            if ctypes.string_at(value).lower() not in (b"truetype", b"cff"):
                continue
            if lib.FcPatternGetCharSet(pattern, b"charset", 0, ctypes.byref(value)) == 0:
                lib.FcCharSetMerge(union, value, None)
    finally:
        lib.FcConfigDestroy(config)  # the union is our own copy
    return lambda code: bool(lib.FcCharSetHasChar(union, code))


def unprintable(text: str) -> list[str]:
    """The characters of ``text`` that no installed font can show, each once, in order.
    WeasyPrint would refuse a document with one (a ".notdef" glyph), or for a private-use
    code point silently print nothing. Whitespace, ASCII and default-ignorable characters
    (variation selectors, joiners) never count; fonts a user template loads with
    @font-face do not either. The first call reads fontconfig's cache (some 20 ms); later
    calls cost about a microsecond a character."""
    with _coverage_lock:  # one reading, even with threads calling at once
        has_glyph = _font_coverage()
    missing: list[str] = []
    for char in dict.fromkeys(text):
        if char.isascii() or char.isspace() or _IGNORABLE.match(char):
            continue
        if not has_glyph(ord(char)):
            missing.append(char)
    return missing
