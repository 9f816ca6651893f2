"""What arrives at once: many requests of the same kind, run in parallel threads against
one store, on SQLite and on PostgreSQL. Each check is one atomic step in the store, so
the outcome is the same however the threads interleave."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from formgen import Formgen, rules
from formgen.errors import NotFound
from formgen.record.accounts import SignInRefused, User
from formgen.record.schema import sign_in_failures
from formgen.record.sealing import email_index
from formgen.rules import Role

from .helpers import test_config
from .helpers.parallel import at_once

PASSWORD = "correct horse battery"


@pytest.fixture
def fg(db_url: str, tmp_path: Path) -> Iterator[Formgen]:
    with Formgen.open(db=db_url, config=test_config(output_dir=tmp_path / "output")) as opened:
        yield opened


def words(outcome: Any) -> str:
    return str(outcome) if isinstance(outcome, BaseException) else "signed in"


# --- sign-in ------------------------------------------------------------------------------


def test_parallel_sign_ins_verify_at_most_five_wrong_passwords(fg: Formgen) -> None:
    kim = fg.add_user("kim@example.org", name="Kim", role="student", password=PASSWORD)
    tries = [lambda: fg.authenticate("kim@example.org", "guess number one")] * 24
    tries.insert(12, lambda: fg.authenticate("kim@example.org", PASSWORD))
    outcomes = at_once(tries)
    said = [words(o) for o in outcomes]
    assert all(
        s in ("signed in", "wrong e-mail address or password") or s.startswith("too many")
        for s in said
    ), said
    wrong = said.count("wrong e-mail address or password")
    assert 1 <= wrong <= rules.SIGN_IN_FAILURES
    assert said.count("signed in") <= 1 and sum(s.startswith("too many") for s in said) >= 19
    # Whoever was first, the record holds exactly the wrong passwords that were checked.
    with fg.engine.connect() as conn:
        stored = conn.execute(
            select(func.count())
            .select_from(sign_in_failures)
            .where(sign_in_failures.c.key == f"email:{email_index(conn, 'kim@example.org')}")
        ).scalar_one()
    assert stored == wrong
    # Up to the limit, one by one; then even the right password is refused.
    for _ in range(rules.SIGN_IN_FAILURES - wrong):
        with pytest.raises(SignInRefused, match="wrong e-mail address or password"):
            fg.authenticate("kim@example.org", "guess number two")
    with pytest.raises(SignInRefused, match="too many"):
        fg.authenticate("kim@example.org", PASSWORD)
    assert kim.email == "kim@example.org"


# --- one-time links -----------------------------------------------------------------------


def test_the_one_time_setup_link_makes_exactly_one_officer(fg: Formgen) -> None:
    secret = fg.setup_link()
    assert secret is not None
    outcomes = at_once(
        [
            lambda i=i: fg.use_setup_link(
                secret, email=f"officer{i}@example.org", name=f"Officer {i}", password=PASSWORD
            )
            for i in range(8)
        ]
    )
    made = [o for o in outcomes if isinstance(o, User)]
    refused = [o for o in outcomes if not isinstance(o, User)]
    assert len(made) == 1 and made[0].role is Role.OFFICER
    assert all(
        type(o) is NotFound and str(o) == "this link is not valid (any more)" for o in refused
    )
    assert [u.id for u in fg.users()] == [made[0].id]
    assert not fg.setup_valid(secret) and fg.setup_link() is None
