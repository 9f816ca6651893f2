"""Layout: where every box, signature field, registration mark and QR code landed, read
from WeasyPrint's own laid-out boxes, so what the scan reader looks for is exactly what
was printed; and the checks that refuse paper the reader could not read back."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from formgen import rules
from formgen.documents.forms import FormSpec
from formgen.documents.weasy import page_box
from formgen.errors import RenderError
from formgen.words import N_

PX_MM = 25.4 / 96  # CSS px to mm
PAGE_MM = (210.0, 297.0)


def _rect(box: Any) -> list[float]:
    return [
        round((box.position_x + box.margin_left) * PX_MM, 2),
        round((box.position_y + box.margin_top) * PX_MM, 2),
        round(box.border_width() * PX_MM, 2),
        round(box.border_height() * PX_MM, 2),
    ]


def boxes(box: Any) -> Iterator[Any]:
    """All boxes in document order, including those inside absolutely positioned ones
    (which WeasyPrint's ``descendants()`` enters only when asked to)."""
    return box.descendants(placeholders=True)


def read_layout(
    document: Any, progress: Callable[[int], None] | None = None
) -> tuple[dict[str, dict[str, Any]], dict[str, int]]:
    """Walk WeasyPrint's laid-out boxes; every ``data-*`` attribute the templates set is
    a part the reader needs."""
    layouts: dict[str, dict[str, Any]] = {}
    for page in document.pages:
        sheet: dict[str, Any] | None = None
        seen: set[int] = set()
        for box in boxes(page_box(page)):
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


def check_layout(spec: FormSpec, layout: Mapping[str, Any]) -> None:
    """Refuse paper the reader could not read back: content running into the footer
    zone, boxes outside the page, a page without its QR or registration marks."""
    width, height = PAGE_MM
    for sheet in layout["pages"]:
        where = f"form {spec.form_id} page {sheet['page']}"
        if sheet["qr"] is None or len(sheet["marks"]) != 4:
            raise RenderError(N_("{where} lacks its QR code or registration marks"), where=where)
        fits(sheet, where)
        rects = [b["rect_mm"] for b in sheet["boxes"]]
        if sheet["signature"]:
            rects.append(sheet["signature"]["rect_mm"])
        for x, y, w, h in rects:
            if x < 0 or y < 0 or x + w > width or y + h > height:
                raise RenderError(N_("{where}: a box lies outside the page"), where=where)
    answers = {(b["clause"], b["answer"]) for s in layout["pages"] for b in s["boxes"]}
    expected = {(c, a) for c in spec.clauses for a in ("yes", "no")}
    if spec.variant == "parent":  # the child's own box, where the template prints it
        answers.discard((rules.CHILD_REFUSES, "yes"))
    if answers != expected:
        raise RenderError(
            N_("form {form}: boxes {boxes} != clauses"), form=spec.form_id, boxes=sorted(answers)
        )


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


def fits(sheet: dict[str, Any], where: str) -> None:
    """Refuse a sheet whose text runs past its page, and drop what only the check needed
    (the limit, where the text ended, the render's own handles)."""
    limit = sheet.pop("limit")
    bottom = sheet.pop("content_bottom")
    sheet.pop("_qr_px", None)
    sheet.pop("_page", None)
    if limit is not None and bottom > limit[1] + 0.01:
        raise RenderError(
            N_("{where}: the text does not fit on the page ({over:.1f} mm over)"),
            where=where,
            over=bottom - limit[1],
        )
