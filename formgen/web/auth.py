"""Who is asking: a person signed in with the session cookie (pages), or a program with a
bearer token (the API). The cookie holds a random secret, signed with the store's web
secret; the store keeps only the secret's hash with the session's CSRF token, which
every form that changes something carries back (or htmx sends as a header)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from fastapi import Request
from itsdangerous import BadSignature, URLSafeSerializer

from ..accounts import User
from ..api import Formgen

COOKIE = "formgen_session"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


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


async def check_csrf(request: Request, person: Person) -> None:
    """A change from a browser must carry the session's CSRF token (form field or
    header); a bearer token has no cookie to forge."""
    if person.csrf is None:
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        sent = (await request.form()).get(CSRF_FIELD)
    if not isinstance(sent, str) or not secrets.compare_digest(sent, person.csrf):
        raise BadCsrf
