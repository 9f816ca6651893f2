"""WeasyPrint in one place: imported when a document is first made (commands that only
read scans or the record start without it), its warnings collected, and the one
private attribute of its laid-out pages formgen reads."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any


@cache
def weasy() -> tuple[Any, Any]:
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


# Where every form's boxes, signature field, QR code and registration marks landed is
# read from WeasyPrint's laid-out boxes. Its documented API (``Page.width``, ``height``,
# ``links``, ``anchors``, ``bookmarks``) does not hand them out: a page keeps its root
# box as the private ``_page_box``. This function is the only place formgen reads it;
# from there formgen uses the boxes' own names (``descendants``, ``element``,
# ``position_x``, ``margin_left``, ``border_width()``, ...). tests/test_private_uses.py
# fails, naming WeasyPrint and the attribute, when an upgrade removes or changes either.


def page_box(page: Any) -> Any:
    """The root of a laid-out page's box tree (WeasyPrint's private ``Page._page_box``)."""
    return page._page_box
