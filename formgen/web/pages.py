"""Pages for people: server-rendered HTML, usable without JavaScript for reading; htmx
for partial updates. Each route asks the library as the signed-in person
(``person.fg``) and renders a template; no rule is decided here."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from formgen.record.accounts import SignInRefused, User
from formgen.web import i18n
from formgen.web.auth import (
    COOKIE,
    Changing,
    Person,
    cookie_value,
    csrf_if_signed_in,
    keep_login_token,
    login_checked,
    login_token,
    person_or_none,
)
from formgen.web.ids import SECRET
from formgen.web.templating import render, said

router = APIRouter(default_response_class=Response)


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def home(request: Request) -> Response:
    return see_other("/recordings" if person_or_none(request) else "/sign-in")


def login_form(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """The sign-in or setup form, with its CSRF token (there is no session yet)."""
    token = login_token(request)
    response = render(request, template, status=status, login_csrf=token, **context)
    return keep_login_token(request, response, token)


@router.get("/sign-in")
def sign_in_page(request: Request) -> Response:
    return login_form(request, "sign_in.html")


@router.post("/sign-in", dependencies=[Depends(login_checked)])
def sign_in(
    request: Request, email: Annotated[str, Form()], password: Annotated[str, Form()]
) -> Response:
    fg = request.app.state.fg
    # The address the connection came from: uvicorn replaces it with X-Forwarded-For only
    # for a proxy named in [service] trusted_proxies.
    client = request.client.host if request.client else ""
    try:
        user = fg.authenticate(email, password, client)
    except SignInRefused as exc:
        return login_form(request, "sign_in.html", 401, problem=said(request, exc), email=email)
    return sign_in_response(request, user)


@router.post("/sign-out")
def sign_out(request: Request, person: Changing) -> Response:
    if person.secret:
        request.app.state.fg.end_session(person.secret)
    # Signed in with the institution: on to its provider's sign-out, where it has one.
    institution = person.user.institution and request.app.state.fg.config.oidc
    response = see_other("/sign-in/oidc/signed-out" if institution else "/sign-in")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/language")
def language(
    request: Request,
    person: Annotated[Person | None, Depends(csrf_if_signed_in)],
    lang: Annotated[str, Form()],
    back: Annotated[str, Form()] = "/",
) -> Response:
    """The person's language: kept with their account, and in a cookie (it names only
    the language) for pages before signing in. Back to the page it was chosen on: the
    Referer is never sent (Referrer-Policy: no-referrer), so the form says where."""
    chosen = lang if lang in i18n.LANGS else None
    if person is not None:
        request.app.state.fg.set_lang(person.user.id, chosen)
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back
    response = see_other(back if local else "/")
    if chosen:
        response.set_cookie(i18n.COOKIE, chosen, samesite="strict", max_age=365 * 24 * 3600)
    return response


def not_found(request: Request) -> Response:
    return render(request, "error.html", status=404, status_code=404, title="Not found")


@router.get("/setup/{secret}")
def setup_page(request: Request, secret: str) -> Response:
    # A malformed secret answers like a wrong one, before the store is asked.
    if not re.match(SECRET, secret) or not request.app.state.fg.setup_valid(secret):
        return not_found(request)
    return login_form(request, "setup.html")


@router.post("/setup/{secret}", dependencies=[Depends(login_checked)])
def setup(
    request: Request,
    secret: str,
    name: Annotated[str, Form()],
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    from formgen.errors import NotFound, RecordError

    fg = request.app.state.fg
    if not re.match(SECRET, secret):
        return not_found(request)
    try:
        user = fg.use_setup_link(secret, email=email, name=name, password=password)
    except NotFound:
        return not_found(request)
    except RecordError as exc:
        return login_form(
            request, "setup.html", 422, problem=said(request, exc), name=name, email=email
        )
    return sign_in_response(request, user)


def sign_in_response(request: Request, user: User) -> Response:
    """Signed in: a new session secret every time (no fixation), in an HttpOnly,
    SameSite=Strict cookie signed with the store's web secret."""
    fg = request.app.state.fg
    secret, _ = fg.start_session(user)
    response = see_other("/recordings")
    response.set_cookie(
        COOKIE,
        cookie_value(request, secret),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=14 * 24 * 3600,
        path="/",
    )
    return response
