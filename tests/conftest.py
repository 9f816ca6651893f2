"""Shared fixtures.

Stores on both backends: a test that asks for ``store_url`` (the URL of a new store: a
copy of one migrated once per run, nothing in it) or ``empty_store_url`` (a database
without even the schema) runs twice, ``[sqlite]`` and ``[postgresql]``. ``db_url``
does the same and also sets ``FORMGEN_DB``, so the CLI fixtures (``run``, ``js``,
``rec``) use that store; to run a whole module on both backends put this at its top::

    pytestmark = pytest.mark.usefixtures("db_url")

The PostgreSQL variant needs a server: ``FORMGEN_TEST_PG`` is the URL of a database on
it (``.ci/run`` starts a throwaway cluster and sets it), where each test gets a database
of its own: a copy of the template, emptied, renamed and reused by the next test when
its shape is unchanged (tests/helpers/pg_pool.py). Without it the variant is skipped,
or fails when ``CI`` is set. On PostgreSQL the ``db`` path does not exist: open the
store with ``open_store()`` (it reads ``FORMGEN_DB``), not with ``sqlite3``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.pool import NullPool

from formgen.api import Formgen
from formgen.cli import cli
from formgen.mail.mailbox import Mailbox

# RECORDING, Run and store_dump live in tests/helpers; test modules still import them
# from here, so they stay importable from here.
from .helpers import RECORDING, Run, pg_pool, store_dump, test_config, write_toml  # noqa: F401

BROWSER_FIXTURES = {"browser", "page"}
# Whole modules that start servers, build wheels or fuzz the API. (The web tests' ``live``
# service runs in the test's process unless a browser or a raw socket needs a real
# ``formgen serve``: those are marked ``browser`` or ``served``, and ``served`` is slow.)
SLOW_MODULES = {
    "test_schemathesis.py",
    "test_package.py",
    "test_online_pages.py",
    "test_oidc.py",  # an OpenID Provider (TLS, its own certificate) per test
    "test_store_waits.py",  # processes that hold the store's lock
    # corpora: real forms folded, photographed, creased, stapled, shown through, each
    # condition read back several times (the fast subset keeps test_scan_core's one
    # page per condition)
    "test_scan_folds_and_photos.py",
    "test_scan_marks.py",
    "test_scan_sig_edge.py",  # the signature field's dangers, many pages each (70 s)
    "test_scan_import.py",  # every condition imported into a store, both reader paths
    "test_synth.py",  # the degradations themselves, each on a whole A4 page
    "test_cli_attacks.py",  # a command process per attack
}


@pytest.hookimpl(tryfirst=True)  # a mark, before pytest turns marks and fixtures into calls
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A browser test runs on SQLite only, unless it is marked ``both_stores``: what a
    page does is the same on both stores, and the store, the service's requests (ASGI
    tests) and the journeys marked ``both_stores`` (one or two per role) run on both.
    Half the browser time went to running every page test twice. A test marked
    ``one_store`` runs on SQLite only too: what it tests happens before or beside the
    store (a proxy header, a refused token, a malformed address)."""
    used = set(metafunc.fixturenames)
    marked = metafunc.definition.get_closest_marker
    if "store_url" in used and (
        marked("one_store") is not None
        or (used & BROWSER_FIXTURES and marked("both_stores") is None)
    ):
        sqlite_only = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
        metafunc.definition.add_marker(sqlite_only)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark each test by what it needs (see pyproject's markers): the PostgreSQL variant
    of a store test, the browser tests, and those that start a server process (marked
    ``slow`` where they are written, or ``served``, or in SLOW_MODULES).

    A parameter marked ``one_store`` (``pytest.param(..., marks=pytest.mark.one_store)``)
    has no PostgreSQL variant: a sweep over the reader's conditions, say, lands in the
    store the same way for every condition, so PostgreSQL gets one of them, not each."""
    dropped = []
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec is not None else {}
        if "postgresql" in (params.get("store_url"), params.get("empty_store_url")):
            if item.get_closest_marker("one_store") is not None:
                dropped.append(item)
                continue
            item.add_marker(pytest.mark.postgres)
        if used & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        served = item.get_closest_marker("served") is not None
        if served or item.path.name in SLOW_MODULES or "wheel" in item.name:
            item.add_marker(pytest.mark.slow)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        gone = set(map(id, dropped))
        items[:] = [item for item in items if id(item) not in gone]


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """argon2id at its lowest cost in the tests' own processes: the same library and code
    path, with parameters no deployment would choose (each hash or check cost 0.16 s of
    CPU at formgen's, and the service tests make and check hundreds). The processes the
    tests start (``formgen serve``, ``formgen worker``) hash as formgen does, and
    tests/test_access_accounts_and_jobs.py checks formgen's own parameters there."""
    from argon2 import PasswordHasher

    from formgen.record import accounts

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", lambda: cheap)
        yield


@pytest.fixture(autouse=True)
def _engines_closed() -> Iterator[None]:
    """Every store engine a test used is disposed of when the test ends. Tests open
    stores with ``open_store()`` and leave them to the garbage collector; a pooled
    PostgreSQL engine left so makes psycopg warn as it goes, and pytest fails whichever
    later test the collector happens to run in."""
    engines: weakref.WeakSet[Engine] = weakref.WeakSet()

    def seen(conn: Connection) -> None:
        engines.add(conn.engine)

    event.listen(Engine, "engine_connect", seen)
    yield
    event.remove(Engine, "engine_connect", seen)
    for engine in list(engines):
        engine.dispose()


@pytest.fixture(scope="session")
def master_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One master key (owner-only) for the stores of the whole run."""
    from formgen.record import sealing

    path = tmp_path_factory.mktemp("key") / "formgen.key"
    sealing.make_master(path)
    return path


@pytest.fixture(autouse=True)
def _master_key(master_key_file: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every store a test opens, in the test or in a process it starts, opens with the
    run's master key (FORMGEN_KEY_FILE); tests of the key itself set their own."""
    monkeypatch.setenv("FORMGEN_KEY_FILE", str(master_key_file))
    return master_key_file


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Engine]:
    """The PostgreSQL server of ``FORMGEN_TEST_PG``, to create test databases on."""
    url = os.environ.get("FORMGEN_TEST_PG", "")
    if not url:
        message = "FORMGEN_TEST_PG is not set: no PostgreSQL server to test against"
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI must run the PostgreSQL tests)")
        pytest.skip(message)
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as exc:  # a set but unusable server is a failure, never a skip
        pytest.fail(f"FORMGEN_TEST_PG is set but the server cannot be used: {exc}")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def store_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One store migrated to the newest schema per backend and run (made at first use;
    no signing key, as ``store.open_empty`` makes it): each test's store is a copy, so
    every test does not run all migrations again. The migrations themselves are tested
    on empty databases (``empty_store_url``) and on stores made at older versions."""
    made: dict[str, str] = {}
    yield made
    if "postgresql" in made:
        server = create_engine(made["server"], isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{made["postgresql"]}" WITH (FORCE)')
        server.dispose()


def _template(backend: str, request: pytest.FixtureRequest) -> str:
    from formgen.record import store

    templates: dict[str, str] = request.getfixturevalue("store_templates")
    if backend not in templates:
        if backend == "sqlite":
            folder = request.getfixturevalue("tmp_path_factory").mktemp("template")
            url = f"sqlite:///{folder / 'store.db'}"
        else:
            server: Engine = request.getfixturevalue("pg_server")
            name = f"fg_template_{secrets.token_hex(6)}"
            with server.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            templates["server"] = server.url.render_as_string(hide_password=False)
            url = server.url.set(database=name).render_as_string(hide_password=False)
        store.open_empty(url).dispose()  # every connection closed: it can be copied
        templates[backend] = url if backend == "sqlite" else name
    return templates[backend]


def _own_key(url: str) -> None:
    """A copy of the template gets a signing key of its own, as a new store does when
    it is first opened (the master key's check is made at that first open)."""
    from formgen.record import schema, store
    from formgen.record.formid import Instance

    secret = Instance.create().secret
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(
                schema.meta.insert(),
                [
                    {"key": store.KEY, "value": secret},
                    {"key": store.KEY_ID, "value": store.key_id(secret)},
                ],
            )
    finally:
        engine.dispose()


def _new_store(request: pytest.FixtureRequest, tmp_path: Path, *, empty: bool) -> Iterator[str]:
    path = tmp_path / "store.db"
    if request.param == "sqlite":
        url = f"sqlite:///{path}"
        if not empty:
            shutil.copyfile(str(make_url(_template("sqlite", request)).database), path)
            path.chmod(0o600)
            _own_key(url)
        yield url
        return
    server: Engine = request.getfixturevalue("pg_server")
    if not empty:
        pool: pg_pool.Pool = request.getfixturevalue("pg_databases")
        name = pool.take()
        try:
            _own_key(pool.url(name))
            yield pool.url(name)
        finally:
            pool.give_back(name)
        return
    name = f"fg_{secrets.token_hex(6)}"
    with server.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as conn:  # FORCE: the test's engines may still be connected
            conn.exec_driver_sql(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_databases(pg_server: Engine, request: pytest.FixtureRequest) -> Iterator[pg_pool.Pool]:
    """This process's copies of the PostgreSQL template, emptied and reused between
    tests (see tests/helpers/pg_pool.py); dropped at the end of the run."""
    pool = pg_pool.Pool(pg_server, _template("postgresql", request))
    yield pool
    pool.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new store with formgen's schema and nothing in it, as the first
    ``Formgen.open`` of a new database leaves it: an SQLite file (``tmp_path/store.db``,
    the ``db`` fixture's path) or a new database on the ``FORMGEN_TEST_PG`` server; a
    copy of the run's template (``store_templates``)."""
    yield from _new_store(request, tmp_path, empty=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database with nothing in it, not even formgen's schema (for tests of
    what the first open, the migrations or a copy into a new database do)."""
    yield from _new_store(request, tmp_path, empty=True)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Path:
    """A fresh store and working directory per test (output/ lands in tmp_path):
    FORMGEN_DB is ``tmp_path/store.db``, a copy of the run's template as a first command
    leaves a new store (with the ``new_store`` mark, nothing yet: the first command makes
    it). When the test also uses ``store_url`` (``db_url`` does), FORMGEN_DB is that URL."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "store.db"
    if "store_url" in request.fixturenames:
        monkeypatch.setenv("FORMGEN_DB", request.getfixturevalue("store_url"))
    elif request.node.get_closest_marker("new_store") is not None:
        monkeypatch.setenv("FORMGEN_DB", str(path))
    else:
        # A copy of the run's migrated template, as the first command leaves a new store
        # (migrating one took each test about 0.2 s of CPU).
        shutil.copyfile(str(make_url(_template("sqlite", request)).database), path)
        path.chmod(0o600)
        _own_key(f"sqlite:///{path}")
        monkeypatch.setenv("FORMGEN_DB", str(path))
    monkeypatch.delenv("FORMGEN_CONFIG", raising=False)
    write_toml(tmp_path)  # a faculty's configuration (the DPO's contact)
    return path


@pytest.fixture
def db_url(db: Path, store_url: str) -> str:
    """Like ``db``, on SQLite and on PostgreSQL: FORMGEN_DB is the URL returned."""
    assert make_url(os.environ["FORMGEN_DB"]) == make_url(store_url)
    return store_url


@pytest.fixture
def fg(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Formgen]:
    """The library on a fresh store (both backends), its output under ``tmp_path``. A
    module that needs another configuration (mail, a public URL) defines its own."""
    monkeypatch.chdir(tmp_path)
    with Formgen.open(db=db_url, config=test_config(output_dir=tmp_path / "output")) as opened:
        yield opened


@pytest.fixture
def box() -> Iterator[Mailbox]:
    """A real SMTP server on loopback that keeps what it receives."""
    with Mailbox() as mailbox:
        yield mailbox


@pytest.fixture
def run(db: Path) -> Iterator[Run]:
    runner = CliRunner()
    engines: weakref.WeakSet[Engine] = weakref.WeakSet()

    def seen(conn: Connection) -> None:
        engines.add(conn.engine)

    def invoke(*args: str, ok: bool = True) -> Result:
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        # A real command's process ends here, and closing the store's last connection
        # moves SQLite's WAL into the file (which tests compare byte for byte): so close
        # the command's connections now, not at some later garbage collection.
        for engine in list(engines):
            engine.dispose()
        if ok:
            assert result.exit_code == 0, result.output + result.stderr
        return result

    event.listen(Engine, "engine_connect", seen)
    yield invoke
    event.remove(Engine, "engine_connect", seen)


@pytest.fixture
def js(run: Run) -> Callable[..., Any]:
    """Run a command with --json and return the parsed document."""

    def invoke(*args: str) -> Any:
        return json.loads(run(*args, "--json").stdout)

    return invoke


@pytest.fixture
def rec(js: Callable[..., Any]) -> str:
    return js(*RECORDING)["id"]
