"""Online consent beside paper: the links printed in QR codes (hashed), the answers
given online while they wait for their e-mail code and as proof once confirmed, and a
participant's e-mail address for invitations. Addresses and names are personal data:
these tables are not append-only, so destroying a recording deletes its rows.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "online_links",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("form_id", sa.String(11), sa.ForeignKey("forms.id"), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "online_answers",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("form_id", sa.String(11), sa.ForeignKey("forms.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("relation", sa.String(8)),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("other_email", sa.String(254)),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("tries", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime, nullable=False, index=True),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("confirmed_at", sa.DateTime),
    )
    op.create_table(
        "participant_addresses",
        sa.Column(
            "participant_id", sa.String(16), sa.ForeignKey("participants.id"), primary_key=True
        ),
        sa.Column("email", sa.String(254), nullable=False),
    )


def downgrade() -> None:
    for table in ("participant_addresses", "online_answers", "online_links"):
        op.drop_table(table)
