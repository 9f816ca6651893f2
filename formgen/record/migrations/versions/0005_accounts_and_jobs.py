"""The service: accounts and roles, who a recording belongs to, sessions, API tokens and
one-time links (hashed), sign-in failures for throttling, and scan jobs with their
uploaded files.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("password_hash", sa.Text),
        sa.Column("lang", sa.String(2)),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "recording_people",
        sa.Column("recording_id", sa.String(16), sa.ForeignKey("recordings.id"), primary_key=True),
        sa.Column("owner_id", sa.String(16), sa.ForeignKey("users.id"), index=True),
        sa.Column("supervisor_id", sa.String(16), sa.ForeignKey("users.id"), index=True),
    )
    op.create_table(
        "credentials",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("user_id", sa.String(16), sa.ForeignKey("users.id")),
        sa.Column("csrf", sa.String(64)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime),
        sa.Column("used_at", sa.DateTime),
    )
    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(300), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("user_id", sa.String(16), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("state", sa.String(8), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("heartbeat_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("worker", sa.String(80)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("total_pages", sa.Integer, nullable=False, server_default="0"),
        sa.Column("done_pages", sa.Integer, nullable=False, server_default="0"),
        sa.Column("pages", sa.JSON),
        sa.Column("error", sa.Text),
    )
    op.create_table(
        "job_files",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(16), sa.ForeignKey("jobs.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "job_files",
        "jobs",
        "sign_in_failures",
        "credentials",
        "recording_people",
        "users",
    ):
        op.drop_table(table)
