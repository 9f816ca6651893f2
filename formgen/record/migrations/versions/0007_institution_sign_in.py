"""Sign-in with the institution's account (OpenID Connect): an account made at the first
sign-in is known by its provider (issuer) and the provider's identifier of the person
(sub), never by its e-mail address alone. A recording may name a supervisor by address
before they have signed in once; the address waits here until they do.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("issuer", sa.Text))
        batch.add_column(sa.Column("subject", sa.String(255)))
        batch.create_unique_constraint("uq_users_issuer_subject", ["issuer", "subject"])
    op.create_table(
        "awaited_supervisors",
        sa.Column("recording_id", sa.String(16), sa.ForeignKey("recordings.id"), primary_key=True),
        sa.Column("email", sa.String(254), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("awaited_supervisors")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_issuer_subject", type_="unique")
        batch.drop_column("subject")
        batch.drop_column("issuer")
