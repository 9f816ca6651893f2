"""The consent record's tables (SQLAlchemy Core). Alembic migrations create them; this
module is what the code queries against, and must match the migrations' head."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

recordings = Table(
    "recordings",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("title", Text, nullable=False),
    Column("student", Text, nullable=False),
    Column("supervisor", Text, nullable=False),
    Column("situation", String(1), nullable=False),
    Column("institution", Text),
    Column("recorded_on", Date, nullable=False),
    Column("media", String(8), nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("livestream", Boolean, nullable=False),
    Column("livestream_stored", Boolean, nullable=False),
    Column("view360", Boolean, nullable=False),
    Column("lang", String(2), nullable=False),
    # Fixed when created: it is printed on the declarations, so a later change of the
    # configured retention must not move it silently.
    Column("delete_by", Date, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

participants = Table(
    "participants",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("recording_id", String(16), ForeignKey("recordings.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("name", Text),  # NULL: written by hand on a blank form, see the scan
    Column("under_16", Boolean, nullable=False),
    Column("lang", String(2), nullable=False),
    Column("created_at", DateTime, nullable=False),
)

forms = Table(
    "forms",
    metadata,
    Column("id", String(11), primary_key=True),
    Column("participant_id", String(16), ForeignKey("participants.id"), nullable=False, index=True),
    Column("variant", String(8), nullable=False),  # adult | parent
    Column("lang", String(2), nullable=False),
    Column("clauses", JSON, nullable=False),
    Column("layout", JSON),  # filled in when the form is rendered
    Column("created_at", DateTime, nullable=False),
    # What the paper said: a consent counts only for this purpose and deletion date.
    # A re-consent issues a new form in the next round; the participant's current form
    # is the one with the highest round.
    Column("round", Integer, nullable=False, server_default="1"),
    Column("purpose", String(16)),
    Column("delete_by", Date),
)

# Append-only: SQLite triggers (see the first migration) refuse UPDATE and DELETE.
events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("form_id", String(11), ForeignKey("forms.id"), nullable=False, index=True),
    Column("clause", String(16)),  # NULL for events about the whole form
    Column("status", String(16), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("source", Text, nullable=False),  # "scan:<sha256>#<page>" or "manual:<name>"
    Column("reason", Text),
    Column("detail", JSON),
)

# Append-only as well: what happened to a recording as a whole (changed, reminded,
# checklist step confirmed, destroyed).
recording_events = Table(
    "recording_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recording_id", String(16), ForeignKey("recordings.id"), nullable=False, index=True),
    Column("kind", String(24), nullable=False),
    Column("at", DateTime, nullable=False),
    Column("source", Text, nullable=False),  # "manual:<name>" or "formgen"
    Column("detail", JSON),
)

scans = Table(
    "scans",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("filename", Text, nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("pages", Integer, nullable=False),
)
