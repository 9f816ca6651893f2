"""Shared layouts: the forms of a group (a class set) differ only in QR code, form ID
and name, so each group is laid out once as a master page with those parts hidden;
every form's parts are laid out together on one page, cut into pieces, and each printed
page draws its master (a PDF Form XObject, stored once), its own pieces and its QR code.
Here: which forms share a master, where a master hides the parts, the parts page, and
the PDF work on what WeasyPrint hands over (pydyf). ``render.render`` lays the pages out
and falls back to the full render when ``NotShared`` is raised."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from formgen.documents.forms import FormSpec
from formgen.documents.layout import boxes
from formgen.documents.qr import qr_bits
from formgen.documents.weasy import page_box


class NotShared(Exception):
    """The parts could not be told apart: the forms are then laid out in full."""


# A one-line stand-in for the name in a master (hidden), a letter no name is made of.
MASTER_NAME = "\u1e8a"
_SHARED_KINDS = ("declaration",)


def groups_of(specs: Sequence[FormSpec]) -> dict[str, list[str]]:
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


def as_master(spec: FormSpec, key: str) -> FormSpec:
    return dataclasses.replace(spec, form_id=key, name=None if spec.name is None else MASTER_NAME)


def only_in_parts(html: str, key: str) -> bool:
    """Whether a master prints its form ID and name only where they are drawn per form
    (data-pf): the shipped templates do; a faculty's own might not."""
    fids = html.count('data-pf="fid"')
    names = html.count('data-pf="name"')
    return html.count(f">{key}<") == fids and html.count(MASTER_NAME) == names


def pages_by_owner(document: Any) -> dict[str, list[Any]]:
    """Each owner's pages, in order."""
    found: dict[str, list[Any]] = {}
    for page in document.pages:
        owners = []
        level = [page_box(page)]
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
    for box in boxes(page_box(page)):
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


def parts_html(
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


def check_parts(partdoc: Any, expected: Mapping[int, float]) -> set[str]:
    """The forms whose printed name is not exactly as tall as the master's line (a
    name that wraps, or a script whose font makes the line taller)."""
    if len(partdoc.pages) != 1:
        raise NotShared("the parts did not stay on one page")
    late: set[str] = set()
    seen: set[int] = set()
    for box in boxes(page_box(partdoc.pages[0])):
        element = getattr(box, "element", None)
        if element is None or "data-part" not in element.attrib or id(element) in seen:
            continue
        seen.add(id(element))
        if abs(box.border_height() - expected[int(element.attrib["data-part"])]) > 1e-6:
            late.add(element.attrib["data-form-id"])
    return late


def copy_layout(layout: Mapping[str, Any], form_id: str) -> dict[str, Any]:
    import copy

    found = copy.deepcopy(dict(layout))
    found["form_id"] = form_id
    return found


@dataclass(frozen=True)
class Slot:
    """A printed page: an existing one (``page``: its index), or one drawn from a master
    (``master``: its index among the hidden pages) and ``parts`` of the parts page."""

    page: int | None
    master: int | None = None
    parts: Sequence[int] = ()
    code: tuple[str, Sequence[float]] | None = None  # QR payload and where (CSS px)


class Finish:
    """Finish the PDF as WeasyPrint hands it over: the shown pages first, then the
    ``masters`` hidden pages, then the parts page. Draw each form page's QR code into
    its place (1-bit, unsmoothed); make the masters Form XObjects; cut the parts page's
    drawing into its parts; build the page tree the slots ask for; ask for one-sided
    printing."""

    def __init__(self, slots: Sequence[Slot], shown: int, masters: int) -> None:
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
                raise NotShared(f"{len(pieces)} pieces for {wanted} parts")
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
        raise NotShared("not a page of parts")
    level = min(depths[texts[0] : texts[-1] + 1])  # between two parts
    first = next(i for i in range(texts[0], -1, -1) if ops[i] == b"q" and depths[i] == level + 1)
    prefix = ops[:first]
    for op in prefix:
        if op not in (b"q", b"W", b"n") and not op.endswith((b" cm", b" re")):
            raise NotShared("the parts page draws more than its parts")
    pieces, start = [], first
    while start < len(ops) and ops[start] == b"q":
        end = next(i for i in range(start, len(ops)) if depths[i] == level)
        pieces.append(ops[start : end + 1])
        start = end + 1
    if ops[start:] != [b"Q"] * level:
        raise NotShared("the parts page ends unexpectedly")
    return prefix, pieces, level


def _one_sided(document: Any, pdf: Any) -> None:
    """Ask the print dialogue for one-sided printing: a person keeps page 1 of a form
    and hands in page 2, so they must be separate sheets."""
    import pydyf

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"Duplex": "/Simplex"})
