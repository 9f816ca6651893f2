"""A participant added by mistake can be removed while nothing came back for their form.
The events are append-only, so the form and its request stay; the participant's row is
marked removed (and their name cleared), and no list, status or document shows it.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("participants", sa.Column("removed_at", sa.DateTime, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("removed_at")
