"""People in the service: accounts with a role, passwords (argon2), sessions, API tokens
and one-time links, and sign-in throttling. Secrets are random; the store keeps only
their SHA-256, so a copy of the store lets nobody sign in. Who may do what is
``rules.may``; this module only knows who someone is."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, update

from formgen import rules
from formgen.errors import Conflict, NotFound, RecordError, checked
from formgen.record import records, sealing
from formgen.record.schema import credentials, sign_in_failures, users
from formgen.rules import Role
from formgen.words import N_

SESSION_DAYS = 14
SETUP_HOURS = 24
RESET_HOURS = 24  # a new-password link: long enough to reach the person


@dataclass(frozen=True)
class User:
    id: str
    email: str
    name: str
    role: Role
    lang: str | None
    disabled: bool
    has_password: bool
    institution: bool = False  # signs in with the institution's account (OpenID Connect)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "email": self.email,
            "name": self.name,
            "role": str(self.role),
            "lang": self.lang,
            "disabled": self.disabled,
        }


def _user(conn: Connection, row: Any) -> User:
    return User(
        id=row.id,
        email=sealing.open_account_email(conn, row.id, row.email),
        name=sealing.open_account_name(conn, row.id, row.name),
        role=Role(row.role),
        lang=row.lang,
        disabled=bool(row.disabled),
        has_password=row.password_hash is not None,
        institution=row.subject is not None,
    )


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


MIN_PASSWORD = 10


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise RecordError(N_("a password has at least {n} characters"), n=MIN_PASSWORD)
    if len(password) > 1000:
        raise RecordError(N_("a password has at most 1000 characters"))
    return password


def check_email(email: str) -> str:
    """An account's address: one address, parsed as ``rules.check_email`` does, in
    lower case (an account is found by it whatever case is typed)."""
    email = email.strip().lower()
    try:
        return rules.check_email(email).lower()
    except ValueError:
        raise RecordError(N_("{address} is not an e-mail address"), address=repr(email)) from None


def add_user(
    engine: Engine,
    email: str,
    *,
    name: str,
    role: str,
    password: str | None = None,
    lang: str | None = None,
) -> User:
    values = _new_account(email, name=name, role=role, password=password, lang=lang)
    with engine.begin() as conn:
        return _insert_user(conn, values)


def _new_account(
    email: str, *, name: str, role: str, password: str | None, lang: str | None
) -> dict[str, Any]:
    """A new account's row, checked, its password hashed (slow: outside a transaction)."""
    role_ = checked(Role, role)
    name = checked(rules.check_name, name, "name")
    email = check_email(email)
    if lang is not None and lang not in records.LANGS:
        raise RecordError(
            N_("language {lang} is not one of {langs}"),
            lang=repr(lang),
            langs=", ".join(records.LANGS),
        )
    hashed = _hasher().hash(check_password(password)) if password is not None else None
    return {
        "email": email,
        "name": name,
        "role": str(role_),
        "password_hash": hashed,
        "lang": lang,
        "disabled": False,
    }


def _insert_user(conn: Connection, values: dict[str, Any]) -> User:
    email = values["email"]
    index = sealing.email_index(conn, email)
    if conn.execute(select(users.c.id).where(users.c.email_index == index)).first():
        raise Conflict(N_("there is already an account for {email}"), email=email)
    user_id = records.new_id("U")
    values = {
        **values,
        "email": sealing.seal_account_email(conn, user_id, email),
        "email_index": index,
        "name": sealing.seal_account_name(conn, user_id, values["name"]),
    }
    conn.execute(users.insert().values(id=user_id, created_at=records.now(), **values))
    return _get(conn, user_id)


def _get(conn: Connection, user_id: str) -> User:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFound(N_("no account {user_id}"), user_id=user_id)
    return _user(conn, row)


def get(db: Engine | Connection, user_id: str) -> User:
    with records.connection(db) as conn:
        return _get(conn, user_id)


def by_email(db: Engine | Connection, email: str) -> User:
    with records.connection(db) as conn:
        index = sealing.email_index(conn, email)
        row = conn.execute(select(users).where(users.c.email_index == index)).first()
        if row is None:
            raise NotFound(N_("no account for {email}"), email=email.strip().lower())
        return _user(conn, row)


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        found = [_user(conn, r) for r in conn.execute(select(users))]
    return sorted(found, key=lambda user: user.email)  # sealed: sorted once opened


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def set_disabled(engine: Engine, email: str, disabled: bool = True) -> User:
    user = by_email(engine, email)
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(disabled=disabled))
        if disabled:  # signed out everywhere, its tokens useless
            conn.execute(delete(credentials).where(credentials.c.user_id == user.id))
        return _get(conn, user.id)


def set_password(engine: Engine, user_id: str, password: str) -> None:
    hashed = _hasher().hash(check_password(password))
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(password_hash=hashed))


def set_lang(engine: Engine, user_id: str, lang: str | None) -> None:
    if lang is not None and lang not in records.LANGS:
        raise RecordError(
            N_("language {lang} is not one of {langs}"),
            lang=repr(lang),
            langs=", ".join(records.LANGS),
        )
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(lang=lang))


# --- Signing in -----------------------------------------------------------------------


class SignInRefused(RecordError):
    """Wrong address or password (never which of the two), or too many tries."""


def authenticate(engine: Engine, email: str, password: str, client: str = "") -> User:
    """The account whose password this is. Failures are counted per address and per
    client; past ``rules.SIGN_IN_FAILURES`` in the window, even the right password is
    refused until the window has passed.

    The attempt is counted before the password is checked, in one write transaction
    with the check of the count (write transactions take turns): however many tries
    arrive at once, at most ``rules.SIGN_IN_FAILURES`` of them are ever verified in a
    window. A right password takes its own attempt back; the failures stay until they
    leave the window."""
    email = email.strip().lower()
    now = records.now()
    with engine.begin() as conn:
        index = sealing.email_index(conn, email)  # counted by index: no address stored
        keys = [f"email:{index}"] + ([f"client:{client}"[:300]] if client else [])
        failures = conn.execute(
            select(sign_in_failures.c.key, sign_in_failures.c.at).where(
                sign_in_failures.c.key.in_(keys),
                sign_in_failures.c.at > now - rules.SIGN_IN_WINDOW,
            )
        ).all()
        # Each key counts on its own: one failure is stored under both, and pooling them
        # would lock after half the failures the rule allows.
        blocked = [
            rules.sign_in_blocked([at for k, at in failures if k == key], now) for key in keys
        ]
        until = max((b for b in blocked if b is not None), default=None)
        reserved = [] if until is not None else [_count_attempt(conn, k, now) for k in keys]
        row = conn.execute(select(users).where(users.c.email_index == index)).first()
    if until is not None:
        minutes = max(1, int((until - now).total_seconds() // 60) + 1)
        raise SignInRefused(N_("too many failed sign-ins: try again in {n} minutes"), n=minutes)
    ok = False
    if row is not None and row.password_hash and not row.disabled:
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            ok = _hasher().verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher().hash(password)  # the same work either way: timing tells nothing
    if not ok:  # the attempt counted above is the failure
        raise SignInRefused(N_("wrong e-mail address or password"))
    with engine.begin() as conn:
        conn.execute(delete(sign_in_failures).where(sign_in_failures.c.id.in_(reserved)))
        return _user(conn, row)


def _count_attempt(conn: Connection, key: str, at: dt.datetime) -> int:
    result = conn.execute(sign_in_failures.insert().values(key=key, at=at))
    return int(result.inserted_primary_key[0])


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str


def start_session(engine: Engine, user: User) -> tuple[str, Session]:
    """A new session (a new secret at every sign-in: no fixation) and its CSRF token."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    now = records.now()
    with engine.begin() as conn:
        conn.execute(
            credentials.insert().values(
                hash=digest(secret),
                kind="session",
                user_id=user.id,
                csrf=csrf,
                created_at=now,
                expires_at=now + dt.timedelta(days=SESSION_DAYS),
            )
        )
    return secret, Session(user, csrf)


def _holder(conn: Connection, secret: str, kind: str) -> tuple[User, Any] | None:
    row = conn.execute(
        select(credentials).where(credentials.c.hash == digest(secret), credentials.c.kind == kind)
    ).first()
    if row is None or row.user_id is None:
        return None
    if row.expires_at is not None and row.expires_at < records.now():
        return None
    user = _get(conn, row.user_id)
    return (None, None) if user.disabled else (user, row)  # type: ignore[return-value]


def session(engine: Engine, secret: str) -> Session | None:
    with engine.connect() as conn:
        found = _holder(conn, secret, "session")
    if not found or found[0] is None:
        return None
    return Session(found[0], found[1].csrf)


def end_session(engine: Engine, secret: str) -> None:
    with engine.begin() as conn:
        conn.execute(delete(credentials).where(credentials.c.hash == digest(secret)))


def issue_token(engine: Engine, email: str) -> str:
    """A new API token for the account (bearer); shown once, only its hash is kept."""
    user = by_email(engine, email)
    if user.disabled:
        raise Conflict(N_("the account {email} is disabled"), email=user.email)
    token = "fg_" + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            credentials.insert().values(
                hash=digest(token), kind="token", user_id=user.id, created_at=records.now()
            )
        )
    return token


def token_user(engine: Engine, token: str) -> User | None:
    with engine.connect() as conn:
        found = _holder(conn, token, "token")
    return found[0] if found else None


def _token_id(hash_: str) -> str:
    """What names an API token on a page: the start of its hash, never the token."""
    return hash_[:TOKEN_ID]


TOKEN_ID = 16


@dataclass(frozen=True)
class Token:
    id: str
    user_id: str
    created_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user_id": self.user_id,
            "created_at": self.created_at.isoformat(timespec="seconds"),
        }


def list_tokens(engine: Engine, user_id: str) -> list[Token]:
    """The account's API tokens, oldest first: their IDs and when they were issued."""
    with engine.connect() as conn:
        user = _get(conn, user_id)
        rows = conn.execute(
            select(credentials.c.hash, credentials.c.created_at)
            .where(credentials.c.user_id == user.id, credentials.c.kind == "token")
            .order_by(credentials.c.created_at, credentials.c.hash)
        ).all()
    return [Token(_token_id(h), user.id, at) for h, at in rows]


def revoke_token(engine: Engine, user_id: str, token_id: str) -> None:
    """The token stops working at once; programs using it are refused from then on."""
    if len(token_id) != TOKEN_ID or any(c not in "0123456789abcdef" for c in token_id):
        raise NotFound(N_("no API token {token}"), token=repr(token_id))
    with engine.begin() as conn:
        user = _get(conn, user_id)
        gone = conn.execute(
            delete(credentials).where(
                credentials.c.user_id == user.id,
                credentials.c.kind == "token",
                credentials.c.hash.startswith(token_id, autoescape=True),
            )
        ).rowcount
    if gone != 1:
        raise NotFound(N_("no API token {token}"), token=repr(token_id))


# --- A new password by a one-time link ---------------------------------------------------


def password_link(engine: Engine, user_id: str) -> str:
    """A one-time secret with which the account's holder sets a new password (earlier
    ones for the account stop working). Only its hash is kept; it expires."""
    now = records.now()
    with engine.begin() as conn:
        user = _get(conn, user_id)
        if user.disabled:
            raise Conflict(N_("the account {email} is disabled"), email=user.email)
        if user.institution:
            raise Conflict(
                N_("{email} signs in with the institution: there is no password"), email=user.email
            )
        secret = secrets.token_urlsafe(32)
        conn.execute(
            delete(credentials).where(
                credentials.c.user_id == user.id, credentials.c.kind == "reset"
            )
        )
        conn.execute(
            credentials.insert().values(
                hash=digest(secret),
                kind="reset",
                user_id=user.id,
                created_at=now,
                expires_at=now + dt.timedelta(hours=RESET_HOURS),
            )
        )
    return secret


def password_link_valid(engine: Engine, secret: str) -> bool:
    with engine.connect() as conn:
        found = _holder(conn, secret, "reset")
    return bool(found and found[0] is not None)


def use_password_link(engine: Engine, secret: str, password: str) -> User:
    """The new password, with the link spent in the same transaction (as the set-up
    link): of any number of uses at once exactly one sets it; the others find the link
    gone. The account is signed out everywhere else."""
    if not password_link_valid(engine, secret):  # before the password is judged
        raise NotFound(N_("this link is not valid (any more)"))
    hashed = _hasher().hash(check_password(password))
    with engine.begin() as conn:
        row = conn.execute(
            select(credentials.c.user_id).where(
                credentials.c.hash == digest(secret), credentials.c.kind == "reset"
            )
        ).first()
        spent = conn.execute(
            delete(credentials).where(
                credentials.c.hash == digest(secret),
                credentials.c.kind == "reset",
                credentials.c.expires_at > records.now(),
            )
        ).rowcount
        if spent != 1 or row is None:
            raise NotFound(N_("this link is not valid (any more)"))
        user = _get(conn, row.user_id)
        if user.disabled:
            raise NotFound(N_("this link is not valid (any more)"))
        conn.execute(update(users).where(users.c.id == user.id).values(password_hash=hashed))
        conn.execute(
            delete(credentials).where(
                credentials.c.user_id == user.id, credentials.c.kind == "session"
            )
        )
        return _get(conn, user.id)


# --- The first officer ------------------------------------------------------------------


def setup_link(engine: Engine) -> str | None:
    """While no account exists, a new one-time secret that lets the first person become
    the privacy officer (earlier ones stop working); None once anyone has an account."""
    if count(engine):
        return None
    secret = secrets.token_urlsafe(32)
    now = records.now()
    with engine.begin() as conn:
        conn.execute(delete(credentials).where(credentials.c.kind == "setup"))
        conn.execute(
            credentials.insert().values(
                hash=digest(secret),
                kind="setup",
                created_at=now,
                expires_at=now + dt.timedelta(hours=SETUP_HOURS),
            )
        )
    return secret


def setup_valid(engine: Engine, secret: str) -> bool:
    with engine.connect() as conn:
        row = conn.execute(
            select(credentials).where(
                credentials.c.hash == digest(secret), credentials.c.kind == "setup"
            )
        ).first()
    return bool(row and row.expires_at > records.now() and not count(engine))


def use_setup_link(engine: Engine, secret: str, *, email: str, name: str, password: str) -> User:
    """Make the first officer with the one-time secret, spent in the same transaction:
    of any number of uses at once, exactly one makes an account; the others find the
    link gone, like any link that is not valid."""
    if not setup_valid(engine, secret):  # before a word of the form is judged
        raise NotFound(N_("this link is not valid (any more)"))
    values = _new_account(email, name=name, role=str(Role.OFFICER), password=password, lang=None)
    with engine.begin() as conn:
        spent = conn.execute(
            delete(credentials).where(
                credentials.c.hash == digest(secret),
                credentials.c.kind == "setup",
                credentials.c.expires_at > records.now(),
            )
        ).rowcount
        anyone = conn.execute(select(func.count()).select_from(users)).scalar_one()
        if spent != 1 or anyone:
            raise NotFound(N_("this link is not valid (any more)"))
        user = _insert_user(conn, values)
        conn.execute(delete(credentials).where(credentials.c.kind == "setup"))
    return user


def web_secret(engine: Engine) -> bytes:
    """The key that signs session cookies: one per store, so every process and machine
    serving the store accepts the same sessions; made on first use."""
    from formgen.record.schema import meta

    with engine.begin() as conn:
        records.insert_new(conn, meta, [{"key": "web_secret", "value": secrets.token_bytes(32)}])
        return bytes(
            conn.execute(select(meta.c.value).where(meta.c.key == "web_secret")).scalar_one()
        )
