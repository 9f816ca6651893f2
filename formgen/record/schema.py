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
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
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
    # Set: removed by mistake before anything came back. The row stays for its form's
    # append-only events; no list, status or document shows it (corrections.py).
    Column("removed_at", DateTime),
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

# One row per scanned page that landed in the record (blank pages included), so a file
# imported again picks up only what did not land. Unique per file and page: of two
# imports of the same file at once exactly one lands each page.
scan_pages = Table(
    "scan_pages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False),
    Column("page", Integer, nullable=False),  # 1-based, in the file
    Column("form_id", String(11), ForeignKey("forms.id"), index=True),  # NULL: blank
    Column("form_page", Integer),  # the printed page number from the QR code
    Column("imported_at", DateTime, nullable=False),
    Column("job_id", String(16)),  # the scan job that landed it; NULL: the command line
    UniqueConstraint("sha256", "page", name="uq_scan_pages_file_page"),
)

# The page image and crops a person needs to check a decision: personal data (names,
# signatures), so they live here, in the transaction of the events they prove, and
# destroying the recording deletes them.
scan_images = Table(
    "scan_images",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "page_id",
        Integer,
        ForeignKey("scan_pages.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("name", String(40), nullable=False),  # "page.jpg", "recording-yes.png", …
    Column("data", LargeBinary, nullable=False),
    UniqueConstraint("page_id", "name", name="uq_scan_images_page_name"),
)

# Where formgen wrote a recording's documents (they carry names), with the bytes' hash:
# destroying the recording deletes them wherever they were written, but only while the
# file still holds what formgen wrote.
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("recording_id", String(16), ForeignKey("recordings.id"), nullable=False, index=True),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("written_at", DateTime, nullable=False),
)

# --- The service: accounts, sessions, tokens and scan jobs -------------------------------

users = Table(
    "users",
    metadata,
    Column("id", String(16), primary_key=True),
    # Sealed with the service key (sealing.py), lower case before; looked up by
    # email_index, its HMAC under the service's index key (sealing.email_index).
    Column("email", Text, nullable=False),
    Column("email_index", String(64), nullable=False),
    Column("name", Text, nullable=False),
    Column("role", String(16), nullable=False),  # rules.Role
    Column("password_hash", Text),  # argon2; NULL until the person sets one
    Column("lang", String(2)),  # NULL: the browser's language
    Column("disabled", Boolean, nullable=False, server_default="0"),
    Column("created_at", DateTime, nullable=False),
    # Signed in with the institution (OpenID Connect): the provider and its identifier
    # of the person. NULL for accounts made by hand.
    Column("issuer", Text),
    Column("subject", String(255)),
    Index("uq_users_email_index", "email_index", unique=True),
    UniqueConstraint("issuer", "subject", name="uq_users_issuer_subject"),
)

# A supervisor a recording names by address before they have signed in once with the
# institution: linked to the recording at their first sign-in, then deleted.
awaited_supervisors = Table(
    "awaited_supervisors",
    metadata,
    Column("recording_id", String(16), ForeignKey("recordings.id"), primary_key=True),
    # the blind index of the address (sealing.email_index), never the address itself
    Column("email", String(254), nullable=False, index=True),
)

# Who a recording belongs to in the service (NULL for recordings made on the command
# line: only the officer sees those there).
recording_people = Table(
    "recording_people",
    metadata,
    Column("recording_id", String(16), ForeignKey("recordings.id"), primary_key=True),
    Column("owner_id", String(16), ForeignKey("users.id"), index=True),
    Column("supervisor_id", String(16), ForeignKey("users.id"), index=True),
)

# A session cookie, an API token or a one-time link: only a hash of the secret is kept.
credentials = Table(
    "credentials",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("kind", String(8), nullable=False),  # session | token | setup
    Column("user_id", String(16), ForeignKey("users.id")),  # NULL: the first officer's setup
    Column("csrf", String(64)),  # sessions: the token every changing form carries
    Column("created_at", DateTime, nullable=False),
    Column("expires_at", DateTime),
    Column("used_at", DateTime),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # "email:<the address's blind index>" or "client:…"
    Column("key", String(300), nullable=False, index=True),
    Column("at", DateTime, nullable=False),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("user_id", String(16), ForeignKey("users.id"), nullable=False, index=True),
    Column("state", String(8), nullable=False, index=True),  # queued|running|done|failed
    Column("created_at", DateTime, nullable=False),
    Column("started_at", DateTime),
    Column("heartbeat_at", DateTime),
    Column("finished_at", DateTime),
    Column("worker", String(80)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("total_pages", Integer, nullable=False, server_default="0"),
    Column("done_pages", Integer, nullable=False, server_default="0"),
    Column("pages", JSON),  # the page reports, as `scan import` prints them
    Column("error", Text),
)

# The uploaded files of a job: scans are personal data, so they wait in the store (not
# on disk) and are deleted when the job is done. A file is kept in parts of a few MiB
# (``part`` 0, 1, …; each row repeats the file's name), so that neither taking an upload
# nor reading it back holds a whole file in memory.
job_files = Table(
    "job_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job_id", String(16), ForeignKey("jobs.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("part", Integer, nullable=False, server_default="0"),
    Column("filename", Text, nullable=False),
    Column("data", LargeBinary, nullable=False),
)

# --- Online consent ----------------------------------------------------------------------

# The secret part of a QR link (formid.Links): only its SHA-256 is kept. A form printed
# twice has two links; both open it.
online_links = Table(
    "online_links",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("form_id", String(11), ForeignKey("forms.id"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
)

# An answer given online: waiting for its e-mail code, then (confirmed_at set) the proof
# of what the person chose, with the text they saw (text_hash, and the page itself in
# text_html, so it can be shown after an upgrade changed the wording) and the address
# that confirmed it. Personal data: kept as proof until the proof retention after the
# recording's destruction ends (lifecycle.erase_proof).
online_answers = Table(
    "online_answers",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("form_id", String(11), ForeignKey("forms.id"), nullable=False, index=True),
    Column("kind", String(12), nullable=False),  # online.Kind
    Column("lang", String(2), nullable=False),
    Column("name", Text, nullable=False),
    Column("relation", String(8)),  # parent | guardian (parental version)
    # Sealed with the recording's proof key (sealing.py): name, email, other_email and
    # the typed names in answers ("_child", "_agrees").
    Column("email", Text, nullable=False),  # lower case
    Column("other_email", Text),  # the other parent's, to send the link to
    Column("answers", JSON, nullable=False),  # {clause: "yes" | "no" | "withdraw"}
    Column("text_hash", String(64), nullable=False),
    Column("code_hash", String(64), nullable=False),
    Column("tries", Integer, nullable=False, server_default="0"),
    Column("created_at", DateTime, nullable=False, index=True),
    Column("expires_at", DateTime, nullable=False),
    Column("confirmed_at", DateTime),
    Column("text_html", Text),  # the page as shown; NULL for answers from before 0011
    # SHA-256 of the random id the answering browser keeps in a cookie (never the id)
    Column("browser_hash", String(64)),
    Column("flag", Text),  # why a person must check this answer; NULL: nothing odd
)

# A participant's e-mail address, for the invitation to answer online (situation 3).
# Sealed (sealing.py): Text, as a sealed address is longer than the address.
participant_addresses = Table(
    "participant_addresses",
    metadata,
    Column("participant_id", String(16), ForeignKey("participants.id"), primary_key=True),
    Column("email", Text, nullable=False),
)

# --- Encryption at rest (sealing.py) -----------------------------------------------------

# The keys that seal personal data, each wrapped by the master key (which is never in
# the store): per recording a "data" and a "proof" key (owner: the recording's ID), and
# the "service" key of the accounts (owner "*"). Deleting a row makes what its key
# sealed unreadable everywhere: that is how a recording is destroyed.
sealed_keys = Table(
    "sealed_keys",
    metadata,
    Column("owner", String(16), primary_key=True),
    Column("kind", String(8), primary_key=True),  # data | proof | service
    Column("wrapped", LargeBinary, nullable=False),
)

# --- Situations 1 and 2: the institution returns the forms -------------------------------

# The supervisor's request to an institution: the contact person its forms name (to
# hand the signed page to and to withdraw with) and the return link the institution
# uploads the signed pages through. Only the link's SHA-256 is kept; a new link replaces
# it (the old one stops working). The contact is personal data: cleared, and the link
# ended, when the recording is destroyed.
institution_requests = Table(
    "institution_requests",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("recording_id", String(16), ForeignKey("recordings.id"), nullable=False, index=True),
    Column("contact", Text),
    Column("return_by", Date, nullable=False),  # the link works 14 days past it
    Column("created_at", DateTime, nullable=False),
    Column("user_id", String(16), ForeignKey("users.id")),  # whose scan jobs uploads become
    Column("link_hash", String(64)),  # NULL: no link (any more)
    Column("link_made_at", DateTime),
    UniqueConstraint("link_hash", name="uq_institution_requests_link_hash"),
)

# Which request made which blank form: a declaration printed again names the same contact.
request_forms = Table(
    "request_forms",
    metadata,
    Column("participant_id", String(16), ForeignKey("participants.id"), primary_key=True),
    Column(
        "request_id", String(16), ForeignKey("institution_requests.id"), nullable=False, index=True
    ),
)

# The scan jobs uploaded through a request's return link: they land only that recording's
# forms, and its page lists them for the supervisor.
return_jobs = Table(
    "return_jobs",
    metadata,
    Column("job_id", String(16), ForeignKey("jobs.id"), primary_key=True),
    Column(
        "request_id", String(16), ForeignKey("institution_requests.id"), nullable=False, index=True
    ),
)
