"""Helpers for tests that render real declarations and look at them as pixels."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pypdfium2 as pdfium

from formgen.documents import render
from formgen.record import records
from formgen.record.formid import new_form_id
from formgen.rules import Media, Plan, Purpose, Situation, clauses_for

from . import test_config

CONFIG = test_config()


def recording(plan: Plan, **overrides: Any) -> records.Recording:
    values: dict[str, Any] = {
        "id": "R-TEST00",
        "title": "Rekenles groep 5",
        "student": "Sam de Vries",
        "supervisor": "Dr. Jansen",
        "situation": Situation.INTERNSHIP,
        "institution": "Basisschool De Regenboog",
        "recorded_on": dt.date(2026, 12, 1),
        "plan": plan,
        "lang": "nl",
        "delete_by": dt.date(2027, 12, 1),
    }
    values.update(overrides)
    return records.Recording(**values)


def spec(
    plan: Plan,
    lang: str,
    variant: str,
    name: str | None = "Ann",
    rec: records.Recording | None = None,
) -> render.FormSpec:
    rec = rec or recording(plan)
    return render.FormSpec(
        form_id=new_form_id(),
        kind="declaration",
        lang=lang,
        variant=variant,
        name=name,
        clauses=[str(c) for c in clauses_for(plan)],
        context=render.recording_context(rec, CONFIG, lang),
    )


def rasterise(pdf: bytes, dpi: int, pages: Sequence[int] | None = None) -> list[np.ndarray]:
    """Grayscale page images, as a scanner would see the clean print."""
    document = pdfium.PdfDocument(pdf)
    try:
        indices = range(len(document)) if pages is None else pages
        images = [document[i].render(scale=dpi / 72, grayscale=True).to_numpy() for i in indices]
        return [(a if a.ndim == 2 else a[..., 0]).copy() for a in images]
    finally:
        document.close()


def text_of(pdf: bytes) -> list[str]:
    """Each page's text, with line breaks (and breaks after hyphens) joined.

    PDFium's text extraction (a twentieth of pypdf's time on a declaration: the tests
    read hundreds of pages). PDFium reports a hyphen that ends a run of text as U+FFFE
    (its "generated hyphen"), so that is read as the hyphen that was printed."""
    pages = []
    document = pdfium.PdfDocument(pdf)
    try:
        for page in document:
            textpage = page.get_textpage()
            raw = textpage.get_text_range().replace("\ufffe", "-")
            textpage.close()
            page.close()
            text = " ".join(raw.split())
            pages.append(re.sub(r"(?<=\w)- (?=\w)", "-", text))
    finally:
        document.close()
    return pages


PLANS = {
    "plain": Plan(Purpose.ASSESSMENT),
    "stream-stored-360": Plan(
        Purpose.ASSESSMENT, livestream=True, livestream_stored=True, view360=True
    ),
    "stream-not-stored": Plan(Purpose.REFLECTION, media=Media.AUDIO, livestream=True),
    "video-360": Plan(Purpose.FINAL_LEVEL, media=Media.VIDEO, view360=True),
}
