"""The consent record: recordings, participants, forms, append-only events, scans.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(40), primary_key=True),
        sa.Column("value", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "recordings",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("student", sa.Text, nullable=False),
        sa.Column("supervisor", sa.Text, nullable=False),
        sa.Column("situation", sa.String(1), nullable=False),
        sa.Column("institution", sa.Text),
        sa.Column("recorded_on", sa.Date, nullable=False),
        sa.Column("media", sa.String(8), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("livestream", sa.Boolean, nullable=False),
        sa.Column("livestream_stored", sa.Boolean, nullable=False),
        sa.Column("view360", sa.Boolean, nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("delete_by", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column(
            "recording_id",
            sa.String(16),
            sa.ForeignKey("recordings.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("under_16", sa.Boolean, nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "forms",
        sa.Column("id", sa.String(11), primary_key=True),
        sa.Column(
            "participant_id",
            sa.String(16),
            sa.ForeignKey("participants.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("variant", sa.String(8), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("clauses", sa.JSON, nullable=False),
        sa.Column("layout", sa.JSON),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("form_id", sa.String(11), sa.ForeignKey("forms.id"), nullable=False, index=True),
        sa.Column("clause", sa.String(16)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("detail", sa.JSON),
    )
    op.create_table(
        "scans",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.Column("pages", sa.Integer, nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        # The event log is the proof of consent: nothing may rewrite it.
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER events_no_{action.lower()} BEFORE {action} ON events "
                "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
            )


def downgrade() -> None:
    for table in ("scans", "events", "forms", "participants", "recordings", "meta"):
        op.drop_table(table)
