"""The review queue: one item at a time, as the signed-in supervisor (their students'
recordings) or officer (all) may see it: the reader's reason, the crops and the page
image (served from the store), the ink it measured against its thresholds, and the
decisions the library offers for the item. An item someone may not review answers 404,
like one that does not exist or is no longer waiting."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from formgen.aftercare.review import ReviewItem
from formgen.api import NotAllowed
from formgen.errors import Conflict, NotFound, RecordError
from formgen.rules import Mark, Thresholds, classify_mark
from formgen.web.auth import Changing, Person, page_person
from formgen.web.ids import ImageName, ItemId
from formgen.web.page_tools import is_htmx, not_found
from formgen.web.page_words import plain_day
from formgen.web.templating import render, said
from formgen.words import N_

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]

CLAUSES = {
    "recording": N_("Recording for the stated purpose"),
    "livestream": N_("Live streaming"),
    "360": N_("360-degree recording"),
}
# Each decision's button: its words and the single key that clicks it. "given" reads
# "keep given" where the choice is between withdrawing and keeping a consent.
DECISIONS = {
    "given": ("Given", "g"),
    "refused": ("Refused", "r"),
    "no_answer": ("No answer", "n"),
    "withdrawn": ("Withdrawn", "w"),
}
KEEP_GIVEN = (N_("Keep given"), "k")
# The ink alone against the thresholds; the reader also weighs strokes and loops, and
# its verdict is the item's reason.
MARK_WORDS = {
    Mark.EMPTY: N_("below the blank threshold"),
    Mark.MARKED: N_("above the marked threshold"),
    Mark.UNSURE: N_("between the thresholds"),
}
CROP_LABELS = {
    "yes": "Yes box",
    "no": "No box",
    "signature": "Signature",
    "name": N_("Name as written"),
    "signer": N_("Signer's name"),
}


# --- review -----------------------------------------------------------------------------


def _queue(person: Person) -> list[ReviewItem]:
    return person.fg.review_items()


def _gate(person: Person, item: str) -> list[ReviewItem]:
    """The person's queue, if ``item`` is in it; otherwise 404, whether the item does not
    exist, is not theirs to review, or was decided already."""
    items = _queue(person)
    if item not in {i.item for i in items}:
        raise not_found()
    return items


def _percent(value: float, lang: str) -> str:
    text = f"{value * 100:.1f}"
    return text.replace(".", ",") if lang == "nl" else text


def _crops(clause: str, crops: dict[str, str]) -> list[tuple[str, str, str]]:
    """(label, image name, kind) in the order a reviewer reads them: the clause's boxes,
    the signature, the handwritten names."""
    wanted = [(f"{clause}-yes", "yes", "box"), (f"{clause}-no", "no", "box")] + [
        (k, k, "field") for k in ("signature", "name", "signer")
    ]
    return [(CROP_LABELS[label], crops[key], kind) for key, label, kind in wanted if key in crops]


def _item_view(person: Person, items: Sequence[ReviewItem], item: str) -> Any:
    """Everything the item's template shows, or None when it is no longer waiting."""
    fg = person.fg
    ids = [i.item for i in items]
    if item not in ids:
        return None
    try:
        detail = fg.review_item(item)
        decisions = fg.review_decisions(item)
    except (Conflict, NotFound):  # decided (or gone) since the queue was read
        return None
    recording = fg.recording(detail.item.recording_id)
    # Deciding "given" on a form not recorded as signed also records the signature, as
    # seen by the reviewer (rules.review_confirms_signature): they should know.
    signed = next(
        (
            p.signed
            for p in fg.status(recording.id).participants
            if p.form_id == detail.item.form_id
        ),
        True,
    )
    thresholds = Thresholds()
    index = ids.index(item)
    withdrawal = "withdrawn" in decisions
    buttons = [
        (value, *(KEEP_GIVEN if withdrawal and value == "given" else DECISIONS[value]))
        for value in decisions
    ]
    return {
        "detail": detail,
        "item": detail.item,
        "clause_label": CLAUSES.get(detail.item.clause, detail.item.clause),
        "recording": recording,
        "position": index + 1,
        "total": len(ids),
        "next_item": ids[(index + 1) % len(ids)] if len(ids) > 1 else None,
        "buttons": buttons,
        "withdrawal": withdrawal,
        "signed": signed,
        "ink": [
            (answer, value, MARK_WORDS[classify_mark(value, thresholds)])
            for answer, value in (detail.ink or {}).items()
        ],
        "thresholds": thresholds,
        "crops": _crops(detail.item.clause, detail.crops),
    }


def _show(
    request: Request,
    person: Person,
    items: list[ReviewItem],
    first: str | None = None,
    *,
    saved: str | None = None,
    problem: str | None = None,
    status: int = 200,
    partial: bool = False,
) -> Response:
    """The queue at ``first`` (or its first item still waiting)."""
    order = [i.item for i in items]
    if first in order:  # start there, then go on in order
        start = order.index(first)
        order = order[start:] + order[:start]
    view = None
    for candidate in order:
        view = _item_view(person, items, candidate)
        if view is not None:
            break
        items = _queue(person)  # the queue changed under us: read it again
    context = {
        "view": view,
        "saved": saved,
        "problem": problem,
        "waiting": len(items),
        "pct": _percent,
        "day": plain_day,
    }
    template = "_rev_item.html" if partial else "review.html"
    response = render(request, template, status=status, **context)
    if partial:  # the address bar follows the item shown, so a reload shows it again
        item_url = f"/review/{view['item'].item}" if view else "/review"
        response.headers["HX-Replace-Url"] = item_url
    return response


@router.get("/review")
def review_queue(request: Request, person: Signed, saved: str | None = None) -> Response:
    return _show(request, person, _queue(person), saved=saved if saved in DECISIONS else None)


@router.get("/review/{item}")
def review_item(request: Request, item: ItemId, person: Signed) -> Response:
    return _show(request, person, _gate(person, item), item)


@router.get("/review/{item}/images/{name}")
def review_image(request: Request, item: ItemId, name: ImageName, person: Signed) -> Response:
    _gate(person, item)
    try:
        data = person.fg.review_image(item, name)
    except (Conflict, NotFound):
        raise not_found() from None
    return Response(
        data,
        media_type=_image_type(data),
        headers={"Cache-Control": "no-store", "Content-Disposition": "inline"},
    )


def _image_type(data: bytes) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return "application/octet-stream"


@router.post("/review/{item}")
def review_decide(
    request: Request,
    item: ItemId,
    person: Changing,
    decision: Annotated[str, Form()],
    name: Annotated[str | None, Form()] = None,
    reason: Annotated[str | None, Form(max_length=300)] = None,
) -> Response:
    partial = is_htmx(request)
    fg = person.fg
    before = [i.item for i in _queue(person)]
    try:
        offered = fg.review_decisions(item)
    except (NotFound, NotAllowed):  # not theirs to review: as if it did not exist
        raise not_found() from None
    except Conflict as exc:  # decided meanwhile, by someone else
        return _show(request, person, _queue(person), problem=said(request, exc), partial=partial)
    try:
        if decision not in offered:
            raise RecordError(
                N_("{decision} is not a decision for this item"), decision=repr(decision)
            )
        fg.resolve(
            item,
            decision,
            name=(name or "").strip() or None,
            reason=(reason or "").strip() or None,
        )
    except Conflict as exc:
        return _show(request, person, _queue(person), problem=said(request, exc), partial=partial)
    except RecordError as exc:  # e.g. the handwritten name is missing: the same item again
        status = 200 if partial else 422  # htmx swaps only what succeeded
        return _show(
            request, person, _queue(person), item, problem=said(request, exc), status=status,
            partial=partial,
        )  # fmt: skip
    if not partial:  # without JavaScript: post, then see the next item
        return RedirectResponse(f"/review?saved={decision}", status_code=303)
    items = _queue(person)
    waiting = {i.item for i in items}
    # The item that came after the one decided, if it still waits; else the queue's top.
    rest = before[before.index(item) + 1 :] if item in before else []
    after = next((i for i in rest if i in waiting), None)
    return _show(request, person, items, after, saved=decision, partial=True)
