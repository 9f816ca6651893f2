"""A landed scan page names the scan job that landed it (NULL: an import on the command
line, or before jobs kept this), so a job reports only the pages it landed itself, never
those another person's job landed from the same file.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("scan_pages", sa.Column("job_id", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("scan_pages") as batch:
        batch.drop_column("job_id")
