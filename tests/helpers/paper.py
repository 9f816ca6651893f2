"""Paper made the real way for tests that are not of one module: declarations rendered,
marked as signers would, and scanned."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from formgen import Formgen

from .rendering import rasterise, text_of
from .scans import Fill, blank_backside, degrade, fill_page, save_pdf


def letter_pages(written: Any) -> int:
    """How many pages the covering letter takes (at 12 pt a letter with a return link
    runs onto a second page); three pages a form follow it."""
    return len(text_of(written.data)) - 3 * len(written.forms)


def signed_scan(fg: Formgen, written: Any, path: Path, seed: int = 3) -> Path:
    """Page 3 of every form in the request, ticked yes and signed, on a flatbed, with a
    blank backside after each: what a school's copier makes of the stack."""
    rng = np.random.default_rng(seed)
    pages = rasterise(written.data, 300)
    images = []
    for number, form in enumerate(written.forms):
        sheet = fg.layout(form["form_id"])["pages"][2]
        page = pages[letter_pages(written) + 3 * number + 2]  # the letter, then 3 a form
        filled = fill_page(page, sheet, Fill({"recording": ["yes"]}), rng)
        images += [degrade(filled, "flatbed-200-gray", rng), blank_backside(rng)]
    return save_pdf(path, images)
