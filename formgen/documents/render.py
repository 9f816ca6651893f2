"""Declarations to print-ready PDF, and the exact position of everything a reader needs.

Templates are Jinja2: one structural template per document kind (``formgen/templates``,
overridable by a user folder the datasette way, where ``default:NAME`` is the shipped
template an override may extend) and the words per language in Babel message catalogues
(``formgen/locale``). A batch of forms is laid out by WeasyPrint with one shared
FontConfiguration and stylesheet, then the layout of every box, signature field,
registration mark and QR code is read from WeasyPrint's own boxes, so what the scan
reader looks for is exactly what was printed.

Forms that differ only in QR code, form ID and name (a class set) share one laid-out
master page each; see ``render``. QR codes are drawn into their laid-out place when the
PDF is written, as 1-bit images.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import logging
import re
import struct
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from babel.dates import format_date
from babel.units import format_unit

from formgen import config as config_module
from formgen import rules
from formgen.config import Config, Organisation
from formgen.documents.formid import Instance
from formgen.errors import RenderError
from formgen.rules import Plan

if TYPE_CHECKING:
    from gettext import NullTranslations

    from jinja2 import Environment, Template

# Jinja2 and WeasyPrint are imported where a document is made: commands that
# only read scans or the record start without them.

PX_MM = 25.4 / 96  # CSS px to mm
PAGE_MM = (210.0, 297.0)
LOCALES = {"nl": "nl_NL", "en": "en_GB"}
DOMAIN = "formgen"  # the message catalogues: locale/<lang>/LC_MESSAGES/formgen.mo
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def template_dirs(config: Config) -> list[Path]:
    """User templates first, then the shipped ones (``formgen/templates`` in a wheel,
    the repository's ``templates/`` in a checkout)."""
    shipped = Path(str(resources.files("formgen"))) / "templates"
    if not shipped.is_dir():
        shipped = Path(__file__).resolve().parent.parent.parent / "templates"
    return [d for d in (config.templates_dir, shipped) if d is not None]


@cache
def translations(lang: str, user_dir: Path | None = None) -> NullTranslations:
    """The words of one language: a faculty's own catalogue (``<templates_dir>/locale``)
    first, then the shipped one; without either, the templates' English source."""
    import gettext

    found: NullTranslations | None = None
    for base in (user_dir / "locale" if user_dir else None, LOCALE_DIR):
        path = base / lang / "LC_MESSAGES" / f"{DOMAIN}.mo" if base else None
        if path is None or not path.is_file():
            continue
        with path.open("rb") as file:
            catalogue = gettext.GNUTranslations(file)
        if found is None:
            found = catalogue
        else:
            found.add_fallback(catalogue)
    return found or gettext.NullTranslations()


# The words templates are rendered in: one environment (each template compiled once)
# serves every language, the language being the renderer's, thread by thread.
_WORDS: ContextVar[NullTranslations | None] = ContextVar("formgen_words", default=None)


def _words() -> NullTranslations:
    import gettext

    return _WORDS.get() or gettext.NullTranslations()


def _gettext(message: str) -> str:
    return _words().gettext(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _words().ngettext(singular, plural, count)


_OPTIONS: dict[str, Any] = {
    # No trim_blocks: a newline after a tag is the space between two sentences in HTML;
    # the plain-text description controls its whitespace with "-".
    "lstrip_blocks": True,
    "extensions": ["jinja2.ext.i18n"],
}


def _bytecode_cache() -> Any:
    """Compiled templates kept between processes: compiling the declaration costs a
    command some 0.1 s. Jinja's own per-user directory (mode 700, checked); a template
    changed on disk (a faculty's override too) is compiled afresh. Templates hold no
    personal data. Without a safe directory, or when it cannot be read or written (a
    full disk), templates are simply compiled each time."""
    from jinja2 import FileSystemBytecodeCache

    class Cache(FileSystemBytecodeCache):
        def load_bytecode(self, bucket: Any) -> None:
            with suppress(OSError):
                super().load_bytecode(bucket)

        def dump_bytecode(self, bucket: Any) -> None:
            with suppress(OSError):
                super().dump_bytecode(bucket)

    try:
        # The environment's options shape the compiled code: the files are named by them.
        options = zlib.crc32(repr(sorted(_OPTIONS.items())).encode())
        return Cache(pattern=f"formgen-{options:08x}-%s.cache")
    except (OSError, RuntimeError):
        return None


@cache
def _environment(dirs: tuple[Path, ...]) -> Environment:
    from jinja2 import (
        ChoiceLoader,
        Environment,
        FileSystemLoader,
        PrefixLoader,
        StrictUndefined,
        select_autoescape,
    )

    shipped = FileSystemLoader(str(dirs[-1]))
    env = Environment(
        bytecode_cache=_bytecode_cache(),
        loader=ChoiceLoader(
            [FileSystemLoader(str(d)) for d in dirs]
            # "default:declaration.html" is always the shipped one, so an override can
            # extend it and replace a block.
            + [PrefixLoader({"default": shipped}, delimiter=":")]
        ),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        **_OPTIONS,
    )
    env.policies["ext.i18n.trimmed"] = True
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


def environment(config: Config) -> Environment:
    return _environment(tuple(template_dirs(config)))


def template(config: Config, lang: str, name: str) -> Template:
    """A document's template: an old-style per-language override (``<lang>/<name>``)
    if a faculty has one, else the one template for all languages."""
    return environment(config).select_template([f"{lang}/{name}", name])


def render_template(config: Config, language: str, name: str, /, **context: Any) -> str:
    """A template rendered in a language's words (``context`` may hold ``lang`` too)."""
    dirs = template_dirs(config)
    user = dirs[0] if len(dirs) > 1 else None
    token = _WORDS.set(translations(language, user))
    try:
        return template(config, language, name).render(**context)
    finally:
        _WORDS.reset(token)


def long_date(day: dt.date, lang: str) -> str:
    return format_date(day, format="long", locale=LOCALES.get(lang, lang))


def period_text(amount: int, unit: str, lang: str) -> str:
    return format_unit(
        amount, f"duration-{unit.rstrip('s')}", locale=LOCALES.get(lang, lang), length="long"
    )


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("januari", "january"),
            ("februari", "february"),
            ("maart", "march"),
            ("april",),
            ("mei", "may"),
            ("juni", "june"),
            ("juli", "july"),
            ("augustus", "august"),
            ("september",),
            ("oktober", "october"),
            ("november",),
            ("december",),
        ),
        start=1,
    )
    for name in names
}


def version_text(version: str, lang: str) -> str:
    """The procedure's version in the reader's language when it is a date ("20 augustus
    2020" or 2020-08-20 prints as "20 August 2020" in English); anything else as set."""
    day: dt.date | None = None
    try:
        day = dt.date.fromisoformat(version.strip())
    except ValueError:
        parts = version.split()
        if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit():
            month = _MONTHS.get(parts[1].lower())
            if month:
                try:
                    day = dt.date(int(parts[2]), month, int(parts[0]))
                except ValueError:
                    day = None
    return long_date(day, lang) if day else version


def org_view(org: Organisation, lang: str) -> SimpleNamespace:
    """The organisation as the templates see it: every configured field, and its name,
    faculty and procedure version in the reader's language (fields without a suffix are
    Dutch; other languages use the ``_en`` ones)."""
    values = dataclasses.asdict(org)

    def local(name: str) -> str:
        if lang == "nl":
            return str(values[name])
        return str(values.get(f"{name}_{lang}") or values.get(f"{name}_en") or values[name])

    return SimpleNamespace(
        **values,
        local_name=local("name"),
        local_faculty=local("faculty"),
        local_storage_location=local("storage_location"),
        # as people type it ("www.hva.nl"): the scheme is noise on paper (B1)
        website_shown=org.website.removeprefix("https://").removeprefix("http://").rstrip("/"),
        version=version_text(org.procedure_version, lang),
    )


# How a Dutch letter greets someone whose title was typed abbreviated: "Beste mevrouw De
# Wit," (B1), never "Beste Mw. De Wit,".
_DUTCH_TITLES = {
    "mw.": "mevrouw",
    "mw": "mevrouw",
    "mevr.": "mevrouw",
    "mevr": "mevrouw",
    "mevrouw": "mevrouw",
    "dhr.": "meneer",
    "dhr": "meneer",
    "hr.": "meneer",
    "meneer": "meneer",
    "de heer": "meneer",
}


def salutation(contact: str, lang: str) -> str:
    """The name after "Beste"/"Dear": in Dutch an abbreviated title written out."""
    words = contact.split()
    if lang != "nl" or len(words) < 2:
        return contact
    for size in (2, 1):
        title = " ".join(words[:size]).lower()
        if title in _DUTCH_TITLES and len(words) > size:
            return " ".join([_DUTCH_TITLES[title], *words[size:]])
    return contact


# --- QR codes ---------------------------------------------------------------------------


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
    """A page that is not a form (a covering letter): no QR, nothing to read back.
    ``context`` holds ``lang``."""

    template: str
    context: Mapping[str, Any]


@dataclass
class Rendered:
    pdf: bytes
    layouts: dict[str, dict[str, Any]]  # form_id -> layout (docs/contract.md shape)
    pages: dict[str, int]


def recording_context(
    recording: Any, config: Config, lang: str, today: dt.date | None = None
) -> dict[str, Any]:
    """What the templates may say about a recording, in the form's language. The period
    printed is the one the deletion date amounts to (an extended retention included)."""
    plan: Plan = recording.plan
    day = today or config_module.today(config)
    amount, unit = rules.period_between(recording.recorded_on, recording.delete_by)
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
        "retention": period_text(amount, unit, lang),
        # How long the form is kept as proof after the recording's destruction.
        "proof_kept": period_text(config.proof_after.amount, config.proof_after.unit, lang),
        "media": str(plan.media),
        "livestream": plan.livestream,
        "livestream_stored": plan.livestream_stored,
        "livestream_service": config.livestream_service,
        "view360": plan.view360,
        "recorded": recording.recorded_on < day,  # past tense for a recording made
        "back_to": rules.signed_page_back_to(recording.situation),
        "contact": None,  # the institution's contact person, when a request names one
        "return_by": long_date(rules.return_before(recording.recorded_on, day), lang),
        "reconsent": None,  # {"purpose_before" | "delete_by_before"} on a later round
    }


# A stand-in image for a template that still asks for its QR code in a master.
BLANK_PNG = (
    "data:image/png;base64,"
    + base64.b64encode(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x01\x00\x00\x00\x007n"
        b"\xf9$\x00\x00\x00\nIDATx\x9cc\xf8\x0f\x00\x01\x01\x01\x00\x18\xdd\x8d\xb0\x00\x00\x00\x00"
        b"IEND\xaeB`\x82"
    ).decode()
)


def form_html(
    spec: FormSpec,
    config: Config,
    *,
    qr: Callable[[int], str] | None,
    master: bool = False,
    receipt: bool = False,
) -> str:
    """A form's template filled in: the context every form gets, with ``qr(page)`` the
    image of a page's QR code (None: no code, and so no registration marks either)."""
    return render_template(
        config,
        spec.lang,
        f"{spec.kind}.html",
        **{
            **spec.context,
            "form_id": spec.form_id,
            "lang": spec.lang,
            "variant": spec.variant,
            "name": spec.name,
            "clauses": list(spec.clauses),
            "org": org_view(config.org, spec.lang),
            "qr": qr,
            "master": master,
            "receipt": receipt,  # a form on paper is never a receipt (render_receipt)
        },
    )


def _sheet_html(spec: FormSpec, instance: Instance, config: Config, master: bool = False) -> str:
    def qr(page: int) -> str:
        if master:  # hidden in a master: any image of the same box will do
            return BLANK_PNG
        return qr_data_uri(instance.payload(spec.form_id, page))

    return form_html(spec, config, qr=qr, master=master)


def _page_html(page: Page, config: Config) -> str:
    lang = page.context["lang"]
    return render_template(
        config, lang, page.template, **{**page.context, "org": org_view(config.org, lang)}
    )


def build_html(
    specs: Iterable[FormSpec], instance: Instance, config: Config, before: Iterable[Page] = ()
) -> str:
    """The HTML of a full render (what ``render(shared=False)`` lays out)."""
    letters = [_owned("", "".join(_page_html(page, config) for page in before))] * bool(before)
    forms = [_owned(spec.form_id, _sheet_html(spec, instance, config)) for spec in specs]
    return environment(config).get_template("document.html").render(body="".join(letters + forms))


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
    *,
    shared: bool = True,
) -> Rendered:
    """One PDF with ``before`` (letters) and the forms of ``specs`` in order, and every
    form's layout as read from WeasyPrint's boxes.

    The declarations of a group (same recording, language, variant and clauses) differ
    only in their QR codes, form ID and name. With ``shared``, each group of two or more
    is laid out once, as a master with those parts hidden; every form's parts are laid
    out together, each where its master has it; each printed page then draws its master
    page (a PDF Form XObject, stored once) and its own parts. The result is the full
    render's layout, words and pixels (a test compares both paths); a form whose name
    needs another line height than the master's is rendered in full."""
    try:
        return _render(specs, instance, config, progress, before, shared)
    except _NotShared:  # the parts could not be told apart: lay every form out in full
        return _render(specs, instance, config, progress, before, False)


class _NotShared(Exception):
    pass


def _render(
    specs: Sequence[FormSpec],
    instance: Instance,
    config: Config,
    progress: Callable[[int], None] | None,
    before: Sequence[Page],
    shared: bool,
) -> Rendered:
    HTML, fonts = _weasy()
    base = str(template_dirs(config)[-1])
    css = environment(config).get_template("document.html")

    def document(bodies: Sequence[str]) -> Any:
        return HTML(string=css.render(body="".join(bodies)), base_url=base).render(
            font_config=fonts
        )

    groups = _groups(specs) if shared else {}
    by_id = {spec.form_id: spec for spec in specs}
    masters: dict[str, str] = {}
    for key, members in list(groups.items()):
        html = _sheet_html(_as_master(by_id[members[0]], key), instance, config, master=True)
        if _only_in_parts(html, key):
            masters[key] = html
        else:  # a template of a faculty's own prints ID or name elsewhere: in full
            del groups[key]
    grouped = {form_id: key for key, members in groups.items() for form_id in members}
    singles = [spec for spec in specs if spec.form_id not in grouped]
    with weasyprint_problems() as problems:
        main = document(
            [_owned("", "".join(_page_html(page, config) for page in before))] * bool(before)
            + [_owned(spec.form_id, _sheet_html(spec, instance, config)) for spec in singles]
            + [_owned(key, html) for key, html in masters.items()]
        )
        layouts, pages = read_layout(main)
        by_owner = _pages_by_owner(main)
        parts: dict[tuple[str, int], list[int]] = {}  # (form ID, page) -> its parts
        hidden: list[Any] = []  # pages drawn only as part of others
        if groups:
            html, parts, expected = _parts_html(groups, {s.form_id: s for s in specs}, by_owner)
            partdoc = document([html])
            late = _check_parts(partdoc, expected)
            for form_id in late:
                del grouped[form_id]
            for form_id, key in grouped.items():
                layouts[form_id] = _copy_layout(layouts[key], form_id)
                pages[form_id] = pages[key]
            if late:  # names that need another line height: rendered in full
                extra = document(
                    [
                        _owned(s.form_id, _sheet_html(s, instance, config))
                        for s in specs
                        if s.form_id in late
                    ]
                )
                more_layouts, more_pages = read_layout(extra)
                layouts.update(more_layouts)
                pages.update(more_pages)
                by_owner.update(_pages_by_owner(extra))
            hidden = [page for key in groups for page in by_owner[key]] + list(partdoc.pages)
        shown = list(by_owner.get("", []))
        slots: list[_Slot] = [_Slot(n) for n in range(len(shown))]
        for spec in specs:
            key = grouped.get(spec.form_id)
            sheets = {sheet["_page"]: sheet for sheet in layouts[spec.form_id]["pages"]}
            own = by_owner[key] if key else by_owner[spec.form_id]
            for number, page in enumerate(own, start=1):
                sheet = sheets.get(id(page))  # None: a letter that comes with the form
                code = sheet and (instance.payload(spec.form_id, sheet["page"]), sheet["_qr_px"])
                if key:
                    slots.append(_Slot(None, hidden.index(page), parts[spec.form_id, number], code))
                else:
                    slots.append(_Slot(len(shown), code=code))
                    shown.append(page)
            if progress:
                progress(pages[spec.form_id])
        combined = main.copy(shown + hidden)
        finish = _Finish(slots, len(shown), len(hidden) - (len(partdoc.pages) if groups else 0))
        pdf = combined.write_pdf(finisher=finish)
    if problems:
        raise RenderError("WeasyPrint: " + "; ".join(r.getMessage() for r in problems[:3]))
    missing = [s.form_id for s in specs if s.form_id not in layouts]
    if missing:
        raise RenderError(f"forms missing from the rendered document: {', '.join(missing)}")
    for spec in specs:
        _check_layout(spec, layouts[spec.form_id])
    return Rendered(
        pdf,
        {s.form_id: layouts[s.form_id] for s in specs},
        {s.form_id: pages[s.form_id] for s in specs},
    )


# --- Receipts: what a person answered online, as the declaration they answered ----------

RECEIPT_RELATIONS = ("parent", "guardian")


def _check_online(spec: FormSpec) -> Mapping[str, Any]:
    """The online answer a receipt shows (``spec.context["online"]``), refused when a
    clause has no answer or a value is not one the form can show."""
    online = spec.context.get("online")
    where = f"the receipt of form {spec.form_id}"
    if spec.kind != "declaration":
        raise RenderError(f"{where}: only a declaration has a receipt, not a {spec.kind}")
    if not isinstance(online, Mapping):
        raise RenderError(f"{where}: no online answer to show")
    answers = online.get("answers")
    if not isinstance(answers, Mapping) or set(answers) != set(spec.clauses):
        raise RenderError(f"{where}: the answers do not match the form's clauses")
    if any(answers[key] not in ("yes", "no") for key in spec.clauses):
        raise RenderError(f"{where}: every answer must be yes or no")
    for key in ("signer", "email", "confirmed"):
        value = online.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RenderError(f"{where}: {key} is missing")
    if spec.variant == "parent" and online.get("relation") not in (*RECEIPT_RELATIONS, None):
        raise RenderError(f"{where}: the relation must be parent or guardian")
    agrees = online.get("child_agrees")
    if agrees is not None and spec.variant != "parent":
        raise RenderError(f"{where}: only a parental form has the child's own line")
    if agrees is not None and not isinstance(agrees, str):
        raise RenderError(f"{where}: the child's own line must be text")
    missing = unprintable(online["signer"] + online["email"] + (agrees or ""))
    if missing:
        raise RenderError(f"{where}: no installed font can print {''.join(missing)!r}")
    return online


def _receipt_html(spec: FormSpec, config: Config) -> str:
    """The declaration's template as a receipt: no QR code (so no registration marks
    either) and the answers of ``spec.context["online"]``."""
    return form_html(spec, config, qr=None, receipt=True)


def _check_receipt(spec: FormSpec, layout: dict[str, Any]) -> None:
    """A receipt must fit its pages and show every clause's pair of boxes, and carry
    nothing a scan reader would take for a paper answer (QR code, registration marks)."""
    for sheet in layout["pages"]:
        where = f"the receipt of form {spec.form_id}, page {sheet['page']}"
        if sheet["qr"] is not None or sheet["marks"]:
            raise RenderError(f"{where} carries a QR code or registration marks")
        limit = sheet.pop("limit")
        bottom = sheet.pop("content_bottom")
        sheet.pop("_qr_px", None)
        sheet.pop("_page", None)
        if limit is not None and bottom > limit[1] + 0.01:
            raise RenderError(
                f"{where}: the text does not fit on the page ({bottom - limit[1]:.1f} mm over)"
            )
    answers = {(b["clause"], b["answer"]) for s in layout["pages"] for b in s["boxes"]}
    if answers != {(c, a) for c in spec.clauses for a in ("yes", "no")}:
        raise RenderError(f"the receipt of form {spec.form_id}: boxes {sorted(answers)} != clauses")


def receipt_document(spec: FormSpec, config: Config) -> Rendered:
    """The receipt (see ``render_receipt``) with its layout: where each box landed."""
    _check_online(spec)
    HTML, fonts = _weasy()
    base = str(template_dirs(config)[-1])
    body = _owned(spec.form_id, _receipt_html(spec, config))
    html = environment(config).get_template("document.html").render(body=body)
    with weasyprint_problems() as problems:
        document = HTML(string=html, base_url=base).render(font_config=fonts)
        layouts, pages = read_layout(document)
        pdf = document.write_pdf()
    if problems:
        raise RenderError("WeasyPrint: " + "; ".join(r.getMessage() for r in problems[:3]))
    if spec.form_id not in layouts:
        raise RenderError(f"the receipt of form {spec.form_id} is missing from the document")
    _check_receipt(spec, layouts[spec.form_id])
    return Rendered(pdf, {spec.form_id: layouts[spec.form_id]}, pages)


def render_receipt(spec: FormSpec, config: Config) -> bytes:
    """The receipt of an online answer, as PDF: the declaration ``spec`` is (both pages,
    same layout and words) with the answer of ``spec.context["online"]`` filled in:
    ``{"answers": {clause: "yes" | "no"}, "signer": name typed, "relation": "parent" |
    "guardian" | None, "child_agrees": the child's own line of a parental form, or None,
    "email": the confirmed address, "confirmed": when, as printed}``.
    The chosen boxes are ticked, the signer's name is on its line, and the date and
    address of the e-mail confirmation stand where the signature would. It carries the
    form ID but no QR code and no registration marks: it is not a form to hand in, and
    a scan of it is never read as a paper answer. Touches no store."""
    return receipt_document(spec, config).pdf


# --- Shared layouts: one master per group, the per-form parts drawn on top ----------------

# A one-line stand-in for the name in a master (hidden), a letter no name is made of.
MASTER_NAME = "\u1e8a"
_SHARED_KINDS = ("declaration",)


def _groups(specs: Sequence[FormSpec]) -> dict[str, list[str]]:
    """Form IDs by what their pages share: everything but QR code, form ID and name
    (and whether a name is printed at all). Only groups of two or more."""
    import json

    found: dict[str, list[str]] = {}
    for spec in specs:
        if spec.kind not in _SHARED_KINDS:
            continue
        key = json.dumps(
            [
                spec.kind,
                spec.lang,
                spec.variant,
                list(spec.clauses),
                spec.name is None,
                dict(spec.context),
            ],
            sort_keys=True,
            default=str,
        )
        found.setdefault(key, []).append(spec.form_id)
    shared = [members for members in found.values() if len(members) > 1]
    return {f"master:{n}": members for n, members in enumerate(shared)}


def _as_master(spec: FormSpec, key: str) -> FormSpec:
    return dataclasses.replace(spec, form_id=key, name=None if spec.name is None else MASTER_NAME)


def _only_in_parts(html: str, key: str) -> bool:
    """Whether a master prints its form ID and name only where they are drawn per form
    (data-pf): the shipped templates do; a faculty's own might not."""
    fids = html.count('data-pf="fid"')
    names = html.count('data-pf="name"')
    return html.count(f">{key}<") == fids and html.count(MASTER_NAME) == names


def _owned(owner: str, html: str) -> str:
    """Mark whose pages these are: a form's (its letter included), or the covering
    letters' (``""``)."""
    return f'<div data-owner="{owner}">{html}</div>'


def _pages_by_owner(document: Any) -> dict[str, list[Any]]:
    """Each owner's pages, in order."""
    found: dict[str, list[Any]] = {}
    for page in document.pages:
        owners = []
        level = [page._page_box]
        for _ in range(4):  # page, html, body: the owners are the body's children
            level = [child for box in level for child in getattr(box, "children", ())]
            for box in level:
                element = getattr(box, "element", None)
                if element is not None and "data-owner" in element.attrib:
                    owners.append((box.border_height(), element.attrib["data-owner"]))
            if owners:
                break
        if owners:  # the one whose content is on the page (others end or start empty)
            found.setdefault(max(owners)[1], []).append(page)
    return found


def _parts_of(page: Any) -> list[dict[str, Any]]:
    """Where a master page hides its per-form parts: exact CSS px, not rounded."""
    parts = []
    seen: set[int] = set()
    for box in _boxes(page._page_box):
        element = getattr(box, "element", None)
        if element is None or id(element) in seen or "data-pf" not in element.attrib:
            continue
        seen.add(id(element))
        parts.append(
            {
                "pf": element.attrib["data-pf"],
                "class": element.attrib.get("class", ""),
                "x": box.position_x + box.margin_left,
                "y": box.position_y + box.margin_top,
                "w": box.border_width(),
                "h": box.border_height(),
            }
        )
    return parts


def _parts_html(
    groups: Mapping[str, Sequence[str]],
    specs: Mapping[str, FormSpec],
    by_owner: Mapping[str, Sequence[Any]],
) -> tuple[str, dict[tuple[str, int], list[int]], dict[int, float]]:
    """One page with every form's parts, each exactly where its master has it hidden
    (they overlap: the page is never shown, its drawing is cut into one piece per part);
    which pieces each form page draws, in drawing order; and the height each printed
    name must have to fit its master's line. A part that looks the same in the same
    place as one already there (a form's ID at the top of both its pages) is drawn from
    that one's piece: WeasyPrint takes some 1.5 ms a part."""
    from markupsafe import escape

    def at(part: Mapping[str, Any]) -> str:
        return f"position:absolute;left:{part['x']!r}px;top:{part['y']!r}px;"

    html = ['<section class="sheet" data-parts="1">']
    parts: dict[tuple[str, int], list[int]] = {}
    expected: dict[int, float] = {}
    pieces: dict[tuple[Any, ...], int] = {}  # what a part shows, and where -> its piece
    for key, members in groups.items():
        layout = [_parts_of(page) for page in by_owner[key]]
        for form_id in members:
            spec = specs[form_id]
            for number, hidden in enumerate(layout, start=1):
                mine = parts.setdefault((form_id, number), [])
                for part in hidden:
                    if part["pf"] != "fid" and not (part["pf"] == "name" and spec.name):
                        continue
                    # a name's piece is its form's own: a name too tall makes that form late
                    look = (part["pf"], part["class"], part["x"], part["y"], part["w"], form_id)
                    if look in pieces:
                        mine.append(pieces[look])
                        continue
                    piece = pieces[look] = len(pieces)
                    mine.append(piece)
                    if part["pf"] == "fid":
                        html.append(
                            f'<span class="{part["class"]}" style="{at(part)}">{form_id}</span>'
                        )
                    else:
                        expected[piece] = part["h"]
                        html.append(
                            f'<div class="{part["class"]}" data-part="{piece}"'
                            f' data-form-id="{form_id}" lang="{escape(spec.lang)}"'
                            f' style="{at(part)}width:{part["w"]!r}px">{escape(spec.name)}</div>'
                        )
    html.append("</section>")
    return "".join(html), parts, expected


def _check_parts(partdoc: Any, expected: Mapping[int, float]) -> set[str]:
    """The forms whose printed name is not exactly as tall as the master's line (a
    name that wraps, or a script whose font makes the line taller)."""
    if len(partdoc.pages) != 1:
        raise _NotShared("the parts did not stay on one page")
    late: set[str] = set()
    seen: set[int] = set()
    for box in _boxes(partdoc.pages[0]._page_box):
        element = getattr(box, "element", None)
        if element is None or "data-part" not in element.attrib or id(element) in seen:
            continue
        seen.add(id(element))
        if abs(box.border_height() - expected[int(element.attrib["data-part"])]) > 1e-6:
            late.add(element.attrib["data-form-id"])
    return late


def _copy_layout(layout: Mapping[str, Any], form_id: str) -> dict[str, Any]:
    import copy

    found = copy.deepcopy(dict(layout))
    found["form_id"] = form_id
    return found


@dataclass(frozen=True)
class _Slot:
    """A printed page: an existing one (``page``: its index), or one drawn from a master
    (``master``: its index among the hidden pages) and ``parts`` of the parts page."""

    page: int | None
    master: int | None = None
    parts: Sequence[int] = ()
    code: tuple[str, Sequence[float]] | None = None  # QR payload and where (CSS px)


class _Finish:
    """Finish the PDF as WeasyPrint hands it over: the shown pages first, then the
    ``masters`` hidden pages, then the parts page. Draw each form page's QR code into
    its place (1-bit, unsmoothed); make the masters Form XObjects; cut the parts page's
    drawing into its parts; build the page tree the slots ask for; ask for one-sided
    printing."""

    def __init__(self, slots: Sequence[_Slot], shown: int, masters: int) -> None:
        self.slots, self.shown, self.masters = slots, shown, masters

    def __call__(self, document: Any, pdf: Any) -> None:
        import pydyf

        kids = list(pdf.pages["Kids"][::3])
        page_objects = [pdf.objects[n] for n in kids]
        streams = [pdf.objects[_number(page["Contents"])] for page in page_objects]
        resources = pdf.objects[_number(page_objects[0]["Resources"])] if kids else None
        names: list[str] = []
        for n in range(self.masters):
            page, stream = page_objects[self.shown + n], streams[self.shown + n]
            stream.extra.update(
                {
                    "Type": "/XObject",
                    "Subtype": "/Form",
                    "BBox": page["MediaBox"],
                    "Resources": page["Resources"],
                }
            )
            names.append(f"fgMaster{n}")
            resources["XObject"][names[-1]] = stream.reference
        prefix: list[bytes] = []
        pieces: list[list[bytes]] = []
        depth = 0
        if len(kids) > self.shown + self.masters:
            parts_stream = streams[self.shown + self.masters]
            prefix, pieces, depth = _cut(parts_stream.stream)
            wanted = 1 + max((part for slot in self.slots for part in slot.parts), default=-1)
            if len(pieces) < wanted:
                raise _NotShared(f"{len(pieces)} pieces for {wanted} parts")
        order: list[int] = []
        for index, slot in enumerate(self.slots):
            drawn: list[bytes] = []
            if slot.master is not None:
                drawn.append(f"/{names[slot.master]} Do".encode())
            if slot.code is not None:
                drawn.append(self._qr(pdf, resources, index, slot.code, page_objects))
            if slot.page is not None:
                # Before the page's own drawing, in PDF coordinates (its first operator
                # flips them).
                streams[slot.page].stream[0:0] = [b"q", *drawn, b"Q"]
                order.append(kids[slot.page])
                continue
            assert slot.master is not None
            master = page_objects[self.shown + slot.master]
            ops = [b"q", *drawn, b"Q", *prefix]
            for part in slot.parts:
                ops += pieces[part]
            stream = pydyf.Stream(ops + [b"Q"] * depth, compress=True)
            pdf.add_object(stream)
            page = pydyf.Dictionary(
                {
                    key: master[key]
                    for key in ("Type", "Parent", "MediaBox", "Resources", "TrimBox", "BleedBox")
                }
            )
            page["Contents"] = stream.reference
            pdf.add_object(page)
            order.append(page.number)
        for hidden in page_objects[self.shown :]:
            hidden.clear()  # no longer pages: only their drawing is used
        if len(kids) > self.shown + self.masters:
            streams[self.shown + self.masters].stream = []  # cut up and used above
        pdf.pages["Kids"] = pydyf.Array([x for n in order for x in (n, 0, "R")])
        pdf.pages["Count"] = len(order)
        _one_sided(document, pdf)

    @staticmethod
    def _qr(
        pdf: Any,
        resources: Any,
        index: int,
        code: tuple[str, Sequence[float]],
        page_objects: Sequence[Any],
    ) -> bytes:
        import pydyf

        payload, (x, y, w, h) = code
        size, rows = qr_bits(payload)
        image = pydyf.Stream(
            [rows],
            pydyf.Dictionary(
                {
                    "Type": "/XObject",
                    "Subtype": "/Image",
                    "Width": size,
                    "Height": size,
                    "ColorSpace": "/DeviceGray",
                    "BitsPerComponent": 1,
                    "Interpolate": "false",
                }
            ),
            compress=True,
        )
        pdf.add_object(image)
        name = f"fgQR{index}"
        resources["XObject"][name] = image.reference
        height = float(page_objects[0]["MediaBox"][3])  # every page is A4
        scale = 0.75  # CSS px to PDF points
        matrix = (w * scale, 0, 0, h * scale, x * scale, height - (y + h) * scale)
        return f"q {' '.join(f'{v:.6f}' for v in matrix)} cm /{name} Do Q".encode()


def _number(reference: Any) -> int:
    text = reference.decode() if isinstance(reference, bytes) else str(reference)
    return int(text.split()[0])


def _cut(operators: Sequence[Any]) -> tuple[list[bytes], list[list[bytes]], int]:
    """The parts page's operators as (what sets the page up, one piece per part, how many
    graphics states the set-up leaves open). WeasyPrint draws every absolutely placed
    part as one group ``q ... Q``, all at the same depth, in document order; a page
    that looks any other way is refused (and the forms are then laid out in full)."""
    ops = [op if isinstance(op, bytes) else str(op).encode() for op in operators]
    depths, depth = [], 0
    for op in ops:
        depth += (op == b"q") - (op == b"Q")
        depths.append(depth)  # after the operator
    texts = [i for i, op in enumerate(ops) if op == b"BT"]
    if len(texts) < 2 or depth != 0:
        raise _NotShared("not a page of parts")
    level = min(depths[texts[0] : texts[-1] + 1])  # between two parts
    first = next(i for i in range(texts[0], -1, -1) if ops[i] == b"q" and depths[i] == level + 1)
    prefix = ops[:first]
    for op in prefix:
        if op not in (b"q", b"W", b"n") and not op.endswith((b" cm", b" re")):
            raise _NotShared("the parts page draws more than its parts")
    pieces, start = [], first
    while start < len(ops) and ops[start] == b"q":
        end = next(i for i in range(start, len(ops)) if depths[i] == level)
        pieces.append(ops[start : end + 1])
        start = end + 1
    if ops[start:] != [b"Q"] * level:
        raise _NotShared("the parts page ends unexpectedly")
    return prefix, pieces, level


def _one_sided(document: Any, pdf: Any) -> None:
    """Ask the print dialogue for one-sided printing: a person keeps page 1 of a form
    and hands in page 2, so they must be separate sheets."""
    import pydyf

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"Duplex": "/Simplex"})


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
                    "_page": id(page),  # which page it is (internal, like "limit")
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
                # Where to draw the code, unrounded (internal, like "limit").
                sheet["_qr_px"] = (
                    box.position_x + box.margin_left,
                    box.position_y + box.margin_top,
                    box.border_width(),
                    box.border_height(),
                )
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
        sheet.pop("_qr_px", None)
        sheet.pop("_page", None)
        if limit is not None and bottom > limit[1] + 0.01:
            raise RenderError(
                f"{where}: the text does not fit on the page ({bottom - limit[1]:.1f} mm over)"
            )
        rects = [b["rect_mm"] for b in sheet["boxes"]]
        if sheet["signature"]:
            rects.append(sheet["signature"]["rect_mm"])
        for x, y, w, h in rects:
            if x < 0 or y < 0 or x + w > width or y + h > height:
                raise RenderError(f"{where}: a box lies outside the page")
    answers = {(b["clause"], b["answer"]) for s in layout["pages"] for b in s["boxes"]}
    expected = {(c, a) for c in spec.clauses for a in ("yes", "no")}
    if spec.variant == "parent":  # the child's own box, where the template prints it
        answers.discard((rules.CHILD_REFUSES, "yes"))
    if answers != expected:
        raise RenderError(f"form {spec.form_id}: boxes {sorted(answers)} != clauses")


def public_layout(layout: Mapping[str, Any]) -> dict[str, Any]:
    """The shape docs/contract.md prints (registration data stays internal)."""
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
