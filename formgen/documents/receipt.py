"""Receipts: what a person answered online, as the declaration they answered (same
pages, same layout and words), with no QR code and no registration marks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from formgen.config import Config
from formgen.documents.fonts import unprintable
from formgen.documents.forms import FormSpec, Rendered, form_html, owned
from formgen.documents.layout import fits, read_layout
from formgen.documents.templates import environment, template_dirs
from formgen.documents.weasy import weasy, weasyprint_problems
from formgen.errors import RenderError
from formgen.words import N_

RECEIPT_RELATIONS = ("parent", "guardian")


def _check_online(spec: FormSpec) -> Mapping[str, Any]:
    """The online answer a receipt shows (``spec.context["online"]``), refused when a
    clause has no answer or a value is not one the form can show."""
    online = spec.context.get("online")
    where = f"the receipt of form {spec.form_id}"
    if spec.kind != "declaration":
        raise RenderError(
            N_("{where}: only a declaration has a receipt, not a {kind}"),
            where=where,
            kind=spec.kind,
        )
    if not isinstance(online, Mapping):
        raise RenderError(N_("{where}: no online answer to show"), where=where)
    answers = online.get("answers")
    if not isinstance(answers, Mapping) or set(answers) != set(spec.clauses):
        raise RenderError(N_("{where}: the answers do not match the form's clauses"), where=where)
    if any(answers[key] not in ("yes", "no") for key in spec.clauses):
        raise RenderError(N_("{where}: every answer must be yes or no"), where=where)
    for key in ("signer", "email", "confirmed"):
        value = online.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RenderError(N_("{where}: {key} is missing"), where=where, key=key)
    if spec.variant == "parent" and online.get("relation") not in (*RECEIPT_RELATIONS, None):
        raise RenderError(N_("{where}: the relation must be parent or guardian"), where=where)
    agrees = online.get("child_agrees")
    if agrees is not None and spec.variant != "parent":
        raise RenderError(N_("{where}: only a parental form has the child's own line"), where=where)
    if agrees is not None and not isinstance(agrees, str):
        raise RenderError(N_("{where}: the child's own line must be text"), where=where)
    missing = unprintable(online["signer"] + online["email"] + (agrees or ""))
    if missing:
        raise RenderError(
            N_("{where}: no installed font can print {characters!r}"),
            where=where,
            characters="".join(missing),
        )
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
            raise RenderError(N_("{where} carries a QR code or registration marks"), where=where)
        fits(sheet, where)
    answers = {(b["clause"], b["answer"]) for s in layout["pages"] for b in s["boxes"]}
    if answers != {(c, a) for c in spec.clauses for a in ("yes", "no")}:
        raise RenderError(
            N_("the receipt of form {form}: boxes {boxes} != clauses"),
            form=spec.form_id,
            boxes=sorted(answers),
        )


def receipt_document(spec: FormSpec, config: Config) -> Rendered:
    """The receipt (see ``render_receipt``) with its layout: where each box landed."""
    _check_online(spec)
    HTML, fonts = weasy()
    base = str(template_dirs(config)[-1])
    body = owned(spec.form_id, _receipt_html(spec, config))
    html = environment(config).get_template("document.html").render(body=body)
    with weasyprint_problems() as problems:
        document = HTML(string=html, base_url=base).render(font_config=fonts)
        layouts, pages = read_layout(document)
        pdf = document.write_pdf()
    if problems:
        raise RenderError(
            N_("WeasyPrint: {problems}"),
            problems="; ".join(r.getMessage() for r in problems[:3]),
        )
    if spec.form_id not in layouts:
        raise RenderError(
            N_("the receipt of form {form} is missing from the document"), form=spec.form_id
        )
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
