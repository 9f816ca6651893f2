"""What a form is made of (``FormSpec``, a covering ``Page``, what a render returns)
and the HTML of each: a form's template filled in with the context every form gets."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from formgen import config as config_module
from formgen import rules
from formgen.config import Config
from formgen.documents.qr import qr_data_uri
from formgen.documents.templates import (
    environment,
    long_date,
    org_view,
    period_text,
    render_template,
)
from formgen.record.formid import Instance
from formgen.rules import Plan


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


def sheet_html(spec: FormSpec, instance: Instance, config: Config, master: bool = False) -> str:
    def qr(page: int) -> str:
        if master:  # hidden in a master: any image of the same box will do
            return BLANK_PNG
        return qr_data_uri(instance.payload(spec.form_id, page))

    return form_html(spec, config, qr=qr, master=master)


def page_html(page: Page, config: Config) -> str:
    lang = page.context["lang"]
    return render_template(
        config, lang, page.template, **{**page.context, "org": org_view(config.org, lang)}
    )


def build_html(
    specs: Iterable[FormSpec], instance: Instance, config: Config, before: Iterable[Page] = ()
) -> str:
    """The HTML of a full render (what ``render(shared=False)`` lays out)."""
    letters = [owned("", "".join(page_html(page, config) for page in before))] * bool(before)
    forms = [owned(spec.form_id, sheet_html(spec, instance, config)) for spec in specs]
    return environment(config).get_template("document.html").render(body="".join(letters + forms))


def owned(owner: str, html: str) -> str:
    """Mark whose pages these are: a form's (its letter included), or the covering
    letters' (``""``)."""
    return f'<div data-owner="{owner}">{html}</div>'
