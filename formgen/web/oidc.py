"""Sign-in with the institution's account: OpenID Connect, as SURFconext offers it.

Authlib does the protocol: discovery from ``{issuer}/.well-known/openid-configuration``,
the authorization code flow with PKCE (S256), ``state`` and ``nonce``, the token request
with the client secret, and the ID token's signature (the provider's JWKS), issuer,
audience, expiry and nonce. Its state waits in a short-lived cookie of its own (Starlette's
SessionMiddleware, signed with a key derived from the store's web secret, only sent to
``/sign-in/oidc``). What the checked claims allow is ``Formgen.institution_sign_in``'s
to decide; no token is kept.

A refusal is a plain page that says why in the person's language; nothing is made.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import warnings
from typing import Any

import httpx

from formgen.words import N_

with warnings.catch_warnings():
    # Authlib 1.9 announces a move from httpx to a package "httpx2" at import, on every
    # start of the server; httpx is the client it uses. Its own module sets an "always"
    # filter, so ours goes after it.
    from authlib import deprecate

    warnings.simplefilter("ignore", deprecate.AuthlibDeprecationWarning)
    from authlib.common.errors import AuthlibBaseError
    from authlib.integrations.starlette_client import OAuth, OAuthError
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from joserfc.errors import JoseError
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from formgen.api import Formgen
from formgen.record.institution import InstitutionRefused
from formgen.web.templating import render

PREFIX = "/sign-in/oidc"
CALLBACK = f"{PREFIX}/callback"
SIGN_OUT = f"{PREFIX}/signed-out"
STATE_COOKIE = "formgen_oidc"
STATE_SECONDS = 600  # the time a person has at the provider's login page
# Claims formgen uses; when the ID token lacks one, the userinfo endpoint is asked.
CLAIMS = ("email", "name", "eduperson_affiliation", "schac_home_organization")

# What a failed check raises: Authlib (state, the provider's error answers), joserfc
# (signature, claims, nonce, expiry), httpx (the provider unreachable), and a malformed
# answer (ValueError, KeyError).
CHECK_FAILED = (AuthlibBaseError, JoseError, httpx.HTTPError, ValueError, KeyError)

log = logging.getLogger("formgen.web")
router = APIRouter(default_response_class=Response)


def install(app: FastAPI, fg: Formgen) -> None:
    """With ``[oidc]`` configured: the routes, the state cookie and the sign-in page's
    button. Without it nothing changes."""
    oidc = fg.config.oidc
    if oidc is None or fg.config.public_url is None:
        return
    oauth = OAuth()
    app.state.oidc = oauth.register(
        "institution",
        client_id=oidc.client_id,
        client_secret=oidc.client_secret,
        server_metadata_url=f"{oidc.issuer}/.well-known/openid-configuration",
        client_kwargs={
            "scope": oidc.scopes,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": "client_secret_basic",
            "timeout": 20,
        },
    )
    key = hmac.new(fg.web_secret(), b"formgen-oidc-state", hashlib.sha256).hexdigest()
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie=STATE_COOKIE,
        max_age=STATE_SECONDS,
        path=PREFIX,
        # Lax, not Strict: the provider sends the person back with a top-level GET from
        # its own site, and the state must come along.
        same_site="lax",
        https_only=fg.config.public_url.startswith("https://"),
    )
    app.include_router(router)
    app.state.templates.globals["institution_sign_in"] = True


def _refused(request: Request, reason: str, status: int = 403) -> Response:
    return render(request, "oidc_refused.html", status=status, reason=reason)


@router.get(PREFIX)
async def start(request: Request) -> Response:
    fg: Formgen = request.app.state.fg
    client = request.app.state.oidc
    try:
        return await client.authorize_redirect(request, f"{fg.config.public_url}{CALLBACK}")
    except CHECK_FAILED as exc:
        log.warning("institution sign-in: provider unreachable (%s)", type(exc).__name__)
        return _refused(request, N_("The institution's sign-in cannot be reached."), 503)


@router.get(CALLBACK)
async def callback(request: Request) -> Response:
    fg: Formgen = request.app.state.fg
    client = request.app.state.oidc
    try:
        metadata = await client.load_server_metadata()
        if metadata.get("issuer", "").rstrip("/") != fg.config.oidc.issuer:  # type: ignore[union-attr]
            raise OAuthError(description="the provider names another issuer")
        token = await client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims:
            raise OAuthError(description="no ID token")
        if any(name not in claims for name in CLAIMS) and metadata.get("userinfo_endpoint"):
            more = dict(await client.userinfo(token=token))
            if more.get("sub") != claims["sub"]:  # OIDC core 5.3.2
                raise OAuthError(description="userinfo is about someone else")
            claims = {**more, **claims}
    except CHECK_FAILED as exc:
        # The kind and the OAuth error code only: a message may quote a token.
        code = getattr(exc, "error", "")
        log.warning("institution sign-in refused: %s %s", type(exc).__name__, code)
        return _refused(request, N_("Your sign-in could not be checked. Please try again."))
    del token  # nothing of it is kept but what the account needs
    try:
        user = await run_in_threadpool(
            fg.institution_sign_in,
            fg.config.oidc.issuer,  # type: ignore[union-attr]
            claims,
        )
    except InstitutionRefused as exc:
        return _refused(request, str(exc))
    return await run_in_threadpool(signed_in, request, user)


def signed_in(request: Request, user: Any) -> Response:
    """The session, as for a password; but the page in between is served, not a
    redirect: the way here began at the provider's site, and a browser does not send a
    SameSite=Strict cookie on a redirect that another site started."""
    from formgen.web.pages import sign_in_response

    response = sign_in_response(request, user)
    page = render(request, "oidc_onward.html", title=N_("Signed in"), target="/recordings")
    for name, value in response.headers.items():
        if name.lower() == "set-cookie":
            page.headers.append(name, value)
    return page


@router.get(SIGN_OUT)
async def signed_out(request: Request) -> Response:
    """After formgen's session has ended: the provider's too, when its discovery offers
    RP-initiated logout; else back to the sign-in page."""
    fg: Formgen = request.app.state.fg
    client = request.app.state.oidc
    try:
        metadata = await client.load_server_metadata()
    except CHECK_FAILED as exc:
        log.warning("institution sign-out: provider unreachable (%s)", type(exc).__name__)
        metadata = {}
    if not metadata.get("end_session_endpoint"):
        return RedirectResponse("/sign-in", status_code=303)
    made = await client.create_logout_url(
        post_logout_redirect_uri=f"{fg.config.public_url}/sign-in",
        client_id=fg.config.oidc.client_id,  # type: ignore[union-attr]
    )
    # A page that moves on, not a redirect: the way here began with the sign-out form,
    # and the Content-Security-Policy (form-action 'self') stops a form's redirect to
    # another site.
    return render(request, "oidc_onward.html", title=N_("Signed out"), target=made["url"])
