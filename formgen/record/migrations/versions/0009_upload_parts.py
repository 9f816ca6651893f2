"""An uploaded file waits in the store in parts of a few MiB (``job_files.part``), so
neither the server taking an upload nor the worker reading it holds a whole file of up
to 256 MiB in memory. Files stored before this are one part, part 0.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("job_files", sa.Column("part", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("job_files") as batch:
        batch.drop_column("part")
