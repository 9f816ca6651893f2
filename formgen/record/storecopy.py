"""Copy a whole store into a new, empty database: from the embedded SQLite file to a
faculty's PostgreSQL, or back. Everything goes (recordings, forms with their layouts,
every event, scan pages and images, printed-document notes, accounts, sessions, jobs,
the signing key), in one transaction on the target, by INSERT only, so the event
tables' append-only rules hold during the copy. Afterwards the counts of every table
and a checksum of the event logs are compared; a difference is an error and the
target is left as the transaction left it (rolled back)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Integer, func, select, text

from formgen.errors import StoreError
from formgen.record import schema, store
from formgen.words import N_

BATCH = 200  # rows per INSERT: scan images are large


@dataclass(frozen=True)
class Copied:
    counts: dict[str, int]
    checksum: str  # of the event logs, the same on both sides

    def as_dict(self) -> dict[str, Any]:
        return {"tables": self.counts, "event_log_sha256": self.checksum}


def event_checksum(conn: Connection) -> str:
    """SHA-256 over both event logs in id order, every column as text: what proof of
    consent rests on must come over unchanged."""
    digest = hashlib.sha256()
    for table in (schema.events, schema.recording_events):
        for row in conn.execute(select(table).order_by(table.c.id)):
            values = [_plain(v) for v in row]
            digest.update(json.dumps([table.name, *values], sort_keys=True).encode())
    return digest.hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def counts(conn: Connection) -> dict[str, int]:
    return {
        table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
        for table in schema.metadata.sorted_tables
    }


def copy(source: Engine, target_url: str) -> Copied:
    """Copy every row of ``source`` into the empty database at ``target_url``."""
    target = store.open_empty(target_url)
    try:
        with source.connect() as src:
            expected = counts(src)
            checksum = event_checksum(src)
            with target.begin() as dst:
                for table in schema.metadata.sorted_tables:  # parents before children
                    _copy_table(src, dst, table)
                    _follow_sequence(dst, table)
                got, again = counts(dst), event_checksum(dst)
                if got != expected or again != checksum:
                    differ = sorted(k for k in expected if expected[k] != got.get(k))
                    raise StoreError(
                        N_(
                            "the copy does not match the store (tables: {tables}; event log "
                            "checksum {checksum}); nothing was kept"
                        ),
                        tables=", ".join(differ) or "none",
                        checksum="same" if again == checksum else "differs",
                    )
    finally:
        target.dispose()
    return Copied(expected, checksum)


def _copy_table(src: Connection, dst: Connection, table: Any) -> None:
    key = list(table.primary_key.columns) or list(table.columns)
    rows = src.execute(select(table).order_by(*key)).mappings()
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(dict(row))
        if len(batch) >= BATCH:
            dst.execute(table.insert(), batch)
            batch = []
    if batch:
        dst.execute(table.insert(), batch)


def _follow_sequence(dst: Connection, table: Any) -> None:
    """PostgreSQL hands out serial IDs from a sequence that an INSERT with explicit IDs
    does not move: move it past the copied ones, or the next event would collide."""
    if dst.dialect.name != "postgresql":
        return
    for column in table.primary_key.columns:
        if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
            dst.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, :column), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                ),
                {"table": table.name, "column": column.name},
            )
