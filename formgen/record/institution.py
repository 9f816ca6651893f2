"""Accounts of people who sign in with their institution's account (OpenID Connect, as
SURFconext offers it). The web layer has the provider check who someone is (Authlib:
the code flow with PKCE, state and nonce, the ID token's signature against the
provider's keys); this module decides, from the checked claims and ``[oidc]``, whether
they may come in and as what, and keeps their account. An account is known by the
provider and its ``sub``, never by an e-mail address alone. Tokens are not kept: only
the name, address and role the account needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, delete, select, update

from formgen import rules
from formgen.config import Oidc
from formgen.errors import RecordError
from formgen.record import accounts, records, sealing
from formgen.record.schema import awaited_supervisors, recording_people, users
from formgen.rules import Role
from formgen.words import N_


class InstitutionRefused(RecordError):
    """The provider knows the person, but formgen does not let them in (no account is
    made or changed)."""


@dataclass(frozen=True)
class Person:
    """What formgen takes from the claims."""

    sub: str
    email: str
    name: str
    organisation: str | None
    affiliations: tuple[str, ...]


def person(claims: Mapping[str, Any]) -> Person:
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > 255:
        raise InstitutionRefused(N_("the institution did not say who you are"))
    email = claims.get("email")
    if not isinstance(email, str) or not email.strip():
        raise InstitutionRefused(N_("the institution did not give your e-mail address"))
    try:
        email = accounts.check_email(email)
    except RecordError:
        raise InstitutionRefused(N_("the institution did not give your e-mail address")) from None
    name = _name(claims) or email
    try:
        name = rules.check_name(name, "name")
    except ValueError:
        name = email
    organisation = claims.get("schac_home_organization")
    if isinstance(organisation, list):  # some providers send every claim as a list
        organisation = organisation[0] if organisation else None
    affiliations = claims.get("eduperson_affiliation") or []
    if isinstance(affiliations, str):
        affiliations = [affiliations]
    return Person(
        sub=sub,
        email=email,
        name=name,
        organisation=organisation.strip().lower() if isinstance(organisation, str) else None,
        # Scoped values ("student@uva.nl") count by their affiliation
        affiliations=tuple(
            str(a).strip().lower().partition("@")[0] for a in affiliations if str(a).strip()
        ),
    )


def _name(claims: Mapping[str, Any]) -> str:
    name = claims.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    parts = [claims.get("given_name"), claims.get("family_name")]
    return " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())


def role_of(oidc: Oidc, who: Person) -> Role:
    """Officers by ``officers`` (their sub or address); else by affiliation, where staff
    outranks student: someone who is both supervises."""
    named = {o.lower() for o in oidc.officers}
    if who.sub.lower() in named or who.email in named:
        return Role.OFFICER
    roles = {oidc.affiliation_roles.get(a) for a in who.affiliations}
    if Role.SUPERVISOR in roles:
        return Role.SUPERVISOR
    if Role.STUDENT in roles:
        return Role.STUDENT
    raise InstitutionRefused(N_("your institution account has no role in formgen"))


def sign_in(engine: Engine, oidc: Oidc, issuer: str, claims: Mapping[str, Any]) -> accounts.User:
    """The account of the person the provider vouched for: made at their first sign-in,
    name, address and role brought up to date at every one after."""
    who = person(claims)
    if oidc.allowed_organisations and who.organisation not in oidc.allowed_organisations:
        raise InstitutionRefused(N_("your institution does not use formgen here"))
    role = role_of(oidc, who)
    with engine.begin() as conn:
        row = conn.execute(
            select(users).where(users.c.issuer == issuer, users.c.subject == who.sub)
        ).first()
        index = sealing.email_index(conn, who.email)
        taken = conn.execute(select(users.c.id).where(users.c.email_index == index)).first()
        if row is not None:
            if row.disabled:
                raise InstitutionRefused(N_("this account is disabled"))
            name = sealing.seal_account_name(conn, row.id, who.name)
            values: dict[str, Any] = {"name": name, "role": str(role)}
            if taken is None or taken.id == row.id:  # else keep the old address
                values["email"] = sealing.seal_account_email(conn, row.id, who.email)
                values["email_index"] = index
            conn.execute(update(users).where(users.c.id == row.id).values(**values))
            user_id = row.id
        else:
            if taken is not None:
                raise InstitutionRefused(
                    N_("there is already an account with your address: sign in with its password")
                )
            user_id = records.new_id("U")
            conn.execute(
                users.insert().values(
                    id=user_id,
                    email=sealing.seal_account_email(conn, user_id, who.email),
                    email_index=index,
                    name=sealing.seal_account_name(conn, user_id, who.name),
                    role=str(role),
                    password_hash=None,
                    lang=None,
                    disabled=False,
                    created_at=records.now(),
                    issuer=issuer,
                    subject=who.sub,
                )
            )
        if role is Role.SUPERVISOR:
            _link_awaited(conn, user_id, who.email)
    return accounts.get(engine, user_id)


def _link_awaited(conn: Any, user_id: str, email: str) -> None:
    """Recordings that named this supervisor by address before they had an account
    (kept as the address's blind index only: ``sealing.email_index``)."""
    index = sealing.email_index(conn, email)
    waiting = [
        r.recording_id
        for r in conn.execute(
            select(awaited_supervisors.c.recording_id).where(awaited_supervisors.c.email == index)
        )
    ]
    if not waiting:
        return
    conn.execute(
        update(recording_people)
        .where(
            recording_people.c.recording_id.in_(waiting),
            recording_people.c.supervisor_id.is_(None),
        )
        .values(supervisor_id=user_id)
    )
    conn.execute(delete(awaited_supervisors).where(awaited_supervisors.c.recording_id.in_(waiting)))


def await_supervisor(engine: Engine, recording_id: str, email: str) -> None:
    """Name a supervisor without an account yet on a recording: linked at their first
    sign-in with the institution. Only the address's blind index is stored."""
    with engine.begin() as conn:
        index = sealing.email_index(conn, email)
        conn.execute(awaited_supervisors.insert().values(recording_id=recording_id, email=index))
