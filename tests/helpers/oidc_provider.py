"""A real OpenID Provider on loopback for the tests: pyop (the provider library SATOSA
uses in research-and-education federations) behind a small Starlette app with its own
login page, in a thread of the test process. It speaks as SURFconext does: ``sub``,
``name`` and ``email`` from the userinfo endpoint, ``eduperson_affiliation`` and
``schac_home_organization`` in the ID token.

Only the tests' misbehaviour is added, so that the service's checks can be seen to
refuse it: ``expired`` issues ID tokens that ran out an hour ago, ``wrong_key`` signs
them with a key the provider does not publish (under the published key's ``kid``)."""

from __future__ import annotations

import functools
import html
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import uvicorn
from Cryptodome.PublicKey import RSA
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.exceptions import InvalidAuthenticationRequest, OAuthError
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "formgen-test"
CLIENT_SECRET = "test-client-secret-not-a-real-one"
PASSWORD = "provider password"

# username -> claims, as an institution's directory would release them.
PEOPLE: dict[str, dict[str, Any]] = {
    "sanne": {
        "sub": "sub-student-sanne",
        "name": "Sanne de Vries",
        "email": "s.devries@student.example.nl",
        "eduperson_affiliation": ["student", "member"],
        "schac_home_organization": "example.nl",
    },
    "jansen": {
        "sub": "sub-employee-jansen",
        "name": "Dr. A. Jansen",
        "email": "a.jansen@example.nl",
        "eduperson_affiliation": ["employee", "member"],
        "schac_home_organization": "example.nl",
    },
    "both": {
        "sub": "sub-both",
        "name": "Kim Both",
        "email": "k.both@example.nl",
        "eduperson_affiliation": ["student", "staff"],
        "schac_home_organization": "example.nl",
    },
    "privacy": {
        "sub": "sub-officer",
        "name": "Pat Privacy",
        "email": "privacy@example.nl",
        "eduperson_affiliation": ["employee"],
        "schac_home_organization": "example.nl",
    },
    "visitor": {
        "sub": "sub-visitor",
        "name": "Vera Elders",
        "email": "v.elders@other.example",
        "eduperson_affiliation": ["student"],
        "schac_home_organization": "other.example",
    },
    "alum": {
        "sub": "sub-alum",
        "name": "Ali Alum",
        "email": "a.alum@example.nl",
        "eduperson_affiliation": ["alum"],
        "schac_home_organization": "example.nl",
    },
}
RELEASED_IN_ID_TOKEN = ("eduperson_affiliation", "schac_home_organization")

LOGIN_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Example University login</title></head><body><h1>Example University</h1>
<form method="post" action="/login">
<input type="hidden" name="request" value="{request}">
<label for="username">Username</label><input id="username" name="username">
<label for="password">Password</label><input id="password" name="password" type="password">
<button type="submit">Log in</button></form></body></html>"""


@functools.cache
def _key(role: str) -> RSAKey:
    """The provider's signing key (``published``) or the rogue one, both under the kid
    ``test-key`` (only the signature tells them apart). One of each per test process:
    generating a 2048-bit RSA key costs 0.2 to 0.6 s, more than most sign-in tests."""
    return RSAKey(key=RSA.generate(2048), kid="test-key", alg="RS256", use="sig")


@dataclass
class LoopbackProvider:
    issuer: str
    redirect_uri: str
    post_logout_uri: str
    expired: bool = False
    wrong_key: bool = False
    logged_out: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = _key("published")
        self.rogue = _key("rogue")
        self.op = Provider(
            self.key,
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/logout",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "scopes_supported": ["openid", "profile", "email"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
                "code_challenge_methods_supported": ["S256"],
            },
            AuthorizationState(HashBasedSubjectIdentifierFactory("test salt")),
            {
                CLIENT_ID: {
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": [self.redirect_uri],
                    "response_types": ["code"],
                    "token_endpoint_auth_method": "client_secret_basic",
                    "post_logout_redirect_uris": [self.post_logout_uri],
                }
            },
            Userinfo(PEOPLE),
        )
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/login", self.login, methods=["POST"]),
                Route("/token", self.token, methods=["POST"]),
                Route("/userinfo", self.userinfo, methods=["GET", "POST"]),
                Route("/logout", self.logout),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(self.op.provider_configuration.to_dict())

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(self.op.jwks)

    async def authorize(self, request: Request) -> Response:
        query = request.url.query
        try:
            self.op.parse_authentication_request(query)
        except InvalidAuthenticationRequest as exc:
            return HTMLResponse(f"bad request: {html.escape(str(exc))}", 400)
        return HTMLResponse(LOGIN_PAGE.format(request=html.escape(query)))

    async def login(self, request: Request) -> Response:
        form = await request.form()
        username, query = str(form.get("username", "")), str(form.get("request", ""))
        if username not in PEOPLE or form.get("password") != PASSWORD:
            return HTMLResponse(LOGIN_PAGE.format(request=html.escape(query)), 401)
        auth_request = self.op.parse_authentication_request(query)
        answer = self.op.authorize(auth_request, username)
        return RedirectResponse(answer.request(auth_request["redirect_uri"]), 302)

    async def token(self, request: Request) -> Response:
        body = (await request.body()).decode()
        self.op.id_token_lifetime = -3600 if self.expired else 3600
        self.op.signing_key = self.rogue if self.wrong_key else self.key
        try:
            answer = self.op.handle_token_request(
                body, _authorization(request), extra_id_token_claims=_released
            )
        except OAuthError as exc:
            return JSONResponse({"error": exc.oauth_error, "error_description": str(exc)}, 400)
        finally:
            self.op.signing_key = self.key
        return JSONResponse(answer.to_dict(), headers={"Cache-Control": "no-store"})

    async def userinfo(self, request: Request) -> Response:
        body = (await request.body()).decode()
        try:
            answer = self.op.handle_userinfo_request(body, _authorization(request))
        except (OAuthError, ValueError) as exc:
            return JSONResponse({"error": "invalid_token", "error_description": str(exc)}, 401)
        return JSONResponse(answer.to_dict())

    async def logout(self, request: Request) -> Response:
        params = request.query_params
        self.logged_out.append(params.get("client_id", ""))
        back = params.get("post_logout_redirect_uri")
        if back and params.get("client_id") == CLIENT_ID and back == self.post_logout_uri:
            extra = {"state": params["state"]} if "state" in params else {}
            return RedirectResponse(back + ("?" + urlencode(extra) if extra else ""), 303)
        return HTMLResponse("<p>You have been logged out.</p>")


def _released(user: str, client_id: str) -> dict[str, Any]:
    return {k: PEOPLE[user][k] for k in RELEASED_IN_ID_TOKEN}


def _authorization(request: Request) -> dict[str, str]:
    """pyop looks the header up by its capitalised name."""
    value = request.headers.get("authorization")
    return {"Authorization": value} if value else {}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (an OpenID Provider speaks HTTPS only):
    the certificate, which the client is told to trust, and its key."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "provider.crt", folder / "provider.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


@contextmanager
def running(provider: LoopbackProvider, port: int, folder: Path) -> Iterator[Path]:
    """The provider on https://127.0.0.1:port; yields the certificate to trust."""
    cert_file, key_file = certificate(folder)
    server = uvicorn.Server(
        uvicorn.Config(
            provider.app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            ssl_certfile=str(cert_file),
            ssl_keyfile=str(key_file),
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test OpenID Provider did not start")
        time.sleep(0.05)
    try:
        yield cert_file
    finally:
        server.should_exit = True
        thread.join(timeout=10)
