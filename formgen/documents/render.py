"""Declarations to print-ready PDF, and the exact position of everything a reader needs.

A batch of forms is laid out by WeasyPrint with one shared FontConfiguration and
stylesheet, then the layout of every box, signature field, registration mark and QR
code is read from WeasyPrint's own boxes (``layout``), so what the scan reader looks for
is exactly what was printed.

Forms that differ only in QR code, form ID and name (a class set) share one laid-out
master page each (``masters``); see ``render``. QR codes (``qr``) are drawn into their
laid-out place when the PDF is written, as 1-bit images.

This module renders; the parts it is made of live beside it: ``templates`` (Jinja2 and
the message catalogues), ``forms`` (what a form is made of, and its HTML), ``qr``,
``fonts`` (what no installed font can print), ``weasy`` (WeasyPrint itself),
``layout``, ``masters`` and ``receipt``. Their public names are importable from here
too, as they were when this was one module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from formgen.config import Config
from formgen.documents.fonts import unprintable
from formgen.documents.forms import (
    BLANK_PNG,
    FormSpec,
    Page,
    Rendered,
    build_html,
    form_html,
    owned,
    page_html,
    recording_context,
    sheet_html,
)
from formgen.documents.layout import PAGE_MM, PX_MM, check_layout, public_layout, read_layout
from formgen.documents.masters import (
    Finish,
    NotShared,
    Slot,
    as_master,
    check_parts,
    copy_layout,
    groups_of,
    only_in_parts,
    pages_by_owner,
    parts_html,
)
from formgen.documents.qr import qr_bits, qr_data_uri, qr_png
from formgen.documents.receipt import receipt_document, render_receipt
from formgen.documents.templates import (
    LOCALES,
    environment,
    long_date,
    org_view,
    period_text,
    render_template,
    salutation,
    template,
    template_dirs,
    translations,
    version_text,
)
from formgen.documents.weasy import weasy, weasyprint_problems
from formgen.errors import RenderError
from formgen.record.formid import Instance
from formgen.words import N_

__all__ = [
    "BLANK_PNG",
    "LOCALES",
    "PAGE_MM",
    "PX_MM",
    "FormSpec",
    "Page",
    "RenderError",
    "Rendered",
    "build_html",
    "environment",
    "form_html",
    "long_date",
    "org_view",
    "period_text",
    "public_layout",
    "qr_bits",
    "qr_data_uri",
    "qr_png",
    "read_layout",
    "receipt_document",
    "recording_context",
    "render",
    "render_receipt",
    "render_template",
    "salutation",
    "template",
    "template_dirs",
    "translations",
    "unprintable",
    "version_text",
    "weasyprint_problems",
]


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
    except NotShared:  # the parts could not be told apart: lay every form out in full
        return _render(specs, instance, config, progress, before, False)


def _render(
    specs: Sequence[FormSpec],
    instance: Instance,
    config: Config,
    progress: Callable[[int], None] | None,
    before: Sequence[Page],
    shared: bool,
) -> Rendered:
    HTML, fonts = weasy()
    base = str(template_dirs(config)[-1])
    css = environment(config).get_template("document.html")

    def document(bodies: Sequence[str]) -> Any:
        return HTML(string=css.render(body="".join(bodies)), base_url=base).render(
            font_config=fonts
        )

    groups = groups_of(specs) if shared else {}
    by_id = {spec.form_id: spec for spec in specs}
    masters: dict[str, str] = {}
    for key, members in list(groups.items()):
        html = sheet_html(as_master(by_id[members[0]], key), instance, config, master=True)
        if only_in_parts(html, key):
            masters[key] = html
        else:  # a template of a faculty's own prints ID or name elsewhere: in full
            del groups[key]
    grouped = {form_id: key for key, members in groups.items() for form_id in members}
    singles = [spec for spec in specs if spec.form_id not in grouped]
    with weasyprint_problems() as problems:
        main = document(
            [owned("", "".join(page_html(page, config) for page in before))] * bool(before)
            + [owned(spec.form_id, sheet_html(spec, instance, config)) for spec in singles]
            + [owned(key, html) for key, html in masters.items()]
        )
        layouts, pages = read_layout(main)
        by_owner = pages_by_owner(main)
        parts: dict[tuple[str, int], list[int]] = {}  # (form ID, page) -> its parts
        hidden: list[Any] = []  # pages drawn only as part of others
        if groups:
            html, parts, expected = parts_html(groups, {s.form_id: s for s in specs}, by_owner)
            partdoc = document([html])
            late = check_parts(partdoc, expected)
            for form_id in late:
                del grouped[form_id]
            for form_id, key in grouped.items():
                layouts[form_id] = copy_layout(layouts[key], form_id)
                pages[form_id] = pages[key]
            if late:  # names that need another line height: rendered in full
                extra = document(
                    [
                        owned(s.form_id, sheet_html(s, instance, config))
                        for s in specs
                        if s.form_id in late
                    ]
                )
                more_layouts, more_pages = read_layout(extra)
                layouts.update(more_layouts)
                pages.update(more_pages)
                by_owner.update(pages_by_owner(extra))
            hidden = [page for key in groups for page in by_owner[key]] + list(partdoc.pages)
        shown = list(by_owner.get("", []))
        slots: list[Slot] = [Slot(n) for n in range(len(shown))]
        for spec in specs:
            key = grouped.get(spec.form_id)
            sheets = {sheet["_page"]: sheet for sheet in layouts[spec.form_id]["pages"]}
            own = by_owner[key] if key else by_owner[spec.form_id]
            for number, page in enumerate(own, start=1):
                sheet = sheets.get(id(page))  # None: a letter that comes with the form
                code = sheet and (instance.payload(spec.form_id, sheet["page"]), sheet["_qr_px"])
                if key:
                    slots.append(Slot(None, hidden.index(page), parts[spec.form_id, number], code))
                else:
                    slots.append(Slot(len(shown), code=code))
                    shown.append(page)
            if progress:
                progress(pages[spec.form_id])
        combined = main.copy(shown + hidden)
        finish = Finish(slots, len(shown), len(hidden) - (len(partdoc.pages) if groups else 0))
        pdf = combined.write_pdf(finisher=finish)
    if problems:
        raise RenderError(
            N_("WeasyPrint: {problems}"),
            problems="; ".join(r.getMessage() for r in problems[:3]),
        )
    missing = [s.form_id for s in specs if s.form_id not in layouts]
    if missing:
        raise RenderError(
            N_("forms missing from the rendered document: {missing}"), missing=", ".join(missing)
        )
    for spec in specs:
        check_layout(spec, layouts[spec.form_id])
    return Rendered(
        pdf,
        {s.form_id: layouts[s.form_id] for s in specs},
        {s.form_id: pages[s.form_id] for s in specs},
    )
