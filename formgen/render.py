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
from .formid import Instance
from .rules import Plan

if TYPE_CHECKING:
    from jinja2 import Environment

# Jinja2, qrcode and WeasyPrint are imported where a document is made: commands that
# only read scans or the record start without them.

PX_MM = 25.4 / 96  # CSS px to mm
PAGE_MM = (210.0, 297.0)
LOCALES = {"nl": "nl_NL", "en": "en_GB"}


class RenderError(Exception):
    """A template produced something formgen cannot print or read back."""


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
