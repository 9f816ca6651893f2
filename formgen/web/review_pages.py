"""The review queue, the due list and the users page.

Review: one item at a time, as the signed-in supervisor (their students' recordings) or
officer (all) may see it: the reader's reason, the crops and the page image (served
from the store), the ink it measured against its thresholds, and the decisions the
library offers for the item. An item someone may not review answers 404, like one that
does not exist or is no longer waiting. Due list and users are refused (403) to roles
the library refuses them to."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException

from formgen.aftercare.review import ReviewItem
from formgen.api import NotAllowed
from formgen.errors import Conflict, FormgenError, NotFound, RecordError
from formgen.rules import Mark, Thresholds, classify_mark
from formgen.web.auth import Changing, Person, login_checked, page_person
from formgen.web.ids import SECRET, ImageName, ItemId, RecordingId, UserId
from formgen.web.templating import render, said
from formgen.words import N_

TokenId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="An API token's ID")]

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
PURPOSES = {
    "reflection": N_("Reflection"),
    "assessment": N_("Assessment"),
    "final-level": N_("Final level"),
}
MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "nl": ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"),
}  # fmt: skip
DUE_WINDOWS = (0, 14, 30)
DUE_OPENS_ON = 30  # what is due within a month: time to plan the destruction
ROLES = ("student", "supervisor", "officer")


def _said(request: Request, exc: FormgenError) -> str:
    """The library's refusal in the page's language."""
    return said(request, exc)


def not_found() -> HTTPException:
    return HTTPException(404)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


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


def _day(day: dt.date, lang: str) -> str:
    """A date as people write it: 3 March 2027, 3 maart 2027."""
    return f"{day.day} {MONTHS.get(lang, MONTHS['en'])[day.month - 1]} {day.year}"


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
        "day": _day,
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
        return _show(request, person, _queue(person), problem=_said(request, exc), partial=partial)
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
        return _show(request, person, _queue(person), problem=_said(request, exc), partial=partial)
    except RecordError as exc:  # e.g. the handwritten name is missing: the same item again
        status = 200 if partial else 422  # htmx swaps only what succeeded
        return _show(
            request, person, _queue(person), item, problem=_said(request, exc), status=status,
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


# --- due list ---------------------------------------------------------------------------


@router.get("/due")
def due(request: Request, person: Signed, within: str = str(DUE_OPENS_ON)) -> Response:
    """Opens on the recordings due within 30 days; a period not in the list (a typed
    URL) is a plain message above the default list, never an error page."""
    problem = None
    if within.strip() in {str(d) for d in DUE_WINDOWS}:
        days = int(within)
    else:
        days, problem = DUE_OPENS_ON, N_("Choose one of the periods in the list.")
    today = person.fg.today()
    rows = person.fg.due(on=today, within=days)  # NotAllowed (403) for students
    shown = []
    for row in rows:
        until = dt.date.fromisoformat(row["delete_by"])
        shown.append({**row, "until": until, "days": (until - today).days})
    shown.sort(key=lambda r: (r["until"], r["title"]))
    proofs = []
    for row in person.fg.proofs_due(on=today, within=days):
        until = dt.date.fromisoformat(row["erase_on"])
        destroyed = dt.date.fromisoformat(row["destroyed_on"])
        proofs.append({**row, "until": until, "destroyed": destroyed, "days": (until - today).days})
    return render(
        request,
        "due.html",
        status=400 if problem else 200,
        rows=shown,
        proofs=proofs,
        within=days,
        windows=DUE_WINDOWS,
        problem=problem,
        purposes=PURPOSES,
        day=_day,
    )


@router.get("/due/audit.csv")
def audit_csv(request: Request, person: Signed) -> Response:
    """The officer's audit table of every recording they may export (the library
    refuses anyone else, 403), as a download that never touches the disk."""
    data = person.fg.consent_csv()
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="formgen-audit.csv"'},
    )


# --- users ------------------------------------------------------------------------------
# Only the officer keeps the users: the library refuses everyone else (NotAllowed, which
# the application answers 403) before anything is read or changed.


def _users_page(request: Request, person: Person, status: int = 200, **context: Any) -> Response:
    people = person.fg.users()
    context.setdefault("form", {})
    tokens = {u.id: person.fg.api_tokens(u.id) for u in people}
    return render(
        request,
        "users.html",
        status=status,
        people=people,
        roles=ROLES,
        tokens=tokens,
        day=_day,
        **context,
    )


@router.get("/users")
def users(request: Request, person: Signed) -> Response:
    return _users_page(request, person)


@router.post("/users")
def add_user(
    request: Request,
    person: Changing,
    email: Annotated[str, Form()],
    name: Annotated[str, Form()],
    role: Annotated[str, Form()],
    password: Annotated[str, Form()],
    lang: Annotated[str, Form()] = "",
) -> Response:
    typed = {"email": email, "name": name, "role": role, "lang": lang}
    try:
        added = person.fg.add_user(
            email, name=name, role=role, password=password, lang=lang or None
        )
    except NotAllowed:
        raise
    except FormgenError as exc:  # already there, not an address, a short password
        code = 409 if isinstance(exc, Conflict) else 422
        return _users_page(request, person, code, problem=_said(request, exc), form=typed)
    return _users_page(request, person, done=(N_("Account added: {}"), added.email))


def _account(person: Person, user_id: str) -> Any:
    """An account by its opaque ID (URLs carry no e-mail addresses)."""
    found = next((u for u in person.fg.users() if u.id == user_id), None)
    if found is None:
        raise not_found()
    return found


@router.post("/users/{user_id}/disabled")
def disable_user(
    request: Request, user_id: UserId, person: Changing, disabled: Annotated[str, Form()]
) -> Response:
    account = _account(person, user_id)
    try:
        changed = person.fg.disable_user(account.email, disabled == "true")
    except NotAllowed:
        raise
    except FormgenError as exc:  # e.g. one's own account
        return _users_page(request, person, 409, problem=_said(request, exc))
    said = N_("Account disabled: {}") if changed.disabled else N_("Account enabled: {}")
    return _users_page(request, person, done=(said, changed.email))


@router.post("/users/{user_id}/token")
def issue_token(request: Request, user_id: UserId, person: Changing) -> Response:
    account = _account(person, user_id)
    try:
        token = person.fg.issue_token(account.email)
    except NotAllowed:
        raise
    except FormgenError as exc:  # e.g. a disabled account
        return _users_page(request, person, 409, problem=_said(request, exc))
    return _users_page(request, person, token=token, token_for=account)


@router.post("/users/{user_id}/password-link")
def password_link(request: Request, user_id: UserId, person: Changing) -> Response:
    """A one-time link for the person to set a new password with: shown to the officer
    only now (the store keeps its hash), to pass on in person or by phone."""
    account = _account(person, user_id)
    try:
        secret = person.fg.password_link(account.id)
    except NotAllowed:
        raise
    except FormgenError as exc:  # a disabled account, one that signs in elsewhere
        return _users_page(request, person, 409, problem=_said(request, exc))
    # The service's public address where one is configured (behind a proxy the request's
    # own host is the proxy's view), else the address the officer reached it at.
    base = person.fg.config.public_url or str(request.base_url)
    link = base.rstrip("/") + f"/password/{secret}"
    return _users_page(request, person, reset_link=link, reset_for=account)


@router.post("/users/{user_id}/tokens/{token_id}/revoked")
def revoke_token(
    request: Request, user_id: UserId, token_id: TokenId, person: Changing
) -> Response:
    account = _account(person, user_id)
    try:
        person.fg.revoke_token(account.id, token_id)
    except NotAllowed:
        raise
    except FormgenError as exc:  # revoked meanwhile
        return _users_page(request, person, 409, problem=_said(request, exc))
    return _users_page(request, person, done=(N_("API token revoked: {}"), account.email))


# --- a new password by a one-time link --------------------------------------------------


@router.get("/password/{secret}")
def new_password_page(request: Request, secret: str) -> Response:
    from formgen.web.pages import login_form, not_found

    # A malformed or spent link answers like one that never existed.
    if not re.match(SECRET, secret) or not request.app.state.fg.password_link_valid(secret):
        return not_found(request)
    return login_form(request, "password.html")


@router.post("/password/{secret}", dependencies=[Depends(login_checked)])
def new_password(request: Request, secret: str, password: Annotated[str, Form()]) -> Response:
    from formgen.web.pages import login_form, not_found, sign_in_response

    if not re.match(SECRET, secret):
        return not_found(request)
    try:
        user = request.app.state.fg.use_password_link(secret, password)
    except NotFound:
        return not_found(request)
    except RecordError as exc:  # too short, too long: the link is not spent
        return login_form(request, "password.html", 422, problem=_said(request, exc))
    return sign_in_response(request, user)


# --- the consent record of one recording, for the officer -------------------------------


@router.get("/recordings/{recording_id}/export.jsonld")
def export_record(recording_id: RecordingId, person: Signed) -> Response:
    """The recording's consent record as JSON-LD (what ``formgen export`` writes), to
    download; the library refuses anyone but the officer (403)."""
    found = person.fg.export(recording_id)
    rec_id = person.fg.recording(recording_id).id
    return Response(
        json.dumps(found, ensure_ascii=False, indent=2).encode(),
        media_type="application/ld+json",
        headers={"Content-Disposition": f'attachment; filename="{rec_id}-consent-record.jsonld"'},
    )
