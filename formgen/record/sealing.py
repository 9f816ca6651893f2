"""Encryption at rest: what is personal is stored sealed (AES-256-GCM, from the
``cryptography`` package), under a key that can be deleted.

Every recording gets two keys when it is made: its *data* key (what goes when the
recording is destroyed: notes and reasons people wrote, upload file names, online texts,
scan images) and its *proof* key (what the consent record keeps as proof until the proof
retention ends: names, typed names, addresses). Accounts are sealed under one
*service* key. The keys are stored wrapped (AES key wrap, RFC 3394) by the *master key*,
which never enters the database: it is a file (``FORMGEN_KEY_FILE``, ``[store]
key_file``, or ``formgen.key`` beside an SQLite store), owner-only. Deleting a wrapped key
makes every copy of what it sealed (WAL, free pages, dead tuples, backups, copies) noise.

A sealed value carries a version prefix, its own nonce and is bound to where it is stored
(associated data: table, row ID, column): moved to another row it does not open. Values
without the prefix are plaintext from before encryption (migration 0011 seals them).
"""

from __future__ import annotations

import base64
import functools
import os
import stat
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap
from sqlalchemy import Connection, Engine, delete, select

from formgen.errors import RecordError, StoreError
from formgen.words import N_, Message, Word

DATA, PROOF, SERVICE = "data", "proof", "service"
SERVICE_OWNER = "*"  # the owner of the service-wide key (no recording has this ID)
TEXT_PREFIX = "fg1:"  # version 1, in text columns (base64 after it)
BYTES_PREFIX = b"fg1\x00"  # version 1, in binary columns (4 bytes)
KEY_FILE_NAME = "formgen.key"
CHECK = "master_check"  # the meta row that tells a wrong master key at start-up
_CHECK_PLAIN = b"formgen master key check v1"
_NONCE = 12

NO_KEY = N_(
    "no master key: set FORMGEN_KEY_FILE (or [store] key_file in formgen.toml) to the key"
    " file that belongs to this store"
)


# --- The master key file ---------------------------------------------------------------


def key_path(configured: Path | None = None, store_file: Path | None = None) -> Path | None:
    """Where the master key is: ``FORMGEN_KEY_FILE``, else ``[store] key_file``, else
    ``formgen.key`` beside an SQLite store (None: nowhere said)."""
    env = os.environ.get("FORMGEN_KEY_FILE", "").strip()
    if env:
        return Path(env)
    if configured is not None:
        return configured
    if store_file is not None:
        return store_file.parent / KEY_FILE_NAME
    return None


def read_master(path: Path) -> bytes:
    """The 32-byte master key in ``path``; refuses a file others may read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise StoreError(
            N_("{problem} ({path} does not exist)"), problem=Word(NO_KEY), path=path
        ) from None
    except OSError as exc:
        raise StoreError(
            N_("cannot read the master key file {path} ({reason})"), path=path, reason=exc.strerror
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(N_("the master key file {path} is not a regular file"), path=path)
    if info.st_mode & 0o077:
        raise StoreError(
            N_(
                "the master key file {path} may be read by others: make it owner-only (chmod 600 "
                "{path})"
            ),
            path=path,
        )
    try:
        key = base64.urlsafe_b64decode(path.read_bytes().strip())
    except (OSError, ValueError):
        key = b""
    if len(key) != 32:
        raise StoreError(
            N_("the master key file {path} does not hold a formgen master key"), path=path
        )
    return key


def make_master(path: Path) -> bytes:
    """A new master key in a new owner-only file (never over an existing one)."""
    key = AESGCM.generate_key(bit_length=256)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return read_master(path)
    except OSError as exc:
        raise StoreError(
            N_("cannot create the master key file {path} ({reason})"),
            path=path,
            reason=exc.strerror,
        ) from None
    with os.fdopen(fd, "wb") as file:
        file.write(base64.urlsafe_b64encode(key) + b"\n")
    return key


# --- The keys in the store -------------------------------------------------------------


@dataclass(frozen=True)
class Master:
    key: bytes
    path: Path | None = None

    def wrap(self, key: bytes) -> bytes:
        return aes_key_wrap(self.key, key)

    def unwrap(self, wrapped: bytes) -> bytes:
        try:
            return aes_key_unwrap(self.key, bytes(wrapped))
        except InvalidUnwrap:
            raise StoreError(_wrong_key(self.path)) from None

    def check_value(self) -> bytes:
        nonce = os.urandom(_NONCE)
        return nonce + AESGCM(self.key).encrypt(nonce, _CHECK_PLAIN, CHECK.encode())

    def opens(self, check: bytes) -> bool:
        check = bytes(check)
        try:
            AESGCM(self.key).decrypt(check[:_NONCE], check[_NONCE:], CHECK.encode())
        except InvalidTag:
            return False
        return True


def _wrong_key(path: Path | None) -> Message:
    if path is None:
        return Message(
            N_(
                "the master key does not open this store: use the key file that belongs to"
                " it (a new key would leave every recording unreadable)"
            )
        )
    return Message(
        N_(
            "the master key in {path} does not open this store: use the key file that belongs"
            " to it (a new key would leave every recording unreadable)"
        ),
        path=path,
    )


# The master key of each open store (engine), and the unwrapped keys a connection has
# used (a connection lives for one block of work: a key deleted by another process is
# not kept in memory beyond it).
_masters: weakref.WeakKeyDictionary[Engine, Master] = weakref.WeakKeyDictionary()
_cache: weakref.WeakKeyDictionary[Connection, dict[tuple[str, str], AESGCM | None]] = (
    weakref.WeakKeyDictionary()
)


def attach(engine: Engine, master: Master) -> None:
    _masters[engine] = master


def master_of(db: Engine | Connection) -> Master:
    engine = db.engine if isinstance(db, Connection) else db
    try:
        return _masters[engine]
    except KeyError:
        raise StoreError(NO_KEY) from None


def verify(conn: Connection, master: Master) -> bool:
    """Refuse a master key that is not this store's, in one line. False: the store has
    no check value yet (an empty store that went back before encryption and came again):
    :func:`ensure` makes it, in a write transaction."""
    from formgen.record.schema import meta

    check = conn.execute(select(meta.c.value).where(meta.c.key == CHECK)).scalar()
    if check is None:
        return False
    if not master.opens(check):
        raise StoreError(_wrong_key(master.path))
    return True


def ensure(conn: Connection, master: Master) -> None:
    """:func:`verify`, and the check value and service key of a store without any."""
    from formgen.record.schema import recordings

    if verify(conn, master):
        return
    if conn.execute(select(recordings.c.id).limit(1)).first() is not None:
        raise StoreError(N_("the store has no master key check: it was not made by this formgen"))
    initialise(conn, master)


def initialise(conn: Connection, master: Master) -> None:
    """A new store's check value and service key (migration 0011, :func:`ensure`)."""
    from formgen.record.schema import meta, sealed_keys

    conn.execute(meta.insert().values(key=CHECK, value=master.check_value()))
    conn.execute(
        sealed_keys.insert().values(
            owner=SERVICE_OWNER, kind=SERVICE, wrapped=master.wrap(AESGCM.generate_key(256))
        )
    )


def new_recording_keys(conn: Connection, recording_id: str) -> None:
    """The data and proof keys of a new recording, in its transaction."""
    from formgen.record.schema import sealed_keys

    master = master_of(conn)
    conn.execute(
        sealed_keys.insert(),
        [
            {"owner": recording_id, "kind": kind, "wrapped": master.wrap(AESGCM.generate_key(256))}
            for kind in (DATA, PROOF)
        ],
    )


# The last key this thread used, for the run of values of one recording a list opens.
_last = threading.local()


def _key(conn: Connection, owner: str, kind: str) -> AESGCM | None:
    last = getattr(_last, "key", None)
    if last is not None and last[0] == (owner, kind) and last[1]() is conn:
        return last[2]
    key = _cached_key(conn, owner, kind)
    _last.key = ((owner, kind), weakref.ref(conn), key)
    return key


def _cached_key(conn: Connection, owner: str, kind: str) -> AESGCM | None:
    from formgen.record.schema import sealed_keys

    cache = _cache.get(conn)
    if cache is None:
        cache = _cache[conn] = {}
    if (owner, kind) not in cache:
        wrapped = conn.execute(
            select(sealed_keys.c.wrapped).where(
                sealed_keys.c.owner == owner, sealed_keys.c.kind == kind
            )
        ).scalar()
        cache[owner, kind] = (
            None if wrapped is None else _unwrapped(master_of(conn), bytes(wrapped))
        )
    return cache[owner, kind]


@functools.lru_cache(maxsize=4096)
def _unwrapped(master: Master, wrapped: bytes) -> AESGCM:
    """A wrapped key opened (keyed by its wrapped bytes, which only a row of the store
    hands out: a deleted key's bytes are not asked for again)."""
    return AESGCM(master.unwrap(wrapped))


def known_key(conn: Connection, owner: str, kind: str, wrapped: bytes | None) -> None:
    """A key a query read with its rows (the participants' proof key, joined): cached
    for the connection, so opening the rows asks the store for nothing more."""
    cache = _cache.get(conn)
    if cache is None:
        cache = _cache[conn] = {}
    if (owner, kind) not in cache:
        cache[owner, kind] = (
            None if wrapped is None else _unwrapped(master_of(conn), bytes(wrapped))
        )


def forget_data_key(conn: Connection, recording_id: str) -> bool:
    """Delete the recording's data key, in the caller's transaction (``destroy``):
    everything sealed with it is noise from the commit on, wherever a copy is."""
    return _forget(conn, recording_id, DATA)


def forget_proof_key(conn: Connection, recording_id: str) -> bool:
    """Delete the recording's proof key, when its proof retention ends."""
    return _forget(conn, recording_id, PROOF)


def _forget(conn: Connection, owner: str, kind: str) -> bool:
    from formgen.record.schema import sealed_keys

    done = conn.execute(
        delete(sealed_keys).where(sealed_keys.c.owner == owner, sealed_keys.c.kind == kind)
    )
    _cache.setdefault(conn, {})[owner, kind] = None
    _last.key = None
    return done.rowcount > 0


def rotate(conn: Connection, old: Master, new: Master) -> int:
    """Re-wrap every key under ``new`` (the data stays as it is); the number re-wrapped.
    In the caller's write transaction."""
    from sqlalchemy import update

    from formgen.record.schema import meta, sealed_keys

    verify(conn, old)
    rows = conn.execute(
        select(sealed_keys.c.owner, sealed_keys.c.kind, sealed_keys.c.wrapped)
    ).all()
    for owner, kind, wrapped in rows:
        conn.execute(
            update(sealed_keys)
            .where(sealed_keys.c.owner == owner, sealed_keys.c.kind == kind)
            .values(wrapped=new.wrap(old.unwrap(wrapped)))
        )
    conn.execute(update(meta).where(meta.c.key == CHECK).values(value=new.check_value()))
    return len(rows)


# --- Sealing values --------------------------------------------------------------------


def _aad(table: str, row_id: object, column: str) -> bytes:
    return f"{table}\x1f{row_id}\x1f{column}".encode()


def seal(
    conn: Connection,
    owner: str,
    kind: str,
    where: tuple[str, object, str],
    value: Any,
) -> Any:
    """``value`` (str or bytes; None stays None) sealed for (table, row ID, column).
    A str comes back as text (prefix and base64), bytes as bytes."""
    if value is None:
        return None
    key = _key(conn, owner, kind)
    if key is None:
        raise StoreError(N_("the recording's key is gone: it was destroyed"))
    plain = value.encode() if isinstance(value, str) else bytes(value)
    nonce = os.urandom(_NONCE)
    sealed = nonce + key.encrypt(nonce, plain, _aad(*where))
    if isinstance(value, str):
        return TEXT_PREFIX + base64.b64encode(sealed).decode("ascii")
    return BYTES_PREFIX + sealed


def is_sealed(stored: Any) -> bool:
    if isinstance(stored, str):
        return stored.startswith(TEXT_PREFIX)
    if isinstance(stored, bytes | memoryview | bytearray):
        return bytes(stored[: len(BYTES_PREFIX)]) == BYTES_PREFIX
    return False


def unseal(
    conn: Connection,
    owner: str,
    kind: str,
    where: tuple[str, object, str],
    stored: Any,
) -> Any:
    """What :func:`seal` sealed; None when its key was deleted (destroyed, or the proof
    retention ended). Plaintext from before migration 0011 comes back as it is."""
    if stored is None or not is_sealed(stored):
        return stored
    key = _key(conn, owner, kind)
    if key is None:
        return None
    text = isinstance(stored, str)
    raw = base64.b64decode(stored[len(TEXT_PREFIX) :]) if text else bytes(stored)[4:]
    try:
        plain = key.decrypt(raw[:_NONCE], raw[_NONCE:], _aad(*where))
    except InvalidTag:
        table, row_id, column = where
        raise StoreError(
            N_(
                "a sealed value in {table}.{column} (row {row_id}) does not belong there: the "
                "store was changed outside formgen; restore it from a backup"
            ),
            table=table,
            column=column,
            row_id=row_id,
        ) from None
    return plain.decode() if text else plain


# --- The columns (one seam: the modules call these, not seal/unseal) -----------------


def seal_name(conn: Connection, recording_id: str, participant_id: str, name: str | None) -> Any:
    """A participant's name (printed or typed): proof, kept until the proof retention."""
    return seal(conn, recording_id, PROOF, ("participants", participant_id, "name"), name)


def open_name(conn: Connection, recording_id: str, participant_id: str, stored: Any) -> Any:
    return unseal(conn, recording_id, PROOF, ("participants", participant_id, "name"), stored)


def seal_address(conn: Connection, recording_id: str, participant_id: str, email: str) -> Any:
    where = ("participant_addresses", participant_id, "email")
    return seal(conn, recording_id, PROOF, where, email)


def open_address(conn: Connection, recording_id: str, participant_id: str, stored: Any) -> Any:
    where = ("participant_addresses", participant_id, "email")
    return unseal(conn, recording_id, PROOF, where, stored)


# An online answer: who answered (proof) and the names typed into it.
ANSWER_COLUMNS = ("name", "email", "other_email")
ANSWER_TYPED = ("_child", "_agrees")


def seal_answer(conn: Connection, recording_id: str, answer_id: str, row: dict[str, Any]) -> None:
    """Seal an online answer's personal values in ``row`` (the values to insert)."""
    for column in ANSWER_COLUMNS:
        if column in row:
            where = ("online_answers", answer_id, column)
            row[column] = seal(conn, recording_id, PROOF, where, row[column])
    answers = dict(row.get("answers") or {})
    for key in ANSWER_TYPED:
        if answers.get(key) is not None:
            answers[key] = seal(
                conn, recording_id, PROOF, ("online_answers", answer_id, key), answers[key]
            )
    row["answers"] = answers
    if row.get("text_html") is not None:
        row["text_html"] = seal_text(conn, recording_id, answer_id, row["text_html"])


def open_answer(conn: Connection, recording_id: str, row: Any) -> dict[str, Any]:
    """An online answer's row (a mapping) with its personal values opened."""
    opened = dict(row)
    answer_id = opened["id"]
    for column in ANSWER_COLUMNS:
        where = ("online_answers", answer_id, column)
        opened[column] = unseal(conn, recording_id, PROOF, where, opened[column])
    answers = dict(opened.get("answers") or {})
    for key in ANSWER_TYPED:
        if answers.get(key) is not None:
            where = ("online_answers", answer_id, key)
            answers[key] = unseal(conn, recording_id, PROOF, where, answers[key])
    opened["answers"] = answers
    return opened


def seal_text(conn: Connection, recording_id: str, answer_id: str, text: str) -> Any:
    """The page an online answer's person saw: proof, kept until the proof retention
    ends (it names the person and the child)."""
    return seal(conn, recording_id, PROOF, ("online_answers", answer_id, "text_html"), text)


def open_text(conn: Connection, recording_id: str, answer_id: str, stored: Any) -> Any:
    return unseal(conn, recording_id, PROOF, ("online_answers", answer_id, "text_html"), stored)


def seal_image(conn: Connection, recording_id: str, page_id: int, name: str, data: bytes) -> Any:
    """A scanned page or crop: the proof of what was signed, so kept (and sealed with the
    proof key) until the proof retention after the destruction ends."""
    return seal(conn, recording_id, PROOF, ("scan_images", f"{page_id}/{name}", "data"), data)


def open_image(conn: Connection, recording_id: str, page_id: int, name: str, stored: Any) -> Any:
    return unseal(conn, recording_id, PROOF, ("scan_images", f"{page_id}/{name}", "data"), stored)


def _event(row: Any) -> tuple[str, str, str]:
    """Where an event's reason is: events get their ID from the database, so the reason
    is bound to what identifies the row before it has one (form, clause, status, time)."""
    at = row["at"].isoformat(timespec="seconds")
    return ("events", f"{row['form_id']}/{row['clause']}/{row['status']}/{at}", "reason")


def seal_reason(conn: Connection, recording_id: str, row: dict[str, Any]) -> None:
    """A reason a person wrote, in an event row to insert: erased at destruction."""
    row["reason"] = seal(conn, recording_id, DATA, _event(row), row["reason"])


def open_reason(conn: Connection, recording_id: str, row: Any) -> Any:
    """An event's reason (None once the recording was destroyed, if a person wrote it)."""
    return unseal(conn, recording_id, DATA, _event(row), row["reason"])


def seal_file_name(conn: Connection, recording_id: str | None, sha256: str, name: str) -> Any:
    """An imported scan file's name (people name files after people): with the data key
    of its recording, or the service key for a file that holds no recording's page."""
    owner, kind = (recording_id, DATA) if recording_id else (SERVICE_OWNER, SERVICE)
    return seal(conn, owner, kind, ("scans", sha256, "filename"), name)


def seal_account_name(conn: Connection, user_id: str, name: str) -> Any:
    """A staff member's name on their account: the service key (accounts outlive any
    one recording)."""
    return seal(conn, SERVICE_OWNER, SERVICE, ("users", user_id, "name"), name)


def open_account_name(conn: Connection, user_id: str, stored: Any) -> Any:
    return unseal(conn, SERVICE_OWNER, SERVICE, ("users", user_id, "name"), stored)


def rotate_master(engine: Engine, new_key: Path) -> dict[str, Any]:
    """Re-wrap every key of the store under the master key in ``new_key`` (made,
    owner-only, if the file does not exist), in one transaction, and use it from now on."""
    old = master_of(engine)
    new_key = new_key.absolute()
    key = make_master(new_key) if not new_key.exists() else None
    new = Master(key or read_master(new_key), new_key)
    if new.key == old.key:
        raise RecordError(N_("the new master key is the one in use: nothing to rotate"))
    with engine.begin() as conn:
        count = rotate(conn, old, new)
    attach(engine, new)
    return {"keys": count, "key_file": str(new_key)}
