"""The append-only rule on PostgreSQL too, no INSERT OR REPLACE on SQLite, and the
signing key's fingerprint.

PostgreSQL: a trigger per event table refuses UPDATE, DELETE and TRUNCATE. SQLite (which
has refused UPDATE and DELETE since 0001/0002): ``INSERT OR REPLACE`` deletes the old row
without firing DELETE triggers, so a BEFORE INSERT trigger refuses a row whose id is
taken. It lives in the database file, so it holds for any program that opens it.

``meta`` gets ``instance_id``, the fingerprint of the signing key, for stores that have a
key: from now on a missing or replaced key is noticed instead of silently remade.

Revision ID: 0003
Revises: 0002
"""

import hashlib
import hmac

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TABLES = ("events", "recording_events")
MESSAGE = "the event log is append-only"
meta = sa.table("meta", sa.column("key", sa.String), sa.column("value", sa.LargeBinary))


def key_id(secret: bytes) -> bytes:
    # Fixed forever: equal to formgen.store.key_id (a test checks).
    return hmac.new(secret, b"formgen key id", hashlib.sha256).digest()[:16]


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
                f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )
    elif bind.dialect.name == "postgresql":
        # restrict_violation: an integrity error, as SQLite's RAISE(ABORT) is.
        op.execute(
            "CREATE FUNCTION formgen_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only "
                f"BEFORE UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION formgen_append_only()"
            )
    secret = bind.execute(sa.select(meta.c.value).where(meta.c.key == "instance")).scalar()
    known = bind.execute(sa.select(meta.c.key).where(meta.c.key == "instance_id")).scalar()
    if secret is not None and known is None:
        op.execute(meta.insert().values(key="instance_id", value=key_id(bytes(secret))))


def downgrade() -> None:
    op.execute(meta.delete().where(meta.c.key == "instance_id"))
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
    elif bind.dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        op.execute("DROP FUNCTION IF EXISTS formgen_append_only()")
