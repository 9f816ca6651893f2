"""The declarations PDF, kept by its content so a download does not wait for a render.

A class set takes seconds to render; what goes into it changes only when the record
does. The key of a PDF is a hash of everything that goes into it: the forms' specs (the
recording, each person's name, form ID, language, variant and clauses, the words of an
earlier round, the day printed on it), the configuration, and the files a render reads:
templates, catalogues and the renderer's own code (by name, size and time). While the
key is the same, the PDF kept under it is the one a render would make, apart from its
QR secrets, which stay valid: a render only adds links (``answers.keep_links``).

The file is written owner-only and remembered as one of the recording's documents, so
destroying the recording deletes it (``lifecycle.destroy``). A recording keeps one PDF
per selection (all, or one round): once the record changes, the old one, with names that
may have been removed or corrected, is deleted before the new one is made.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from formgen.config import Config
from formgen.documents import declarations, render
from formgen.privacy import write_private
from formgen.record import records

FOLDER = "declarations-ready"  # under the configuration's output_dir, owner-only


@dataclass(frozen=True)
class Wanted:
    """A declarations PDF as the record wants it now: where it is (or will be) kept."""

    recording_id: str
    selection: str  # "declarations" or "declarations-round2"
    key: str  # hex SHA-256 of everything that goes into it
    path: Path

    def ready(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None


def folder(config: Config) -> Path:
    return config.output_dir / FOLDER


def wanted(
    engine: Engine, config: Config, recording_id: str, participants: list[str] | None = None,
    selection: str = "declarations",
) -> Wanted:  # fmt: skip
    """The PDF the record wants for these participants (all: None); refuses as
    ``write_forms`` does (destroyed, no participants, too late, no DPO)."""
    recording, _, specs = declarations.forms_specs(engine, config, recording_id, participants)
    digest = hashlib.sha256()
    for part in (repr(config), _files(config)):
        digest.update(part.encode() + b"\0")
    for spec in specs:
        digest.update(json.dumps(dataclasses.asdict(spec), sort_keys=True, default=str).encode())
    key = digest.hexdigest()
    path = folder(config) / f"{recording.id}-{selection}-{key[:32]}.pdf"
    return Wanted(recording.id, selection, key, path)


def _files(config: Config) -> str:
    """Names, sizes and times of the files a render reads: a faculty that edits its
    wording, or a new formgen, gets new PDFs."""
    here = Path(__file__).resolve().parent
    roots = [*render.template_dirs(config), here.parent / "locale", here]
    seen = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                info = path.stat()
                seen.append(f"{path}:{info.st_size}:{info.st_mtime_ns}")
    return "\n".join(seen)


def drop_stale(want: Wanted) -> None:
    """Delete the recording's earlier PDFs of the same selection: they may hold a name
    since removed or corrected."""
    for old in folder_of(want).glob(f"{want.recording_id}-{want.selection}-*.pdf"):
        if same_selection(old, want):
            old.unlink(missing_ok=True)


def same_selection(path: Path, want: Wanted) -> bool:
    """Another PDF (an earlier state of the record) of the same recording and selection."""
    prefix = f"{want.recording_id}-{want.selection}-"
    rest = path.name.removeprefix(prefix)
    return path != want.path and rest != path.name and "-" not in rest


def folder_of(want: Wanted) -> Path:
    return want.path.parent


def keep(engine: Engine, want: Wanted, data: bytes) -> None:
    """Keep a rendered PDF under its key, owner-only, as a document of the recording
    (destroying it deletes the file). Not for a recording destroyed meanwhile."""
    folder_of(want).mkdir(mode=0o700, parents=True, exist_ok=True)
    with engine.begin() as conn:
        recording = records.get_recording(conn, want.recording_id)
        records.refuse_if_destroyed(conn, recording)
        # Remembered first: a failed write rolls the note back with it.
        records.remember_document(conn, recording.id, want.path, data)
        write_private(want.path, data)
    drop_stale(want)
