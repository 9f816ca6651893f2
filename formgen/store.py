"""Opening the consent-record store: SQLite by default, any SQLAlchemy URL later.

The schema is owned by Alembic from the first table on, so an upgrade never loses a
record: opening a store brings an older schema to head, refuses a database that is not
formgen's, and refuses one written by a newer formgen instead of guessing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.exc import DatabaseError, SQLAlchemyError

from . import schema
from .formid import Instance
from .privacy import private_dir

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration. Checked against Alembic's scripts by a test; with it, opening a
# store that is up to date needs no Alembic import (a quarter second of every command).
HEAD = "0002"
DEFAULT_DB = Path("output") / "formgen.db"


class StoreError(Exception):
    """The store cannot be used; the message is one line for a person."""


def database_url(value: str | None = None) -> str:
    """``FORMGEN_DB`` holds a URL or a plain path taken as SQLite; unset, the default
    file under ``output/`` in the current directory."""
    value = value if value is not None else os.environ.get("FORMGEN_DB", "")
    if not value:
        value = str(DEFAULT_DB)
    if "://" in value:
        return value
    return f"sqlite:///{Path(value)}"


def _alembic(connection: object) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _prepare_sqlite_file(url: str) -> None:
    """Create the database file owner-only before SQLite does (its journal files copy
    the file's permissions)."""
    path = url.removeprefix("sqlite:///")
    if not path or path == ":memory:" or Path(path).exists():
        return
    private_dir(Path(path).parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def open_store(url: str | None = None) -> Engine:
    url = database_url(url)
    created = False
    if url.startswith("sqlite:///"):
        created = not Path(url.removeprefix("sqlite:///")).exists()
        _prepare_sqlite_file(url)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _migrate(engine)
    except StoreError:
        engine.dispose()
        if created:  # don't leave an empty file behind a refusal
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        raise
    except (DatabaseError, SQLAlchemyError) as exc:
        engine.dispose()
        reason = str(getattr(exc, "orig", exc)) or type(exc).__name__
        raise StoreError(f"cannot open the formgen database ({reason})") from exc
    return engine


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _revision(connection: Connection) -> tuple[bool, str | None]:
    """Whether the database has tables, and its Alembic revision (None: none)."""
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables:
        return bool(tables), None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return True, rows[0] if len(rows) == 1 else None


def _migrate(engine: Engine) -> None:
    with engine.begin() as connection:
        tables, current = _revision(connection)
        if current != HEAD:
            _upgrade(connection, tables, current)
        if connection.execute(select(schema.meta.c.key)).first() is None:
            connection.execute(
                schema.meta.insert().values(key="instance", value=Instance.create().secret)
            )


def _upgrade(connection: Connection, tables: bool, current: str | None) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic(None))
    if tables and current is None:
        raise StoreError("the database is not a formgen database (no schema version)")
    if current is not None and current not in {s.revision for s in script.walk_revisions()}:
        raise StoreError(
            f"the database has schema {current}, newer than this formgen knows; upgrade formgen"
        )
    command.upgrade(_alembic(connection), "head")


def instance(db: Engine | Connection) -> Instance:
    if isinstance(db, Engine):
        with db.connect() as connection:
            return instance(connection)
    secret = db.execute(
        select(schema.meta.c.value).where(schema.meta.c.key == "instance")
    ).scalar_one()
    return Instance(bytes(secret))
