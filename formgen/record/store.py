"""Opening the consent-record store: an SQLite file by default, or PostgreSQL.

The schema is owned by Alembic from the first table on, so an upgrade never loses a
record: opening a store brings an older schema to head, refuses a database that is not
formgen's, and refuses one written by a newer formgen instead of guessing.

Transactions: ``engine.begin()`` (or ``connection.begin()``) starts a *write*
transaction, and write transactions take turns on both backends: on SQLite it begins
with ``BEGIN IMMEDIATE`` (SQLAlchemy's documented pysqlite recipe: the driver's own
BEGIN is switched off), on PostgreSQL it takes one transaction-scoped advisory lock. So
a read-then-write transaction sees no other writer between its read and its write, and
a writer waits for the one before it instead of failing; after ``FORMGEN_DB_TIMEOUT``
seconds (default 30) it gives up, and :func:`explain` says so in one line. A transaction
that a statement begins by itself (``engine.connect()`` and reading) is a reader: it
never waits (SQLite runs in WAL mode) and must not write.
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import logging
import math
import os
import re
import sqlite3
import sys
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.pool import NullPool

from formgen.errors import OutputError, StoreError
from formgen.privacy import private_dir
from formgen.record import schema, sealing
from formgen.record.formid import Instance
from formgen.words import N_, Message, Word

log = logging.getLogger("formgen")

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

__all__ = ["HEAD", "StoreError", "database_url", "explain", "instance", "open_store"]

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest migration. Checked against Alembic's scripts by a test; with it, opening a
# store that is up to date needs no Alembic import (a quarter second of every command).
HEAD = "0014"
DEFAULT_DB = Path("output") / "formgen.db"
DEFAULT_TIMEOUT = 30.0
# The signing key every printed QR code carries an HMAC of, and its fingerprint: both
# are written with a fresh schema, and never again.
KEY = "instance"
KEY_ID = "instance_id"
KEY_PROBLEM = N_(
    "the store's signing key is missing (or changed): forms printed before could no "
    "longer be read; restore the store from a backup"
)
# The advisory lock that PostgreSQL write transactions take ("formgen" in ASCII).
WRITE_LOCK = 0x666F726D67656E
APPEND_ONLY = "the event log is append-only"
_SUPPORTED = "an SQLite file (sqlite:///PATH) or PostgreSQL (postgresql+psycopg://USER@HOST/DB)"


def database_url(value: str | None = None) -> str:
    """``FORMGEN_DB`` holds a URL or a plain path taken as SQLite; unset, the default
    file under ``output/`` in the current directory. A PostgreSQL URL without a driver
    gets psycopg, the one formgen installs."""
    value = value if value is not None else os.environ.get("FORMGEN_DB", "")
    if not value:
        value = str(DEFAULT_DB)
    if "://" not in value:
        return f"sqlite:///{Path(value)}"
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", value)


def timeout() -> float:
    """Seconds a writer waits for another before giving up: ``FORMGEN_DB_TIMEOUT``."""
    value = os.environ.get("FORMGEN_DB_TIMEOUT", "").strip()
    if not value:
        return DEFAULT_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (0 < seconds <= 86400):
        raise StoreError(
            N_("FORMGEN_DB_TIMEOUT must be a number of seconds, not {value!r}"), value=value
        )
    return seconds


def key_id(secret: bytes) -> bytes:
    """The signing key's fingerprint, stored beside it (migration 0003 has a copy)."""
    return hmac.new(secret, b"formgen key id", hashlib.sha256).digest()[:16]


def _alembic(connection: object) -> AlembicConfig:
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


# --- Opening ------------------------------------------------------------------------


def _parse(url: str) -> URL:
    """The URL, if it names a backend and driver formgen supports."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(
            N_("the database URL cannot be read; formgen uses {supported}"), supported=_SUPPORTED
        ) from None
    backend, _, driver = parsed.drivername.partition("+")
    if (backend, driver) not in {("sqlite", ""), ("sqlite", "pysqlite"), ("postgresql", "psycopg")}:
        # Only the scheme: the rest of a URL may hold a password.
        raise StoreError(
            N_("formgen cannot use a {drivername!r} database; it uses {supported}"),
            drivername=parsed.drivername,
            supported=_SUPPORTED,
        )
    if backend == "postgresql" and not _installed("psycopg"):
        raise StoreError(
            N_(
                "the PostgreSQL driver is not installed: install formgen with its 'postgres' "
                "extra (pip install 'formgen[postgres]')"
            )
        )
    return parsed


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def _sqlite_file(url: URL) -> Path | None:
    """The file of an SQLite URL (None: in memory); refuses one opened read-only."""
    database = url.database or ""
    if url.query.get("uri") in ("true", "1"):
        if url.query.get("mode") == "ro" or url.query.get("immutable") in ("1", "true"):
            raise StoreError(
                N_("the store is read-only (opened with mode=ro); formgen must write to it")
            )
        if url.query.get("mode") == "memory":
            return None
        database = re.sub(r"^file:(//)?", "", database)
    if not database or database == ":memory:":
        return None
    return Path(database)


def _check_writable(path: Path) -> None:
    """SQLite writes the file and, beside it, its WAL files: both must be allowed (for
    root, only a read-only file system refuses, and ``access`` knows it)."""
    folder = path.parent if str(path.parent) else Path(".")
    if path.exists():
        if not os.access(path, os.R_OK):
            raise StoreError(N_("no permission to read the store {path}"), path=path)
        if not os.access(path, os.W_OK):
            raise StoreError(
                N_("the store is read-only: formgen cannot write to {path}"), path=path
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StoreError(
                N_(
                    "the store's folder is read-only: formgen cannot write its journal beside "
                    "{path}"
                ),
                path=path,
            )


def _prepare_sqlite_file(path: Path) -> bool:
    """Create the database file owner-only before SQLite does (its WAL and journal files
    copy the file's permissions). Whether it was created."""
    if path.exists():
        return False
    try:
        private_dir(path.parent)
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:  # another process was first
        return False
    except OutputError as exc:
        raise StoreError(N_("cannot create the store: {exc}"), exc=exc) from None
    except OSError as exc:
        raise StoreError(
            N_("cannot create the store {path} ({reason})"), path=path, reason=_os_reason(exc)
        ) from None
    return True


def open_store(
    url: str | None = None,
    *,
    pooled: bool = True,
    key_file: Path | None = None,
    make_key: bool = False,
) -> Engine:
    """The store's engine, its schema at :data:`HEAD`, its signing key and its master
    key checked; every refusal is a :class:`StoreError` of one line.

    The master key (sealing.py) is read from ``FORMGEN_KEY_FILE``, else ``key_file``
    (``[store] key_file``), else ``formgen.key`` beside an SQLite store. Only with
    ``make_key`` (``serve --demo``, ``sample``) is a missing one made; a wrong one is
    refused, never replaced.

    On PostgreSQL the engine keeps a pool of connections until it is disposed of: a new
    session costs the server a process and its catalogue caches, and a command makes
    dozens of transactions. Unless ``pooled`` is False: then a connection is closed when
    given back, and an engine nobody disposes of leaves no connection open behind it.
    """
    return _open(url, pooled=pooled, prepare=_migrate, key=(key_file, make_key))


def _master(url: URL, key_file: Path | None, make_key: bool) -> sealing.Master:
    store_file = _sqlite_file(url) if url.get_backend_name() == "sqlite" else None
    path = sealing.key_path(key_file, store_file)
    if path is None:
        raise StoreError(sealing.NO_KEY)
    if make_key and not path.exists():
        return sealing.Master(sealing.make_master(path), path)
    return sealing.Master(sealing.read_master(path), path)


def open_empty(url: str) -> Engine:
    """A store to copy into (``storecopy``): a database with no tables gets formgen's
    schema at :data:`HEAD` but no signing key (the copy brings the source's); one that
    holds anything of its own is refused."""
    return _open(url, pooled=False, prepare=_prepare_empty)


def _open(
    url: str | None, *, pooled: bool, prepare: Any, key: tuple[Path | None, bool] | None = None
) -> Engine:
    url = database_url(url)
    parsed = _parse(url)
    seconds = timeout()
    path = created = None
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_file(parsed)
        if path is not None:
            _check_writable(path)
    master = _master(parsed, *key) if key is not None else None
    if parsed.get_backend_name() == "sqlite":
        if path is not None:
            created = _prepare_sqlite_file(path)
        engine = create_engine(parsed)
        event.listen(engine, "connect", _sqlite_connect(seconds))
    else:
        connect_args = {} if "connect_timeout" in parsed.query else {"connect_timeout": 10}
        pool: dict[str, Any] = {"pool_pre_ping": True} if pooled else {"poolclass": NullPool}
        engine = create_engine(parsed, connect_args=connect_args, **pool)
        event.listen(engine, "connect", _postgresql_connect(seconds))
    _tell_readers(engine)
    event.listen(engine, "begin", _begin)
    if master is not None:
        sealing.attach(engine, master)
    try:
        prepare(engine)
        if path is not None:
            _use_wal(engine)
    except BaseException as exc:
        engine.dispose()
        if created and path is not None:  # don't leave an empty file behind a refusal
            for leftover in (path, *(Path(f"{path}{s}") for s in ("-wal", "-shm", "-journal"))):
                leftover.unlink(missing_ok=True)
        if isinstance(exc, (SQLAlchemyError, sqlite3.Error, OSError)) or _is_psycopg(exc):
            raise explain(exc) from exc
        raise
    return engine


def _prepare_empty(engine: Engine) -> None:
    with engine.begin() as connection:
        tables, current = _revision(connection)
        if tables:
            raise StoreError(
                N_("the target database is not empty: copy into a new, empty database")
            )
        _upgrade(connection, tables, current)


def _sqlite_connect(seconds: float) -> Any:
    def connect(dbapi_connection: Any, _record: object) -> None:
        # The documented recipe: the driver emits no BEGIN of its own; _begin does.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # What is deleted is overwritten with zeros, not left on a free page.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={round(seconds * 1000)}")
        cursor.close()

    return connect


def _postgresql_connect(seconds: float) -> Any:
    def connect(dbapi_connection: Any, _record: object) -> None:
        # A wait for a lock (the write lock, a row, a table) ends after the timeout.
        # No statement_timeout: it would also cancel long work that waits for nothing.
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET lock_timeout = {round(seconds * 1000)}")
        cursor.close()
        dbapi_connection.commit()

    return connect


# Connections whose transaction a statement is beginning by itself: readers.
_implicit: weakref.WeakSet[Connection] = weakref.WeakSet()


class _Connection(Connection):
    """Tells ``_begin`` which transactions a statement begins (SQLAlchemy's autobegin):
    those are readers."""

    def _autobegin(self) -> None:
        _implicit.add(self)
        try:
            super()._autobegin()
        finally:
            _implicit.discard(self)


def _tell_readers(engine: Engine) -> None:
    """Make the engine's connections ``_Connection``s, so ``_begin`` knows a reader.

    SQLAlchemy has no public way to tell a transaction a statement begins by itself
    (autobegin) from one ``Connection.begin()`` starts: the "begin" event is the same
    for both, and no execution option says which. So formgen reaches into two private
    names, here only: the connection class an engine makes (``Engine._connection_cls``)
    and the method that begins on a statement's behalf (``Connection._autobegin``).
    tests/test_private_uses.py fails, naming SQLAlchemy and the attribute, when an
    upgrade removes or changes either (readers would otherwise wait for writers)."""
    engine._connection_cls = _Connection


def _begin(conn: Connection) -> None:
    writer = conn not in _implicit
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")
    elif writer:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")


def fold_log(engine: Engine) -> bool:
    """SQLite: copy the write-ahead log into the file and empty it (after a destroy, so
    no old page of what was deleted stays in the log). Another process still reading
    keeps the log's old part until it is done: then the next fold empties it. Whether
    the log is empty now (PostgreSQL: there is none)."""
    if engine.dialect.name != "sqlite":
        return True
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        busy, _, _ = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        cursor.close()
    finally:
        raw.close()
    return not busy


def _use_wal(engine: Engine) -> None:
    """Readers never wait for a writer in WAL mode; the mode stays with the file, so it
    is set once. Outside a transaction: SQLite cannot switch inside one."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            cursor.execute("PRAGMA journal_mode=WAL").fetchone()
        cursor.close()
    finally:
        raw.close()


# --- Schema and signing key -----------------------------------------------------------


def _revision(connection: Connection) -> tuple[bool, str | None]:
    """Whether the database has tables, and its Alembic revision (None: none)."""
    tables = set(inspect(connection).get_table_names())
    if "alembic_version" not in tables:
        return bool(tables), None
    rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return True, rows[0] if len(rows) == 1 else None


def _migrate(engine: Engine) -> None:
    # Read first: a store that is up to date takes no write lock to be opened.
    with engine.connect() as connection:
        postgresql = connection.dialect.name == "postgresql"
        if postgresql and connection.exec_driver_sql("SHOW transaction_read_only").scalar() == "on":
            raise StoreError(N_("the store is read-only: the database server accepts no writes"))
        tables, current = _revision(connection)
        if tables and current is None:
            raise StoreError(N_("the database is not a formgen database (no schema version)"))
        up_to_date = current == HEAD and sealing.verify(connection, sealing.master_of(engine))
        if up_to_date:
            pending = _check_key(connection)
    if not up_to_date:
        pending = _upgrade_store(engine)
    if pending is not None:
        wait_s = PLAINTEXT_RETRY_S if up_to_date else PLAINTEXT_WAIT_S
        _drop_old_plaintext(engine, pending, wait_s)


def _upgrade_store(engine: Engine) -> bytes | None:
    """Migrate and seal under the write lock; what the sealing left to drop, if it did."""
    with engine.begin() as connection:  # again, under the write lock
        tables, current = _revision(connection)
        if current != HEAD:
            _upgrade(connection, tables, current)
            if tables and current is not None and current < SEALED:
                # In the sealing's own transaction, so a crash before the old plaintext
                # is dropped leaves the note, and the next open drops it.
                connection.execute(
                    schema.meta.insert(), {"key": PLAINTEXT, "value": _sealed_by(connection)}
                )
        if not tables:
            secret = Instance.create().secret
            connection.execute(
                schema.meta.insert(),
                [{"key": KEY, "value": secret}, {"key": KEY_ID, "value": key_id(secret)}],
            )
        pending = _check_key(connection)
        sealing.ensure(connection, sealing.master_of(engine))
        return pending


# The last migration that sealed what was stored in plaintext before (sealing.py): a
# store older than it has old plaintext to drop once it is sealed. Until that is done,
# the meta row PLAINTEXT holds the sealing transaction's id (PostgreSQL; SQLite: empty).
SEALED = "0014"
PLAINTEXT = "old_plaintext"
_RESEALED = (
    "participants",
    "participant_addresses",
    "online_answers",
    "scan_images",
    "scans",
    "users",
    "sign_in_failures",
    "jobs",
    "job_files",
    "institution_requests",
    "events",
    "recording_events",
    "recordings",
)
# How long the open that upgrades a store waits for older transactions on the database
# server to end before it leaves the old row versions for the next open; and how long
# each later open waits (every command opens the store: a short while).
PLAINTEXT_WAIT_S = 60.0
PLAINTEXT_RETRY_S = 5.0


def _sealed_by(connection: Connection) -> bytes:
    if connection.dialect.name == "sqlite":
        return b""
    return str(connection.exec_driver_sql("SELECT pg_current_xact_id()").scalar_one()).encode()


def _drop_old_plaintext(engine: Engine, sealed_by: bytes, wait_s: float) -> None:
    """After migrations 0013 and 0014 sealed the rows written before, drop their old
    versions from the files: SQLite folds its log (freed space is zeroed by
    secure_delete); PostgreSQL rewrites the tables (VACUUM FULL). Done only when it can
    be complete, then the note goes; otherwise the next open tries again (logged)."""
    if engine.dialect.name == "sqlite":
        done = fold_log(engine)  # a reader still in the old log keeps its part
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            done = _wait_for_older_transactions(connection, int(sealed_by), wait_s)
            if done:
                for table in _RESEALED:
                    connection.exec_driver_sql(f"VACUUM FULL {table}")
    if not done:
        log.warning(
            "formgen: the old plaintext of the upgraded store is not dropped yet: a"
            " transaction older than the upgrade is still open; the next open drops it"
        )
        return
    with engine.begin() as connection:
        connection.execute(schema.meta.delete().where(schema.meta.c.key == PLAINTEXT))


def _wait_for_older_transactions(connection: Connection, sealed_by: int, wait_s: float) -> bool:
    """Whether every transaction that could still see the old row versions has ended
    (waiting up to wait_s). VACUUM FULL copies every version a snapshot may
    see: those of sessions in this database, and its own, which counts every
    transaction still running on the server, in any database. Once none older than the
    sealing runs, no newer snapshot can see the old versions, so it stays true. (Another
    role's sessions show no snapshot without pg_read_all_stats; formgen's database is
    used by formgen's role.)"""
    import time

    query = text(
        "SELECT pg_snapshot_xmin(pg_current_snapshot()) > CAST(:sealed AS xid8)"
        " AND NOT EXISTS (SELECT 1 FROM pg_stat_activity"
        "  WHERE datname = current_database() AND pid <> pg_backend_pid()"
        "  AND backend_xmin IS NOT NULL"
        "  AND age(backend_xmin) >= age(xid(CAST(:sealed AS xid8))))"
    )
    deadline = time.monotonic() + wait_s
    while not connection.execute(query, {"sealed": str(sealed_by)}).scalar():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _check_key(connection: Connection) -> bytes | None:
    """Never make a new key for a store that has forms' schema: every form printed
    before would then be read as another installation's. Returns the note of old
    plaintext still to drop (PLAINTEXT), read with the key: every open reads both."""
    query = select(schema.meta.c.key, schema.meta.c.value).where(
        schema.meta.c.key.in_([KEY, KEY_ID, PLAINTEXT])
    )
    rows = {key: value for key, value in connection.execute(query)}
    secret, fingerprint = rows.get(KEY), rows.get(KEY_ID)
    if secret is None or fingerprint is None:
        raise StoreError(KEY_PROBLEM)
    if not hmac.compare_digest(key_id(bytes(secret)), bytes(fingerprint)):
        raise StoreError(KEY_PROBLEM)
    note = rows.get(PLAINTEXT)
    return None if note is None else bytes(note)


def _upgrade(connection: Connection, tables: bool, current: str | None) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic(None))
    if tables and current is None:
        raise StoreError(N_("the database is not a formgen database (no schema version)"))
    if current is not None and current not in {s.revision for s in script.walk_revisions()}:
        raise StoreError(
            N_("the database has schema {current}, newer than this formgen knows; upgrade formgen"),
            current=current,
        )
    command.upgrade(_alembic(connection), "head")


def instance(db: Engine | Connection) -> Instance:
    if isinstance(db, Engine):
        with db.connect() as connection:
            return instance(connection)
    secret = db.execute(select(schema.meta.c.value).where(schema.meta.c.key == KEY)).scalar()
    if secret is None:
        raise StoreError(KEY_PROBLEM)
    return Instance(bytes(secret))


# --- Errors for a person ------------------------------------------------------------


def _busy() -> Message:
    try:
        seconds = timeout()
    except StoreError:
        seconds = DEFAULT_TIMEOUT
    return Message(
        N_(
            "the store is busy: another formgen process held it for more than {seconds:g} s;"
            " try again"
        ),
        seconds=seconds,
    )


def _is_psycopg(exc: BaseException) -> bool:
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(exc, psycopg.Error)


def explain(exc: BaseException) -> StoreError:
    """One line for a person about a database fault: what happened and what to do. It
    never holds SQL or its parameters (participants' names), only the kind of fault."""
    if isinstance(exc, StoreError):
        return exc
    orig = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    if isinstance(orig, sqlite3.Error):
        return StoreError(_explain_sqlite(orig))
    if _is_psycopg(orig):
        return StoreError(_explain_postgresql(orig))
    if isinstance(orig, OSError):
        return StoreError(N_("the store cannot be used ({reason})"), reason=_os_reason(orig))
    if isinstance(exc, PoolTimeout):
        return StoreError(N_("the store has no free connection: too many at once; try again"))
    if isinstance(exc, NoSuchModuleError | ArgumentError):
        return StoreError(
            N_("the database URL cannot be used; formgen uses {supported}"), supported=_SUPPORTED
        )
    return StoreError(N_("the store failed ({kind})"), kind=type(orig).__name__)


def _os_reason(exc: OSError) -> str | Word:
    if exc.errno == errno.ENOSPC:
        return Word(N_("the disk is full"))
    if exc.errno == errno.EROFS:
        return Word(N_("the store is read-only"))
    return os.strerror(exc.errno) if exc.errno else type(exc).__name__


def _explain_sqlite(exc: sqlite3.Error) -> str | Message:
    name = getattr(exc, "sqlite_errorname", "") or ""
    # Messages of SQLite itself hold no parameters, but may quote SQL: only fixed words.
    message = str(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in message:
        return _busy()
    if name.startswith("SQLITE_READONLY") or "readonly database" in message:
        return N_("the store is read-only: formgen cannot write to it")
    if name == "SQLITE_FULL" or "disk is full" in message:
        return N_("the disk is full: the store could not save the change")
    if name == "SQLITE_NOTADB" or "not a database" in message:
        return N_("cannot open the formgen database (the file is not an SQLite database)")
    if name.startswith("SQLITE_CORRUPT"):
        return N_("the store is damaged; restore it from a backup")
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in message:
        return N_("cannot open the formgen database (its file or folder cannot be opened)")
    if name.startswith("SQLITE_IOERR"):
        return N_("the store could not be read or written (a disk error)")
    if name.startswith(("SQLITE_PERM", "SQLITE_AUTH")):
        return N_("no permission to use the store")
    if APPEND_ONLY in message:
        return N_("the event log is append-only: recorded decisions cannot be changed or deleted")
    if name.startswith("SQLITE_CONSTRAINT") or isinstance(exc, sqlite3.IntegrityError):
        return N_(
            "the store refused a change that breaks its rules (a duplicate or a missing link)"
        )
    return Message(N_("the store failed ({kind})"), kind=name or type(exc).__name__)


def _server(exc: Any) -> str | Message:
    pgconn = getattr(exc, "pgconn", None)
    host = (getattr(pgconn, "host", b"") or b"").decode(errors="replace")
    port = (getattr(pgconn, "port", b"") or b"").decode(errors="replace")
    if host:
        return Message(N_("the database server at {host}:{port}"), host=host, port=port)
    return Message(N_("the database server"))


def _explain_postgresql(exc: Any) -> str | Message:
    state = getattr(exc, "sqlstate", None) or ""
    primary = getattr(getattr(exc, "diag", None), "message_primary", None) or ""
    if state == "55P03":  # lock_not_available: lock_timeout ran out
        return _busy()
    if state == "57014":
        return N_("the database server cancelled the operation; try again")
    if state in ("40001", "40P01"):  # serialization_failure, deadlock_detected
        return N_("the store was changed by another formgen process at the same time; try again")
    if state == "25006":
        return N_("the store is read-only: the database server accepts no writes")
    if state == "53100":
        return N_("the disk is full: the database server could not save the change")
    if state == "53300":
        return Message(
            N_("{server} has too many connections; try again later"), server=_server(exc)
        )
    if state.startswith("53"):
        return Message(
            N_("{server} is out of resources ({state}); try again later"),
            server=_server(exc),
            state=state,
        )
    if state == "3D000":
        return Message(N_("the database does not exist on {server}"), server=_server(exc))
    if state.startswith("28"):
        return Message(
            N_("{server} refused the login (check the user and password)"), server=_server(exc)
        )
    if state == "42501":
        return N_("no permission to use the store (the database user lacks a right)")
    if state.startswith("23"):
        if APPEND_ONLY in primary:
            return N_(
                "the event log is append-only: recorded decisions cannot be changed or deleted"
            )
        return N_(
            "the store refused a change that breaks its rules (a duplicate or a missing link)"
        )
    if state.startswith(("08", "57P")) or not state:
        # libpq's connection errors carry no SQLSTATE; its text holds host, port, user.
        message = str(exc)
        if "does not exist" in message and "database" in message:
            return Message(N_("the database does not exist on {server}"), server=_server(exc))
        if "authentication failed" in message or (
            "role" in message and "does not exist" in message
        ):
            return Message(
                N_("{server} refused the login (check the user and password)"), server=_server(exc)
            )
        for words, reason in (
            ("Connection refused", N_("connection refused")),
            ("timeout expired", N_("no answer")),
            ("could not translate host name", N_("unknown host")),
            ("No route to host", N_("no route to host")),
            ("server closed the connection", N_("the connection was closed")),
        ):
            if words in message:
                return Message(
                    N_("cannot reach {server} ({reason})"), server=_server(exc), reason=Word(reason)
                )
        return Message(N_("cannot reach {server}"), server=_server(exc))
    return Message(N_("the database server refused the operation (SQLSTATE {state})"), state=state)
