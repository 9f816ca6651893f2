"""The reuse of PostgreSQL test databases (tests/helpers/pg_pool.py): a database given
back is, to the next test, a fresh copy of the template under a new name; one whose
shape a test changed is dropped."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, create_engine, select, text
from sqlalchemy.pool import NullPool

from formgen.record import schema

from .helpers import pg_pool

pytestmark = pytest.mark.postgres


def _names(server: Engine) -> set[str]:
    with server.connect() as conn:
        return set(conn.execute(text("SELECT datname FROM pg_database")).scalars())


def _fill(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(schema.meta.insert().values(key="left", value=b"by the last test"))
            conn.execute(
                schema.sign_in_failures.insert().values(key="client:x", at=dt.datetime(2030, 1, 1))
            )
            conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'changed'")
    finally:
        engine.dispose()


def test_a_database_given_back_is_fresh_under_a_new_name(
    pg_databases: pg_pool.Pool, pg_server: Engine
) -> None:
    name = pg_databases.take()
    url = pg_databases.url(name)
    _fill(url)
    held = create_engine(url, poolclass=NullPool).connect()  # a test's forgotten engine
    free = list(pg_databases.free)
    pg_databases.give_back(name)
    assert name not in _names(pg_server)
    [renamed] = [n for n in pg_databases.free if n not in free]  # kept, not dropped
    assert renamed in _names(pg_server)
    again = pg_databases.take()
    assert again == renamed
    engine = create_engine(pg_databases.url(again), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(schema.meta)).all() == []
            assert conn.execute(select(schema.sign_in_failures)).all() == []
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars()
            assert list(version) == [
                row["version_num"] for row in pg_databases.rows["alembic_version"]
            ]
            # the identity columns count from the start again
            ids = conn.execute(text("SELECT is_called FROM sign_in_failures_id_seq")).scalar()
            assert ids is False
    finally:
        engine.dispose()
        held.invalidate()
        pg_databases.give_back(again)


def test_a_database_whose_shape_changed_is_dropped(
    pg_databases: pg_pool.Pool, pg_server: Engine
) -> None:
    name = pg_databases.take()
    engine = create_engine(pg_databases.url(name), poolclass=NullPool)
    with engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE meta ADD COLUMN extra text")
    engine.dispose()
    free = list(pg_databases.free)
    pg_databases.give_back(name)
    assert pg_databases.free == free
    assert name not in _names(pg_server) and name not in pg_databases.made
