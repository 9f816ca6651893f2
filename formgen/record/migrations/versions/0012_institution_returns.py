"""Situations 1 and 2: the supervisor's request to an institution is kept (the contact
person its forms name, and which forms it made), with a return link (only its hash)
through which the institution uploads the signed pages as scan jobs of the supervisor.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "institution_requests",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column(
            "recording_id",
            sa.String(16),
            sa.ForeignKey("recordings.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("contact", sa.Text),
        sa.Column("return_by", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("user_id", sa.String(16), sa.ForeignKey("users.id")),
        sa.Column("link_hash", sa.String(64)),
        sa.Column("link_made_at", sa.DateTime),
        sa.UniqueConstraint("link_hash", name="uq_institution_requests_link_hash"),
    )
    op.create_table(
        "request_forms",
        sa.Column(
            "participant_id", sa.String(16), sa.ForeignKey("participants.id"), primary_key=True
        ),
        sa.Column(
            "request_id",
            sa.String(16),
            sa.ForeignKey("institution_requests.id"),
            nullable=False,
            index=True,
        ),
    )
    op.create_table(
        "return_jobs",
        sa.Column("job_id", sa.String(16), sa.ForeignKey("jobs.id"), primary_key=True),
        sa.Column(
            "request_id",
            sa.String(16),
            sa.ForeignKey("institution_requests.id"),
            nullable=False,
            index=True,
        ),
    )


def downgrade() -> None:
    for table in ("return_jobs", "request_forms", "institution_requests"):
        op.drop_table(table)
