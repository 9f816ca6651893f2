"""Encryption at rest, the rest of the service's personal data: account addresses
sealed with the service key and found by a blind index (``users.email_index``, the
HMAC of the address under the new index key, unique in place of the address), the
sign-in throttle counted by that index, a waiting scan job's file names (service key),
the finished jobs' page reports' file names (the data key of the recording a page
landed on, else the service key), an institution request's contact person (the
recording's data key), the name in an event's ``manual:<name>`` source (the
service key, as staff names on accounts; the kind stays readable) and the recording's
title and the names of its student and supervisor (proof key). Rows written before are
sealed here (sealing.py); the event logs' update triggers step aside for it and come
back as 0011 made them.

A store copied into (store.open_empty) has no master key here: its tables are empty,
and the copy brings the source's wrapped keys, the index key among them.

Revision ID: 0014
Revises: 0013
"""

import importlib

import sqlalchemy as sa
from alembic import op

from formgen.record import sealing
from formgen.words import N_

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    master = sealing._masters.get(conn.engine)
    # Added, not rebuilt: on SQLite a rebuilt users table would be dropped under the
    # rows that refer to it (jobs, sessions), which foreign keys refuse. SQLite keeps
    # the column nullable and its old UNIQUE on the (now sealed, so never equal)
    # address; the unique index is the rule on both.
    op.add_column("users", sa.Column("email_index", sa.String(64), nullable=True))
    if master is not None and _has_check(conn):
        if not _has_index_key(conn):
            sealing.new_index_key(conn, master)
        _seal_existing(conn)
    elif conn.execute(sa.text("SELECT COUNT(*) FROM users")).scalar_one():
        raise sealing.StoreError(sealing.NO_KEY)
    if conn.dialect.name == "postgresql":
        op.alter_column("users", "email", type_=sa.Text, existing_nullable=False)
        op.alter_column("users", "email_index", existing_type=sa.String(64), nullable=False)
        op.drop_constraint("uq_users_email", "users", type_="unique")
    op.create_index("uq_users_email_index", "users", ["email_index"], unique=True)


def _has_check(conn: sa.Connection) -> bool:
    query = sa.text("SELECT COUNT(*) FROM meta WHERE key = :key")
    return bool(conn.execute(query, {"key": sealing.CHECK}).scalar_one())


def _has_index_key(conn: sa.Connection) -> bool:
    query = sa.text("SELECT COUNT(*) FROM sealed_keys WHERE owner = :owner AND kind = :kind")
    found = conn.execute(query, {"owner": sealing.SERVICE_OWNER, "kind": sealing.INDEX})
    return bool(found.scalar_one())


def _seal_existing(conn: sa.Connection) -> None:
    for user_id, email in conn.execute(sa.text("SELECT id, email FROM users")).all():
        if sealing.is_sealed(email):
            continue
        conn.execute(
            sa.text("UPDATE users SET email = :email, email_index = :index WHERE id = :id"),
            {
                "email": sealing.seal_account_email(conn, user_id, email),
                "index": sealing.email_index(conn, email),
                "id": user_id,
            },
        )
    # A supervisor named by address before their first sign-in: only the blind index is
    # needed (their sign-in finds the recordings by it), so the address itself goes.
    waiting = conn.execute(sa.text("SELECT recording_id, email FROM awaited_supervisors"))
    for recording_id, email in waiting.all():
        if "@" in email:
            conn.execute(
                sa.text("UPDATE awaited_supervisors SET email = :index WHERE recording_id = :id"),
                {"index": sealing.email_index(conn, email), "id": recording_id},
            )
    for row_id, key in conn.execute(sa.text("SELECT id, key FROM sign_in_failures")).all():
        if key.startswith("email:") and "@" in key:
            index = sealing.email_index(conn, key.removeprefix("email:"))
            conn.execute(
                sa.text("UPDATE sign_in_failures SET key = :key WHERE id = :id"),
                {"key": f"email:{index}", "id": row_id},
            )
    files = conn.execute(sa.text("SELECT id, job_id, position, part, filename FROM job_files"))
    for row_id, job_id, position, part, filename in files.all():
        if not sealing.is_sealed(filename):
            conn.execute(
                sa.text("UPDATE job_files SET filename = :name WHERE id = :id"),
                {
                    "name": sealing.seal_job_file_name(conn, job_id, position, part, filename),
                    "id": row_id,
                },
            )
    jobs = sa.table("jobs", sa.column("id", sa.String), sa.column("pages", sa.JSON))
    for job_id, pages in conn.execute(sa.select(jobs.c.id, jobs.c.pages)).all():
        fields = [p.get(f) for p in pages or [] for f in sealing.JOB_PAGE_FIELDS]
        if any(v and not sealing.is_sealed(v) for v in fields):
            sealed = sealing.seal_job_pages(conn, job_id, pages)
            conn.execute(sa.update(jobs).where(jobs.c.id == job_id).values(pages=sealed))
    _seal_sources(conn)
    _seal_recordings(conn)
    requests = conn.execute(
        sa.text("SELECT id, recording_id, contact FROM institution_requests")
    ).all()
    for request_id, recording_id, contact in requests:
        if contact is None or sealing.is_sealed(contact):
            continue
        has_key = conn.execute(
            sa.text("SELECT COUNT(*) FROM sealed_keys WHERE owner = :owner AND kind = :kind"),
            {"owner": recording_id, "kind": sealing.DATA},
        ).scalar_one()
        conn.execute(
            sa.text("UPDATE institution_requests SET contact = :contact WHERE id = :id"),
            {
                "contact": sealing.seal_contact(conn, recording_id, request_id, contact)
                if has_key
                else None,  # destroyed: the contact had to go anyway
                "id": request_id,
            },
        )


def _seal_sources(conn: sa.Connection) -> None:
    """The names in ``manual:<name>`` sources, past the append-only triggers (which
    refuse any update but the erasure: they are set aside in this transaction only)."""
    from formgen.record.schema import events, forms, participants, recording_events

    plain = sa.and_(
        events.c.source.startswith(sealing.MANUAL),
        sa.not_(events.c.source.startswith(sealing.MANUAL + sealing.TEXT_PREFIX)),
    )
    found = conn.execute(
        sa.select(events, participants.c.recording_id)
        .join(forms, forms.c.id == events.c.form_id)
        .join(participants, participants.c.id == forms.c.participant_id)
        .where(plain)
    ).mappings()
    event_rows = [dict(r) for r in found]
    plain_log = sa.and_(
        recording_events.c.source.startswith(sealing.MANUAL),
        sa.not_(recording_events.c.source.startswith(sealing.MANUAL + sealing.TEXT_PREFIX)),
    )
    log_rows = [
        dict(r) for r in conn.execute(sa.select(recording_events).where(plain_log)).mappings()
    ]
    if not event_rows and not log_rows:
        return
    retention = importlib.import_module("formgen.record.migrations.versions.0011_proof_retention")
    dialect = conn.dialect.name
    if dialect == "sqlite":
        for table in retention.TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
    elif dialect == "postgresql":
        for table in retention.TABLES:
            op.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_erase_only")
    for row in event_rows:
        sealing.seal_event_source(conn, row["recording_id"], row)
        conn.execute(sa.update(events).where(events.c.id == row["id"]).values(source=row["source"]))
    for row in log_rows:
        source = sealing.seal_log_source(
            conn, row["recording_id"], row["kind"], row["at"], row["source"]
        )
        conn.execute(
            sa.update(recording_events)
            .where(recording_events.c.id == row["id"])
            .values(source=source)
        )
    if dialect == "sqlite":
        op.execute(retention._SQLITE_EVENTS)
        op.execute(retention._SQLITE_RECORDING_EVENTS)
    elif dialect == "postgresql":
        for table in retention.TABLES:
            op.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_erase_only")


def _seal_recordings(conn: sa.Connection) -> None:
    """The recordings' titles and the names of student and supervisor (proof key). A
    recording whose proof retention already ended has no proof key: it is left as it
    was (the erasure of an older release did not touch them)."""
    from formgen.record.schema import recordings, sealed_keys

    rows = conn.execute(
        sa.select(recordings.c.id, *(recordings.c[c] for c in sealing.RECORDING_NAMES)).join(
            sealed_keys,
            sa.and_(sealed_keys.c.owner == recordings.c.id, sealed_keys.c.kind == sealing.PROOF),
        )
    ).mappings()
    for row in [dict(r) for r in rows]:
        plain = {c: row[c] for c in sealing.RECORDING_NAMES if not sealing.is_sealed(row[c])}
        if plain:
            sealed = sealing.seal_recording_names(conn, row["id"], plain)
            conn.execute(sa.update(recordings).where(recordings.c.id == row["id"]).values(sealed))


def downgrade() -> None:
    """Only a store without accounts goes back: sealed addresses are not unsealed."""
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT COUNT(*) FROM users")).scalar_one():
        raise sealing.StoreError(N_("a store with accounts cannot go back before sealed addresses"))
    conn.execute(
        sa.text("DELETE FROM sealed_keys WHERE owner = :owner AND kind = :kind"),
        {"owner": sealing.SERVICE_OWNER, "kind": sealing.INDEX},
    )
    op.drop_index("uq_users_email_index", "users")
    if conn.dialect.name == "postgresql":
        op.create_unique_constraint("uq_users_email", "users", ["email"])
        op.alter_column("users", "email", type_=sa.String(254), existing_nullable=False)
    with op.batch_alter_table("users") as batch:  # no rows refer to an empty users table
        batch.drop_column("email_index")
