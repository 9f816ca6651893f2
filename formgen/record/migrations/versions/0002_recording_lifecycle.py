"""Recording lifecycle: what each form was issued for, and a recording's own events.

A form now remembers the purpose and deletion date it was printed with, and its round
(1 for the first declaration, 2 after the first re-consent, ...), so a consent can only
ever count for what its paper said. ``recording_events`` is the append-only log of what
happens to a recording as a whole: purpose changed, retention extended, reminders sent,
checklist steps confirmed, destroyed.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("forms") as batch:
        batch.add_column(sa.Column("round", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("purpose", sa.String(16)))
        batch.add_column(sa.Column("delete_by", sa.Date))
    op.execute(
        "UPDATE forms SET "
        "purpose = (SELECT r.purpose FROM participants p JOIN recordings r "
        "ON r.id = p.recording_id WHERE p.id = forms.participant_id), "
        "delete_by = (SELECT r.delete_by FROM participants p JOIN recordings r "
        "ON r.id = p.recording_id WHERE p.id = forms.participant_id)"
    )
    op.create_table(
        "recording_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "recording_id",
            sa.String(16),
            sa.ForeignKey("recordings.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("detail", sa.JSON),
    )
    if op.get_bind().dialect.name == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER recording_events_no_{action.lower()} BEFORE {action} "
                "ON recording_events "
                "BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END"
            )


def downgrade() -> None:
    op.drop_table("recording_events")
    with op.batch_alter_table("forms") as batch:
        for column in ("delete_by", "purpose", "round"):
            batch.drop_column(column)
