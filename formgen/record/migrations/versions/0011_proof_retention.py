"""The record as proof for a limited time, and online answers tied to a person.

Destroying a recording erases what people wrote (reasons, notes) at once; when the proof
retention ends, everything personal goes. The event logs stay append-only for their
facts (which form, clause, status, when, from where): the one change the triggers now
let through is that erasure, and nothing else. ``events.reason`` may only become
``ERASED``; a ``recording_events`` row that named a participant (a renaming) may only lose
those names.

Online answers keep the exact text the person was shown (``text_html``, beside its
hash), the hash of a random id of the browser that answered (``browser_hash``, never
the id itself) and why the answer needs a person's check (``flag``).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

MESSAGE = "the event log is append-only"
ERASED = "[erased]"  # equal to formgen.lifecycle.ERASED (a test checks)
RENAMED = "participant_renamed"

# SQLite: the UPDATE triggers of 0001 and 0002 refuse every update; these refuse every
# update but the erasure.
_SQLITE_EVENTS = (
    "CREATE TRIGGER events_no_update BEFORE UPDATE ON events WHEN NOT ("
    "NEW.id = OLD.id AND NEW.form_id = OLD.form_id AND NEW.clause IS OLD.clause"
    " AND NEW.status = OLD.status AND NEW.at = OLD.at AND NEW.source = OLD.source"
    f" AND NEW.detail IS OLD.detail AND NEW.reason = '{ERASED}') "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
)
_SQLITE_RECORDING_EVENTS = (
    "CREATE TRIGGER recording_events_no_update BEFORE UPDATE ON recording_events WHEN NOT ("
    "NEW.id = OLD.id AND NEW.recording_id = OLD.recording_id AND NEW.kind = OLD.kind"
    f" AND NEW.at = OLD.at AND NEW.source = OLD.source AND OLD.kind = '{RENAMED}'"
    " AND json_extract(NEW.detail, '$.before') IS NULL"
    " AND json_extract(NEW.detail, '$.after') IS NULL"
    " AND json_extract(NEW.detail, '$.participant') IS json_extract(OLD.detail, '$.participant')"
    " AND json_extract(NEW.detail, '$.form_id') IS json_extract(OLD.detail, '$.form_id')) "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
)
_SQLITE_ALL_UPDATES = (
    "CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
)

# PostgreSQL: 0003's statement triggers keep refusing DELETE and TRUNCATE; a row trigger
# judges each UPDATE.
_PG_EVENTS = (
    "CREATE FUNCTION formgen_events_erase_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN IF NEW.id = OLD.id AND NEW.form_id = OLD.form_id"
    " AND NEW.clause IS NOT DISTINCT FROM OLD.clause AND NEW.status = OLD.status"
    " AND NEW.at = OLD.at AND NEW.source = OLD.source"
    " AND NEW.detail::text IS NOT DISTINCT FROM OLD.detail::text"
    f" AND NEW.reason = '{ERASED}' THEN RETURN NEW; END IF; "
    f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END $$"
)
_PG_RECORDING_EVENTS = (
    "CREATE FUNCTION formgen_recording_events_erase_only() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ "
    "BEGIN IF NEW.id = OLD.id AND NEW.recording_id = OLD.recording_id"
    " AND NEW.kind = OLD.kind AND NEW.at = OLD.at AND NEW.source = OLD.source"
    f" AND OLD.kind = '{RENAMED}' AND NEW.detail::jsonb ->> 'before' IS NULL"
    " AND NEW.detail::jsonb ->> 'after' IS NULL"
    " AND NEW.detail::jsonb -> 'participant'"
    " IS NOT DISTINCT FROM OLD.detail::jsonb -> 'participant'"
    " AND NEW.detail::jsonb -> 'form_id' IS NOT DISTINCT FROM OLD.detail::jsonb -> 'form_id'"
    " THEN RETURN NEW; END IF; "
    f"RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END $$"
)
TABLES = ("events", "recording_events")


def upgrade() -> None:
    with op.batch_alter_table("online_answers") as batch:
        batch.add_column(sa.Column("text_html", sa.Text, nullable=True))
        batch.add_column(sa.Column("browser_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("flag", sa.Text, nullable=True))
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        op.execute(_SQLITE_EVENTS)
        op.execute(_SQLITE_RECORDING_EVENTS)
    elif dialect == "postgresql":
        op.execute(_PG_EVENTS)
        op.execute(_PG_RECORDING_EVENTS)
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION formgen_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_erase_only BEFORE UPDATE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION formgen_{table}_erase_only()"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(_SQLITE_ALL_UPDATES.format(table=table))
    elif dialect == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_erase_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(
                f"CREATE TRIGGER {table}_append_only "
                f"BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION formgen_append_only()"
            )
            op.execute(f"DROP FUNCTION IF EXISTS formgen_{table}_erase_only()")
    with op.batch_alter_table("online_answers") as batch:
        for column in ("flag", "browser_hash", "text_html"):
            batch.drop_column(column)
