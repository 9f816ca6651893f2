"""Who is asking: a person signed in with the session cookie (pages), or a program with a
bearer token (the API). The cookie holds a random secret, signed with the store's web
secret; the store keeps only the secret's hash with the session's CSRF token, which
every form that changes something carries back (or htmx sends as a header).

CSRF is checked by dependencies, never by hand in a route: ``Changing`` (a signed-in
person's change) and ``login_checked`` (the sign-in and setup forms, before there is a
session: a random token in a cookie of its own, signed with the web secret, which the
form carries back)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.datastructures import FormData

from formgen.api import Formgen
from formgen.record.accounts import User

COOKIE = "formgen_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
LOGIN_COOKIE = "formgen_login"  # the sign-in form's CSRF token, before any session
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Person:
    """A signed-in person (or a program acting for an account) and their view of the
    library."""

    user: User
    fg: Formgen  # Formgen.as_user(user): every call checked against rules.may
    csrf: str | None  # None for bearer tokens: no cookie, nothing to forge
    secret: str | None = None  # the session's, to sign out


class SignInNeeded(Exception):
    """A page for signed-in people was asked for without a session."""


class BadCsrf(Exception):
    """A change without the session's CSRF token: refused, nothing changed."""


def signer(request: Request) -> URLSafeSerializer:
    return request.app.state.signer


def cookie_value(request: Request, secret: str) -> str:
    return signer(request).dumps(secret)


def _session_person(request: Request) -> Person | None:
    raw = request.cookies.get(COOKIE)
    if not raw:
        return None
    try:
        secret = signer(request).loads(raw)
    except BadSignature:
        return None
    fg: Formgen = request.app.state.fg
    found = fg.session(str(secret))
    if found is None:
        return None
    return Person(found.user, fg.as_user(found.user), found.csrf, str(secret))


def _token_person(request: Request) -> Person | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    fg: Formgen = request.app.state.fg
    user = fg.token_user(token.strip())
    return None if user is None else Person(user, fg.as_user(user), None)


def person_or_none(request: Request) -> Person | None:
    if not hasattr(request.state, "person"):
        request.state.person = _token_person(request) or _session_person(request)
    return request.state.person


def page_person(request: Request) -> Person:
    """FastAPI dependency of pages: the signed-in person, or a redirect to sign in."""
    person = person_or_none(request)
    if person is None:
        raise SignInNeeded
    return person


async def posted(request: Request) -> AsyncIterator[FormData]:
    """The posted form, parsed on the event loop (parsed once: FastAPI's own form fields
    read the same). Starlette streams a file part to a temporary file, not into memory;
    those files are closed when the request is done (no one else closes them: left to
    the garbage collector, each is an unclosed file). Empty for a body that is not a
    form (JSON)."""
    if not request.headers.get("content-type", "").startswith(FORM_TYPES):
        yield FormData()
        return
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


Posted = Annotated[FormData, Depends(posted)]


def _same(sent: object, expected: str) -> bool:
    # Bytes: compare_digest refuses a str with characters beyond ASCII.
    return isinstance(sent, str) and secrets.compare_digest(
        sent.encode("utf-8", "replace"), expected.encode()
    )


def _sent(request: Request, form: FormData) -> object:
    return request.headers.get(CSRF_HEADER) or form.get(CSRF_FIELD)


def changing_person(
    request: Request, person: Annotated[Person, Depends(page_person)], form: Posted
) -> Person:
    """FastAPI dependency of every change: the signed-in person, whose browser must send
    the session's CSRF token (form field or header); a bearer token has no cookie to
    forge, so nothing to check."""
    if person.csrf is not None and not _same(_sent(request, form), person.csrf):
        raise BadCsrf
    return person


Changing = Annotated[Person, Depends(changing_person)]


def csrf_if_signed_in(request: Request, form: Posted) -> Person | None:
    """For a change anyone may make (the language): a signed-in person's needs their
    token; without a session there is nothing of theirs to change."""
    person = person_or_none(request)
    if person and person.csrf is not None and not _same(_sent(request, form), person.csrf):
        raise BadCsrf
    return person


def _login_signer(request: Request) -> URLSafeSerializer:
    return request.app.state.login_signer


def _login_cookie(request: Request) -> str | None:
    raw = request.cookies.get(LOGIN_COOKIE)
    if not raw:
        return None
    try:
        token = _login_signer(request).loads(raw)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def login_token(request: Request) -> str:
    """The sign-in form's CSRF token: the browser's (from its cookie), else a new one."""
    return _login_cookie(request) or secrets.token_urlsafe(32)


def keep_login_token(request: Request, response: Response, token: str) -> Response:
    """Send the token's cookie with the form that carries it (SameSite=Strict: another
    site's form posts without it)."""
    response.set_cookie(
        LOGIN_COOKIE,
        _login_signer(request).dumps(token),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


def login_checked(request: Request, form: Posted) -> None:
    """FastAPI dependency of the sign-in and setup forms (login CSRF): another site must
    not sign a browser in to an account of its choosing."""
    token = _login_cookie(request)
    if token is None or not _same(_sent(request, form), token):
        raise BadCsrf
