"""Declarations to print-ready PDF, and the exact position of everything a reader needs.

Templates are Jinja2 (shipped in ``formgen/templates``, overridable by a user folder the
datasette way). A batch of forms is rendered as ONE WeasyPrint document with one shared
FontConfiguration and stylesheet, then the layout of every box, signature field,
registration mark and QR code is read from WeasyPrint's own boxes, so what the scan
reader looks for is exactly what was printed.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.units import format_unit

from .config import Config
from .errors import RenderError
from .formid import Instance
from .rules import Plan

if TYPE_CHECKING:
    from jinja2 import Environment

# Jinja2, qrcode and WeasyPrint are imported where a document is made: commands that
# only read scans or the record start without them.

PX_MM = 25.4 / 96  # CSS px to mm
PAGE_MM = (210.0, 297.0)
LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def template_dirs(config: Config) -> list[Path]:
    """User templates first, then the shipped ones (``formgen/templates`` in a wheel,
    the repository's ``templates/`` in a checkout)."""
    shipped = Path(str(resources.files("formgen"))) / "templates"
    if not shipped.is_dir():
        shipped = Path(__file__).resolve().parent.parent / "templates"
    return [d for d in (config.templates_dir, shipped) if d is not None]


@cache
def _environment(dirs: tuple[Path, ...]) -> Environment:
    from jinja2 import (
        ChoiceLoader,
        Environment,
        FileSystemLoader,
        StrictUndefined,
        select_autoescape,
    )

    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def environment(config: Config) -> Environment:
    return _environment(tuple(template_dirs(config)))


def long_date(day: dt.date, lang: str) -> str:
    return format_date(day, format="long", locale=LOCALES[lang])


def period_text(amount: int, unit: str, lang: str) -> str:
    return format_unit(amount, f"duration-{unit.rstrip('s')}", locale=LOCALES[lang], length="long")


@cache
def qr_data_uri(payload: str) -> str:
    """A QR code as a 1-pixel-per-module PNG; CSS scales it without smoothing, so the
    PDF holds a few hundred bytes per code instead of a vector path."""
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=4)
    code.add_data(payload)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


# --- What a form is made of -------------------------------------------------------------


@dataclass(frozen=True)
class FormSpec:
    """One declaration to render: who, in which language and variant, for what."""

    form_id: str
    kind: str  # template name: "declaration", "withdrawal", ...
    lang: str
    variant: str  # adult | parent
    name: str | None  # None: written by hand
    clauses: Sequence[str]
    context: Mapping[str, Any] = field(default_factory=dict)  # recording, org, ...


@dataclass(frozen=True)
class Page:
    """A page that is not a form (a covering letter): no QR, nothing to read back."""

    template: str
    context: Mapping[str, Any]


@dataclass
class Rendered:
    pdf: bytes
    layouts: dict[str, dict[str, Any]]  # form_id -> layout (spec section 6 shape)
    pages: dict[str, int]


def recording_context(recording: Any, config: Config, lang: str) -> dict[str, Any]:
    """What the templates may say about a recording, in the form's language."""
    plan: Plan = recording.plan
    period = config.retention[plan.purpose]
    return {
        "id": recording.id,
        "title": recording.title,
        "student": recording.student,
        "supervisor": recording.supervisor,
        "situation": str(recording.situation),
        "institution": recording.institution,
        "date": long_date(recording.recorded_on, lang),
        "delete_by": long_date(recording.delete_by, lang),
        "purpose": str(plan.purpose),
        "retention": period_text(period.amount, period.unit, lang),
        "media": str(plan.media),
        "livestream": plan.livestream,
        "livestream_stored": plan.livestream_stored,
        "view360": plan.view360,
    }


def _sheet_html(env: Environment, spec: FormSpec, instance: Instance, config: Config) -> str:
    template = env.get_template(f"{spec.lang}/{spec.kind}.html")

    def qr(page: int) -> str:
        return qr_data_uri(instance.payload(spec.form_id, page))

    return template.render(
        form_id=spec.form_id,
        lang=spec.lang,
        variant=spec.variant,
        name=spec.name,
        clauses=list(spec.clauses),
        org=config.org,
        qr=qr,
        **spec.context,
    )


def build_html(
    specs: Iterable[FormSpec], instance: Instance, config: Config, before: Iterable[Page] = ()
) -> str:
    env = environment(config)
    letters = [env.get_template(page.template).render(**page.context) for page in before]
    forms = [_sheet_html(env, spec, instance, config) for spec in specs]
    return env.get_template("document.html").render(body="".join(letters + forms))


# --- Fonts: whatever formgen accepts must print ------------------------------------------

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
            raise RenderError("the fontconfig library is not installed: no font can be found")
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
        raise RenderError("fontconfig could not load its configuration: no font can be found")
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


# --- WeasyPrint -------------------------------------------------------------------------


@cache
def _weasy() -> tuple[Any, Any]:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    return HTML, FontConfiguration()


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Without libharfbuzz-subset WeasyPrint falls back to fontTools: slower, same
        # PDF. Not a reason to refuse a form (the test suite still fails on it).
        if "HarfBuzz-Subset" not in record.getMessage():
            self.records.append(record)


@contextmanager
def weasyprint_problems() -> Iterator[list[logging.LogRecord]]:
    """Collect WeasyPrint's warnings and errors (a missing image, bad CSS): a form that
    renders with one is not trusted to be what we think was printed."""
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def render(
    specs: Sequence[FormSpec],
    instance: Instance,
    config: Config,
    progress: Callable[[int], None] | None = None,
    before: Sequence[Page] = (),
) -> Rendered:
    HTML, fonts = _weasy()
    html = build_html(specs, instance, config, before)
    with weasyprint_problems() as problems:
        document = HTML(string=html, base_url=str(template_dirs(config)[-1])).render(
            font_config=fonts
        )
        layouts, pages = read_layout(document, progress)
        pdf = document.write_pdf()
    if problems:
        raise RenderError("WeasyPrint: " + "; ".join(r.getMessage() for r in problems[:3]))
    missing = [s.form_id for s in specs if s.form_id not in layouts]
    if missing:
        raise RenderError(f"forms missing from the rendered document: {', '.join(missing)}")
    for spec in specs:
        _check_layout(spec, layouts[spec.form_id])
    return Rendered(pdf, layouts, pages)


def _rect(box: Any) -> list[float]:
    return [
        round((box.position_x + box.margin_left) * PX_MM, 2),
        round((box.position_y + box.margin_top) * PX_MM, 2),
        round(box.border_width() * PX_MM, 2),
        round(box.border_height() * PX_MM, 2),
    ]


def _boxes(box: Any) -> Iterator[Any]:
    """All boxes, including those inside absolutely positioned ones (which WeasyPrint's
    own ``descendants()`` does not enter)."""
    yield box
    inner = getattr(box, "_box", None)  # AbsolutePlaceholder
    for child in getattr(inner or box, "children", ()):
        yield from _boxes(child)


def read_layout(
    document: Any, progress: Callable[[int], None] | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """Walk WeasyPrint's laid-out boxes; every ``data-*`` attribute the templates set is
    a part the reader needs."""
    layouts: dict[str, dict[str, Any]] = {}
    for page in document.pages:
        sheet: dict[str, Any] | None = None
        seen: set[int] = set()
        for box in _boxes(page._page_box):
            element = getattr(box, "element", None)
            # An element's first box is its outer one; its line and text boxes follow.
            if element is None or id(element) in seen:
                continue
            seen.add(id(element))
            attrs = element.attrib
            if "data-form" in attrs and "data-page" in attrs and sheet is None:
                form_id = attrs["data-form"]
                layout = layouts.setdefault(
                    form_id, {"form_id": form_id, "page_size_mm": list(PAGE_MM), "pages": []}
                )
                sheet = {
                    "page": int(attrs["data-page"]),
                    "kind": attrs.get("data-kind", "declaration"),
                    "boxes": [],
                    "signature": None,
                    "fields": [],
                    "marks": [],
                    "qr": None,
                    "limit": None,
                    "content_bottom": 0.0,
                }
                layout["pages"].append(sheet)
                if progress:
                    progress(1)
                continue
            if sheet is None:
                continue
            rect = _rect(box)
            if "data-clause" in attrs:
                sheet["boxes"].append(
                    {
                        "clause": attrs["data-clause"],
                        "answer": attrs["data-answer"],
                        "rect_mm": rect,
                    }
                )
            elif attrs.get("data-field") == "signature":
                sheet["signature"] = {"rect_mm": rect}
            elif "data-field" in attrs:
                sheet["fields"].append({"field": attrs["data-field"], "rect_mm": rect})
            elif "data-mark" in attrs:
                sheet["marks"].append({"mark": attrs["data-mark"], "rect_mm": rect})
            elif "data-qr" in attrs:
                sheet["qr"] = {"rect_mm": rect}
            elif "data-limit" in attrs:
                sheet["limit"] = rect
            elif "data-content" in attrs:
                sheet["content_bottom"] = max(sheet["content_bottom"], rect[1] + rect[3])
    pages = {form_id: len(layout["pages"]) for form_id, layout in layouts.items()}
    return layouts, pages


def _check_layout(spec: FormSpec, layout: Mapping[str, Any]) -> None:
    """Refuse paper the reader could not read back: content running into the footer
    zone, boxes outside the page, a page without its QR or registration marks."""
    width, height = PAGE_MM
    for sheet in layout["pages"]:
        where = f"form {spec.form_id} page {sheet['page']}"
        if sheet["qr"] is None or len(sheet["marks"]) != 4:
            raise RenderError(f"{where} lacks its QR code or registration marks")
        limit = sheet.pop("limit")
        bottom = sheet.pop("content_bottom")
        if limit is not None and bottom > limit[1] + 0.01:
            raise RenderError(f"{where}: the text does not fit on the page")
        rects = [b["rect_mm"] for b in sheet["boxes"]]
        if sheet["signature"]:
            rects.append(sheet["signature"]["rect_mm"])
        for x, y, w, h in rects:
            if x < 0 or y < 0 or x + w > width or y + h > height:
                raise RenderError(f"{where}: a box lies outside the page")
    answers = {(b["clause"], b["answer"]) for s in layout["pages"] for b in s["boxes"]}
    expected = {(c, a) for c in spec.clauses for a in ("yes", "no")}
    if answers != expected:
        raise RenderError(f"form {spec.form_id}: boxes {sorted(answers)} != clauses")


def public_layout(layout: Mapping[str, Any]) -> dict[str, Any]:
    """The shape spec section 6 prints (registration data stays internal)."""
    return {
        "form_id": layout["form_id"],
        "page_size_mm": layout["page_size_mm"],
        "pages": [
            {
                "page": sheet["page"],
                "kind": sheet.get("kind", "declaration"),
                "boxes": sheet["boxes"],
                "signature": sheet["signature"],
                "fields": sheet["fields"],
            }
            for sheet in layout["pages"]
        ],
    }
