"""The officer keeps the accounts: a new password by a one-time link (spent atomically,
like the set-up link), API tokens listed and revoked. On SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select, update

from formgen import Formgen
from formgen.api import NotAllowed
from formgen.errors import Conflict, NotFound, RecordError
from formgen.record.accounts import TOKEN_ID, SignInRefused, User, digest
from formgen.record.schema import credentials

from .helpers.parallel import at_once

PASSWORD = "correct horse battery"
NEW = "a brand new passphrase"


@pytest.fixture
def people(fg: Formgen) -> dict[str, Any]:
    return {
        role: fg.add_user(f"{role}@example.org", name=role.title(), role=role, password=PASSWORD)
        for role in ("student", "supervisor", "officer")
    }


def test_a_password_link_sets_a_new_password_once(fg: Formgen, people: dict[str, Any]) -> None:
    officer = fg.as_user(people["officer"])
    sam = people["student"]
    old_session, _ = fg.start_session(sam)
    secret = officer.password_link(sam.id)
    assert fg.password_link_valid(secret)
    with pytest.raises(RecordError, match="at least 10"):
        fg.use_password_link(secret, "short")
    assert fg.password_link_valid(secret)  # a refused password does not spend it

    assert fg.use_password_link(secret, NEW).id == sam.id
    assert fg.authenticate(sam.email, NEW).id == sam.id
    with pytest.raises(SignInRefused):
        fg.authenticate(sam.email, PASSWORD)
    assert fg.session(old_session) is None  # signed out everywhere else
    assert not fg.password_link_valid(secret)
    with pytest.raises(NotFound, match="not valid"):
        fg.use_password_link(secret, "yet another passphrase")

    # Only the hash is kept; a newer link ends the older one.
    first = officer.password_link(sam.id)
    second = officer.password_link(sam.id)
    with fg.engine.connect() as conn:
        kept = conn.execute(select(credentials.c.hash).where(credentials.c.kind == "reset"))
        assert [h for (h,) in kept] == [digest(second)]
    assert not fg.password_link_valid(first) and fg.password_link_valid(second)


def test_a_password_link_is_spent_by_exactly_one_use(fg: Formgen, people: dict[str, Any]) -> None:
    sam = people["student"]
    secret = fg.as_user(people["officer"]).password_link(sam.id)
    outcomes = at_once([lambda i=i: fg.use_password_link(secret, f"{NEW} {i}") for i in range(6)])
    done = [o for o in outcomes if isinstance(o, User)]
    refused = [o for o in outcomes if not isinstance(o, User)]
    assert len(done) == 1
    assert all(type(o) is NotFound for o in refused), refused
    winner = outcomes.index(done[0])
    assert fg.authenticate(sam.email, f"{NEW} {winner}").id == sam.id


def test_a_password_link_expires_and_needs_an_active_account(
    fg: Formgen, people: dict[str, Any]
) -> None:
    officer = fg.as_user(people["officer"])
    sam = people["student"]
    secret = officer.password_link(sam.id)
    with fg.engine.begin() as conn:
        conn.execute(
            update(credentials)
            .where(credentials.c.kind == "reset")
            .values(expires_at=dt.datetime.now() - dt.timedelta(minutes=1))
        )
    assert not fg.password_link_valid(secret)
    with pytest.raises(NotFound):
        fg.use_password_link(secret, NEW)

    secret = officer.password_link(sam.id)
    officer.disable_user(sam.email)
    assert not fg.password_link_valid(secret)
    with pytest.raises(NotFound):
        fg.use_password_link(secret, NEW)
    with pytest.raises(Conflict, match="disabled"):
        officer.password_link(sam.id)


def test_only_the_officer_makes_password_links(fg: Formgen, people: dict[str, Any]) -> None:
    for role in ("student", "supervisor"):
        with pytest.raises(NotAllowed, match="reset passwords"):
            fg.as_user(people[role]).password_link(people["student"].id)
        with pytest.raises(NotAllowed):
            fg.as_user(people[role]).use_password_link("x" * 43, NEW)


def test_tokens_are_listed_and_revoked(fg: Formgen, people: dict[str, Any]) -> None:
    officer = fg.as_user(people["officer"])
    sam = people["student"]
    first, second = officer.issue_token(sam.email), officer.issue_token(sam.email)
    listed = officer.api_tokens(sam.id)
    assert len(listed) == 2 and all(t.user_id == sam.id for t in listed)
    assert not any(t.id in (first, second) or first.startswith(t.id) for t in listed)

    # Which listed ID is the first token: revoke it, and it stops working at once.
    assert sorted(t.id for t in listed) == sorted([_id_of(first), _id_of(second)])
    officer.revoke_token(sam.id, _id_of(first))
    assert fg.token_user(first) is None
    assert fg.token_user(second) is not None
    assert [t.id for t in officer.api_tokens(sam.id)] == [_id_of(second)]
    with pytest.raises(NotFound):
        officer.revoke_token(sam.id, _id_of(first))
    with pytest.raises(NotFound):
        officer.revoke_token(sam.id, "%")  # not a token ID: never a pattern

    # A student sees and revokes their own tokens only.
    student = fg.as_user(sam)
    assert [t.id for t in student.api_tokens(sam.id)] == [_id_of(second)]
    officers_token = officer.issue_token(people["officer"].email)
    with pytest.raises(NotAllowed):
        student.api_tokens(people["officer"].id)
    with pytest.raises(NotAllowed):
        student.revoke_token(people["officer"].id, _id_of(officers_token))
    assert fg.token_user(officers_token) is not None
    student.revoke_token(sam.id, _id_of(second))
    assert fg.token_user(second) is None


def test_the_officer_cannot_disable_their_own_account(fg: Formgen, people: dict[str, Any]) -> None:
    officer = fg.as_user(people["officer"])
    with pytest.raises(Conflict, match="your own account"):
        officer.disable_user(people["officer"].email)
    assert not next(u for u in fg.users() if u.id == people["officer"].id).disabled


def _id_of(token: str) -> str:
    return digest(token)[:TOKEN_ID]
