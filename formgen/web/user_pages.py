"""The users, kept by the officer (the library refuses everyone else, 403): accounts
added and disabled, API tokens issued and revoked, a one-time link to set a new
password, and the page that link opens."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import Response

from formgen.api import NotAllowed
from formgen.errors import Conflict, FormgenError, NotFound, RecordError
from formgen.web.auth import Changing, Person, login_checked, page_person
from formgen.web.ids import SECRET, UserId
from formgen.web.page_tools import not_found
from formgen.web.page_words import plain_day
from formgen.web.templating import render, said
from formgen.words import N_

TokenId = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="An API token's ID")]

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]
ROLES = ("student", "supervisor", "officer")


def _said(request: Request, exc: FormgenError) -> str:
    """The library's refusal in the page's language."""
    return said(request, exc)


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
        day=plain_day,
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
