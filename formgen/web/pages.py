"""Pages for people: server-rendered HTML, usable without JavaScript for reading; htmx
for partial updates. Each route asks the library as the signed-in person
(``person.fg``) and renders a template; no rule is decided here."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ..accounts import SignInRefused, User
from . import i18n, words_problems
from .app import render, request_lang
from .auth import COOKIE, Person, check_csrf, cookie_value, page_person, person_or_none

router = APIRouter(default_response_class=Response)
Signed = Annotated[Person, Depends(page_person)]


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/")
def home(request: Request) -> Response:
    return see_other("/recordings" if person_or_none(request) else "/sign-in")


@router.get("/sign-in")
def sign_in_page(request: Request) -> Response:
    return render(request, "sign_in.html")


@router.post("/sign-in")
def sign_in(
    request: Request, email: Annotated[str, Form()], password: Annotated[str, Form()]
) -> Response:
    fg = request.app.state.fg
    client = request.client.host if request.client else ""
    try:
        user = fg.authenticate(email, password, client)
    except SignInRefused as exc:
        said = words_problems.problem(request_lang(request), str(exc))
        return render(request, "sign_in.html", status=401, problem=said, email=email)
    return sign_in_response(request, user)


@router.post("/sign-out")
async def sign_out(request: Request, person: Signed) -> Response:
    await check_csrf(request, person)
    if person.secret:
        request.app.state.fg.end_session(person.secret)
    # Signed in with the institution: on to its provider's sign-out, where it has one.
    institution = person.user.institution and request.app.state.fg.config.oidc
    response = see_other("/sign-in/oidc/signed-out" if institution else "/sign-in")
    response.delete_cookie(COOKIE, path="/")
    return response


@router.post("/language")
async def language(
    request: Request, lang: Annotated[str, Form()], back: Annotated[str, Form()] = "/"
) -> Response:
    """The person's language: kept with their account, and in a cookie (it names only
    the language) for pages before signing in. Back to the page it was chosen on: the
    Referer is never sent (Referrer-Policy: no-referrer), so the form says where."""
    chosen = lang if lang in i18n.LANGS else None
    person = person_or_none(request)
    if person is not None:
        await check_csrf(request, person)
        request.app.state.fg.set_lang(person.user.id, chosen)
    local = back.startswith("/") and not back.startswith("//") and "\\" not in back
    response = see_other(back if local else "/")
    if chosen:
        response.set_cookie(i18n.COOKIE, chosen, samesite="strict", max_age=365 * 24 * 3600)
    return response


@router.get("/setup/{secret}")
def setup_page(request: Request, secret: str) -> Response:
    if not request.app.state.fg.setup_valid(secret):
        return render(request, "error.html", status=404, status_code=404, title="Not found")
    return render(request, "setup.html")


@router.post("/setup/{secret}")
def setup(
    request: Request,
    secret: str,
    name: Annotated[str, Form()],
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
) -> Response:
    from ..errors import NotFound, RecordError

    fg = request.app.state.fg
    try:
        user = fg.use_setup_link(secret, email=email, name=name, password=password)
    except NotFound:
        return render(request, "error.html", status=404, status_code=404, title="Not found")
    except RecordError as exc:
        said = words_problems.problem(request_lang(request), str(exc))
        return render(request, "setup.html", status=422, problem=said, name=name, email=email)
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
