"""Test databases on the PostgreSQL test server, emptied and reused instead of created
for every test.

``CREATE DATABASE … TEMPLATE`` costs about 0.35 s of CPU however small the template (it
copies the system catalogues too): with a couple of hundred PostgreSQL tests that was the
largest single cost of the suite's PostgreSQL half. Emptying a used database costs a few
hundredths of a second: the test's sessions are ended, every table is truncated and the
template's rows (alembic's version) are written back, and the database is renamed, so
the next test finds exactly what a fresh copy holds, under a name no one has used.

A database comes back only when its shape is the template's: a test that changed the
schema, a trigger, a function or a database setting (a read-only store, a migration
test) leaves a fingerprint that differs, and that database is dropped, not reused. So is
one that cannot be emptied for any reason. Only a superuser may switch off the
append-only triggers for the truncation; with another role every database is dropped as
before.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

# Everything of a database's shape a test could change, as rows to compare. Row data
# is not in it: that is what the truncation removes.
_SHAPE = """
SELECT 'rel', n.nspname || '.' || c.relname, c.relkind::text || coalesce(c.reloptions::text, '')
    || coalesce(c.relacl::text, '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
UNION ALL
SELECT 'col', table_schema || '.' || table_name || '.' || column_name,
    data_type || is_nullable || coalesce(column_default, '')
FROM information_schema.columns
WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'con', conrelid::regclass::text || '.' || conname, pg_get_constraintdef(oid)
FROM pg_constraint WHERE connamespace = 'public'::regnamespace
UNION ALL
SELECT 'idx', schemaname || '.' || indexname, indexdef
FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'trg', tgrelid::regclass::text || '.' || tgname, tgenabled::text || tgfoid::regproc::text
FROM pg_trigger WHERE NOT tgisinternal
UNION ALL
SELECT 'fn', p.oid::regprocedure::text, md5(p.prosrc)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
UNION ALL
SELECT 'set', coalesce(setrole::regrole::text, ''), setconfig::text
FROM pg_db_role_setting WHERE setdatabase = (
    SELECT oid FROM pg_database WHERE datname = current_database())
UNION ALL
SELECT 'lo', '', count(*)::text FROM pg_largeobject_metadata
UNION ALL
SELECT 'ext', extname, extversion FROM pg_extension
"""


class Pool:
    """The databases of one test process on ``server``, copies of ``template``."""

    def __init__(self, server: Engine, template: str) -> None:
        self.server = server
        self.template = template
        self.free: list[str] = []
        self.made: set[str] = set()
        engine = self._engine(template)
        try:
            with engine.connect() as conn:
                self.shape = _shape(conn)
                self.tables = [
                    row[0]
                    for row in conn.exec_driver_sql(
                        "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
                    )
                ]
                # What the template holds (alembic's version row): written back after
                # the truncation.
                self.rows = {}
                for table in self.tables:
                    rows = [
                        dict(r) for r in conn.exec_driver_sql(f"SELECT * FROM {table}").mappings()
                    ]
                    if rows:
                        self.rows[table] = rows
                self.superuser = conn.exec_driver_sql("SHOW is_superuser").scalar() == "on"
        finally:
            engine.dispose()

    def url(self, name: str) -> str:
        return self.server.url.set(database=name).render_as_string(hide_password=False)

    def _engine(self, name: str) -> Engine:
        return create_engine(self.url(name), poolclass=NullPool)

    def take(self) -> str:
        """A database holding what a fresh copy of the template holds."""
        if self.free:
            return self.free.pop()
        name = f"fg_{secrets.token_hex(6)}"
        with self.server.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.made.add(name)
        return name

    def give_back(self, name: str) -> None:
        """Empty the database for the next test, or drop it if it is not as it was."""
        with self.server.connect() as conn:  # the test's engines may still be connected
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        if self.superuser and self._emptied(name):
            # Under a new name: whatever still holds the old URL (a rendering process's
            # open store, an engine the test forgot) reaches nothing, never the next
            # test's store.
            fresh = f"fg_{secrets.token_hex(6)}"
            try:
                with self.server.connect() as conn:
                    conn.exec_driver_sql(f'ALTER DATABASE "{name}" RENAME TO "{fresh}"')
            except Exception:  # someone connected again meanwhile: not reused
                self.drop(name)
                return
            self.made.discard(name)
            self.made.add(fresh)
            self.free.append(fresh)
        else:
            self.drop(name)

    def _emptied(self, name: str) -> bool:
        engine = self._engine(name)
        try:
            with engine.begin() as conn:
                if _shape(conn) != self.shape:
                    return False
                # The ended sessions may still hold locks for a moment: wait, not forever.
                conn.exec_driver_sql("SET LOCAL lock_timeout = '10s'")
                # The event log's append-only triggers refuse TRUNCATE; replica mode
                # switches them off for this transaction only.
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
                conn.exec_driver_sql(f"TRUNCATE {', '.join(self.tables)} RESTART IDENTITY")
                # Sequences no table owns would keep counting: start them all again.
                conn.exec_driver_sql("SELECT setval(seqrelid, seqstart, false) FROM pg_sequence")
                for table, rows in self.rows.items():
                    columns = ", ".join(f'"{column}"' for column in rows[0])
                    values = ", ".join(f":{column}" for column in rows[0])
                    conn.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({values})"), rows)
            return True
        except Exception:  # whatever went wrong, a dropped database cannot mislead a test
            return False
        finally:
            engine.dispose()

    def drop(self, name: str) -> None:
        self.made.discard(name)
        with self.server.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        for name in list(self.made):
            self.drop(name)
        self.free.clear()


def _shape(conn: Any) -> list[tuple[str, str, str]]:
    return sorted(tuple(row) for row in conn.exec_driver_sql(_SHAPE))
