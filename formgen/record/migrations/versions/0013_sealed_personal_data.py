"""Encryption at rest: the wrapped keys table, a check value of the master key, a data
and a proof key for every recording, and every personal value written before sealed
with them (sealing.py). Addresses become Text: a sealed address is longer.

The master key comes from the store being opened (store.open_store attaches it to the
engine first). A store copied into (store.open_empty) has no master key here: its
tables are empty, and the copy brings the source's check value and wrapped keys.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from formgen.record import sealing
from formgen.words import N_

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sealed_keys",
        sa.Column("owner", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(8), primary_key=True),
        sa.Column("wrapped", sa.LargeBinary, nullable=False),
    )
    with op.batch_alter_table("participant_addresses") as batch:
        batch.alter_column("email", type_=sa.Text, existing_nullable=False)
    with op.batch_alter_table("online_answers") as batch:
        batch.alter_column("email", type_=sa.Text, existing_nullable=False)
        batch.alter_column("other_email", type_=sa.Text, existing_nullable=True)
    conn = op.get_bind()
    master = sealing._masters.get(conn.engine)
    recordings = [r for (r,) in conn.execute(sa.text("SELECT id FROM recordings ORDER BY id"))]
    if master is None:
        if recordings:
            raise sealing.StoreError(sealing.NO_KEY)
        return  # an empty store to copy into: the copy brings the keys
    sealing.initialise(conn, master)
    for recording_id in recordings:
        sealing.new_recording_keys(conn, recording_id)
    _seal_existing(conn)


def _seal_existing(conn: sa.Connection) -> None:
    from formgen.record.schema import (
        online_answers,
        participant_addresses,
        participants,
        scan_images,
    )

    def seal(owner, kind, where, value):
        return value if sealing.is_sealed(value) else sealing.seal(conn, owner, kind, where, value)

    for pid, rec, name in conn.execute(
        sa.select(participants.c.id, participants.c.recording_id, participants.c.name)
    ).all():
        conn.execute(
            sa.update(participants)
            .where(participants.c.id == pid)
            .values(name=seal(rec, sealing.PROOF, ("participants", pid, "name"), name))
        )
    for pid, rec, email in conn.execute(
        sa.select(
            participant_addresses.c.participant_id,
            participants.c.recording_id,
            participant_addresses.c.email,
        ).join(participants, participants.c.id == participant_addresses.c.participant_id)
    ).all():
        conn.execute(
            sa.update(participant_addresses)
            .where(participant_addresses.c.participant_id == pid)
            .values(email=seal(rec, sealing.PROOF, ("participant_addresses", pid, "email"), email))
        )
    rows = conn.execute(
        sa.text(
            "SELECT a.id, p.recording_id FROM online_answers a JOIN forms f ON f.id = a.form_id"
            " JOIN participants p ON p.id = f.participant_id"
        )
    ).all()
    for answer_id, rec in rows:
        row = (
            conn.execute(sa.select(online_answers).where(online_answers.c.id == answer_id))
            .mappings()
            .one()
        )
        values = {
            column: seal(rec, sealing.PROOF, ("online_answers", answer_id, column), row[column])
            for column in ("name", "email", "other_email")
        }
        answers = dict(row["answers"])
        for key in ("_child", "_agrees"):
            if answers.get(key) is not None:
                answers[key] = seal(
                    rec, sealing.PROOF, ("online_answers", answer_id, key), answers[key]
                )
        conn.execute(
            sa.update(online_answers)
            .where(online_answers.c.id == answer_id)
            .values(**values, answers=answers)
        )
    for user_id, name in conn.execute(sa.text("SELECT id, name FROM users")).all():
        if not sealing.is_sealed(name):
            conn.execute(
                sa.text("UPDATE users SET name = :name WHERE id = :id"),
                {"name": sealing.seal_account_name(conn, user_id, name), "id": user_id},
            )
    for digest, filename in conn.execute(sa.text("SELECT sha256, filename FROM scans")).all():
        rec = conn.execute(
            sa.text(
                "SELECT p.recording_id FROM scan_pages s JOIN forms f ON f.id = s.form_id"
                " JOIN participants p ON p.id = f.participant_id WHERE s.sha256 = :digest"
                " ORDER BY s.id LIMIT 1"
            ),
            {"digest": digest},
        ).scalar()
        if not sealing.is_sealed(filename):
            conn.execute(
                sa.text("UPDATE scans SET filename = :name WHERE sha256 = :digest"),
                {"name": sealing.seal_file_name(conn, rec, digest, filename), "digest": digest},
            )
    rows = conn.execute(
        sa.text(
            "SELECT i.id, i.page_id, i.name, p.recording_id FROM scan_images i"
            " JOIN scan_pages s ON s.id = i.page_id JOIN forms f ON f.id = s.form_id"
            " JOIN participants p ON p.id = f.participant_id"
        )
    ).all()
    for image_id, page_id, name, rec in rows:
        data = conn.execute(
            sa.select(scan_images.c.data).where(scan_images.c.id == image_id)
        ).scalar_one()
        conn.execute(
            sa.update(scan_images)
            .where(scan_images.c.id == image_id)
            .values(
                data=seal(
                    rec, sealing.PROOF, ("scan_images", f"{page_id}/{name}", "data"), bytes(data)
                )
            )
        )


def downgrade() -> None:
    """Only an empty store goes back: sealed data is not unsealed by a downgrade."""
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT COUNT(*) FROM recordings")).scalar_one():
        raise sealing.StoreError(N_("a store with recordings cannot go back before encryption"))
    conn.execute(sa.text("DELETE FROM meta WHERE key = :key"), {"key": sealing.CHECK})
    op.drop_table("sealed_keys")
    with op.batch_alter_table("online_answers") as batch:
        batch.alter_column("email", type_=sa.String(254), existing_nullable=False)
        batch.alter_column("other_email", type_=sa.String(254), existing_nullable=True)
    with op.batch_alter_table("participant_addresses") as batch:
        batch.alter_column("email", type_=sa.String(254), existing_nullable=False)
