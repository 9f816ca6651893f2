"""Scan images in the store, imports by form, and where documents were written.

``scan_pages`` has a row per scanned page that landed (blank pages too), unique per
file and page: the unit of an import is now the form, so a file imported again picks up
only the pages that did not land. ``scan_images`` holds each page's image and crops
(personal data: signatures, handwritten names) in the transaction of the events they
prove, instead of files under ``output/scans``. ``documents`` remembers where formgen
wrote a recording's PDFs, so destroying it deletes them from wherever it runs.

Files imported before this revision landed whole: each of their pages is marked as
landed, with the form its events name. Their images stay where the old formgen wrote
them (``output/scans``); delete that folder by hand once no review of them is open.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_pages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("page", sa.Integer, nullable=False),
        sa.Column("form_id", sa.String(11), sa.ForeignKey("forms.id"), index=True),
        sa.Column("form_page", sa.Integer),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("sha256", "page", name="uq_scan_pages_file_page"),
    )
    op.create_table(
        "scan_images",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "page_id",
            sa.Integer,
            sa.ForeignKey("scan_pages.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("page_id", "name", name="uq_scan_images_page_name"),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "recording_id",
            sa.String(16),
            sa.ForeignKey("recordings.id"),
            nullable=False,
            index=True,
        ),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("written_at", sa.DateTime, nullable=False),
    )
    _mark_old_imports_landed()


def _mark_old_imports_landed() -> None:
    bind = op.get_bind()
    files = bind.execute(sa.text("SELECT sha256, pages, imported_at FROM scans")).all()
    if not files:
        return
    named: dict[tuple[str, int], str] = {}
    for source, form_id in bind.execute(
        sa.text("SELECT DISTINCT source, form_id FROM events WHERE source LIKE 'scan:%'")
    ):
        digest, _, page = source.removeprefix("scan:").partition("#")
        if page.isdigit():
            named[(digest, int(page))] = form_id
    pages = sa.table(
        "scan_pages",
        sa.column("sha256"),
        sa.column("page"),
        sa.column("form_id"),
        sa.column("imported_at"),
    )
    rows = [
        {
            "sha256": digest,
            "page": page,
            "form_id": named.get((digest, page)),
            "imported_at": at,
        }
        for digest, count, at in files
        for page in range(1, count + 1)
    ]
    op.bulk_insert(pages, rows)


def downgrade() -> None:
    op.drop_table("documents")
    op.drop_table("scan_images")
    op.drop_table("scan_pages")
