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
without the prefix are plaintext from before encryption (migration 0013 seals them).
"""

from __future__ import annotations

import base64
import binascii
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
INDEX = "index"  # the service's blind-index key (account addresses looked up by HMAC)
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


# The master key of each open store (engine), and the keys a connection has used (a
# connection lives for one block of work: a key deleted by another process is not used
# beyond it).
_masters: weakref.WeakKeyDictionary[Engine, Master] = weakref.WeakKeyDictionary()
_cache: weakref.WeakKeyDictionary[Connection, dict[tuple[str, str], _Key | None]] = (
    weakref.WeakKeyDictionary()
)


class _Key:
    """An opened key, and the text values it opened lately.

    Opening a value costs a few microseconds in the AEAD call alone, and a page reads the
    same names several times (the recording page: twice in one reading, again at every
    load). A text value and where it is stored always open to the same plaintext, so the
    key remembers what it opened: a value is looked up here only by a caller that holds
    this key, which only a row of the store hands out (a deleted key is never asked for
    again, and :func:`_forget` drops it with what it opened). Bounded: emptied when full.
    """

    __slots__ = ("aead", "opened")
    LIMIT = 4096

    def __init__(self, key: bytes) -> None:
        self.aead = AESGCM(key)
        self.opened: dict[tuple[tuple[str, object, str], str], str] = {}

    def open(self, where: tuple[str, object, str], stored: Any) -> Any:
        text = type(stored) is str
        if text:
            plain = self.opened.get((where, stored))
            if plain is not None:
                return plain
            raw = binascii.a2b_base64(stored[len(TEXT_PREFIX) :])
        else:
            raw = bytes(stored)[len(BYTES_PREFIX) :]
        try:
            opened = self.aead.decrypt(raw[:_NONCE], raw[_NONCE:], _aad(*where))
        except InvalidTag:
            table, row_id, column = where
            raise StoreError(
                N_(
                    "a sealed value in {table}.{column} (row {row_id}) does not belong there:"
                    " the store was changed outside formgen; restore it from a backup"
                ),
                table=table,
                column=column,
                row_id=row_id,
            ) from None
        if not text:
            return opened
        if len(self.opened) >= self.LIMIT:
            self.opened.clear()
        plain = self.opened[where, stored] = opened.decode()
        return plain


# The keys opened in this process, by their wrapped bytes (most recently used last).
_opened_keys: dict[tuple[Master, bytes], _Key] = {}
_OPENED_KEYS = 1024
_opened_lock = threading.Lock()


def _unwrapped(master: Master, wrapped: bytes) -> _Key:
    """A wrapped key opened (kept by its wrapped bytes, which only a row of the store
    hands out: a deleted key's bytes are not asked for again)."""
    with _opened_lock:
        key = _opened_keys.pop((master, wrapped), None)
        if key is None:
            key = _Key(master.unwrap(wrapped))
            if len(_opened_keys) >= _OPENED_KEYS:
                del _opened_keys[next(iter(_opened_keys))]
        _opened_keys[master, wrapped] = key
        return key


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
    """A new store's check value and service key (migration 0013, :func:`ensure`)."""
    from formgen.record.schema import meta, sealed_keys

    conn.execute(meta.insert().values(key=CHECK, value=master.check_value()))
    conn.execute(
        sealed_keys.insert().values(
            owner=SERVICE_OWNER, kind=SERVICE, wrapped=master.wrap(AESGCM.generate_key(256))
        )
    )
    new_index_key(conn, master)


def new_index_key(conn: Connection, master: Master) -> None:
    """The service's blind-index key (random, wrapped by the master key like the others,
    so a rotation re-wraps it and every index stays valid); migration 0014 makes it for
    a store sealed before."""
    from formgen.record.schema import sealed_keys

    conn.execute(
        sealed_keys.insert().values(
            owner=SERVICE_OWNER, kind=INDEX, wrapped=master.wrap(os.urandom(32))
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


def _key(conn: Connection, owner: str, kind: str) -> _Key | None:
    from formgen.record.schema import sealed_keys

    cache = _cache.get(conn)
    if cache is None:
        cache = _cache[conn] = {}
    try:
        return cache[owner, kind]
    except KeyError:
        pass
    wrapped = conn.execute(
        select(sealed_keys.c.wrapped).where(
            sealed_keys.c.owner == owner, sealed_keys.c.kind == kind
        )
    ).scalar()
    key = cache[owner, kind] = (
        None if wrapped is None else _unwrapped(master_of(conn), bytes(wrapped))
    )
    return key


def known_key(conn: Connection, owner: str, kind: str, wrapped: bytes | None) -> _Key | None:
    """A key a query read with its rows (the participants' proof key, joined): kept for
    the connection, so opening the rows asks the store for nothing more."""
    cache = _cache.get(conn)
    if cache is None:
        cache = _cache[conn] = {}
    key = cache.get((owner, kind), False)
    if key is False:
        key = cache[owner, kind] = (
            None if wrapped is None else _unwrapped(master_of(conn), bytes(wrapped))
        )
    return key


def forget_data_key(conn: Connection, recording_id: str) -> bool:
    """Delete the recording's data key, in the caller's transaction (``destroy``):
    everything sealed with it is noise from the commit on, wherever a copy is."""
    return _forget(conn, recording_id, DATA)


def forget_proof_key(conn: Connection, recording_id: str) -> bool:
    """Delete the recording's proof key, when its proof retention ends."""
    return _forget(conn, recording_id, PROOF)


def _forget(conn: Connection, owner: str, kind: str) -> bool:
    from formgen.record.schema import sealed_keys

    where = (sealed_keys.c.owner == owner, sealed_keys.c.kind == kind)
    wrapped = conn.execute(select(sealed_keys.c.wrapped).where(*where)).scalar()
    done = conn.execute(delete(sealed_keys).where(*where))
    _cache.setdefault(conn, {})[owner, kind] = None
    if wrapped is not None:  # this process lets go of the key and what it opened
        with _opened_lock:
            for master_and_wrapped in [k for k in _opened_keys if k[1] == bytes(wrapped)]:
                _opened_keys.pop(master_and_wrapped).opened.clear()
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
    sealed = nonce + key.aead.encrypt(nonce, plain, _aad(*where))
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
    retention ended). Plaintext from before migration 0013 comes back as it is."""
    if stored is None or not is_sealed(stored):
        return stored
    key = _key(conn, owner, kind)
    return None if key is None else key.open(where, stored)


def open_with(key: _Key | None, where: tuple[str, object, str], stored: Any) -> Any:
    """:func:`unseal` with a key the caller already holds (:func:`known_key`)."""
    if stored is None or not is_sealed(stored):
        return stored
    return None if key is None else key.open(where, stored)


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


def _event(row: Any, column: str = "reason") -> tuple[str, str, str]:
    """Where an event's reason (or source) is: events get their ID from the database, so
    the value is bound to what identifies the row before it has one (form, clause,
    status, time)."""
    at = row["at"].isoformat(timespec="seconds")
    return ("events", f"{row['form_id']}/{row['clause']}/{row['status']}/{at}", column)


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


# --- Account addresses: sealed, and found by a blind index --------------------------------

_index_keys: dict[tuple[Master, bytes], bytes] = {}


def email_index(conn: Connection, email: str) -> str:
    """What an account's address is looked up by: HMAC-SHA256 of the address (lower
    case) under the service's index key, in hex. The same address always gives the same
    index, so sign-in and "already an account" find it; without the master key the
    index tells nothing about the address."""
    from formgen.record.schema import sealed_keys

    master = master_of(conn)
    wrapped = conn.execute(
        select(sealed_keys.c.wrapped).where(
            sealed_keys.c.owner == SERVICE_OWNER, sealed_keys.c.kind == INDEX
        )
    ).scalar()
    if wrapped is None:
        raise StoreError(N_("the store has no index key: it was not made by this formgen"))
    wrapped = bytes(wrapped)
    key = _index_keys.get((master, wrapped))
    if key is None:
        key = _index_keys[master, wrapped] = master.unwrap(wrapped)
    # here: only accounts need an index, and the hashes module costs a scan import 1.5 ms
    from cryptography.hazmat.primitives import hashes, hmac

    mac = hmac.HMAC(key, hashes.SHA256())
    mac.update(email.strip().lower().encode())
    return mac.finalize().hex()


def seal_account_email(conn: Connection, user_id: str, email: str) -> Any:
    """A staff member's address on their account: the service key."""
    return seal(conn, SERVICE_OWNER, SERVICE, ("users", user_id, "email"), email)


def open_account_email(conn: Connection, user_id: str, stored: Any) -> Any:
    return unseal(conn, SERVICE_OWNER, SERVICE, ("users", user_id, "email"), stored)


# --- Scan jobs: the uploaded files' names ------------------------------------------------


def seal_job_file_name(conn: Connection, job_id: str, position: int, part: int, name: str) -> Any:
    """An uploaded file's name while its job waits (people name files after people):
    the service key (the file is no recording's yet)."""
    where = ("job_files", f"{job_id}/{position}/{part}", "filename")
    return seal(conn, SERVICE_OWNER, SERVICE, where, name)


def open_job_file_name(conn: Connection, job_id: str, position: int, part: int, stored: Any) -> Any:
    where = ("job_files", f"{job_id}/{position}/{part}", "filename")
    return unseal(conn, SERVICE_OWNER, SERVICE, where, stored)


JOB_PAGE_FIELDS = ("source", "reason")  # a page report's uploaded file name, and the
# reader's reason, which names the file too


def _page_owners(conn: Connection, pages: list[dict[str, Any]]) -> dict[str, str]:
    from formgen.record.schema import forms, participants

    ids = sorted({p["form_id"] for p in pages if p.get("form_id")})
    if not ids:
        return {}
    rows = conn.execute(
        select(forms.c.id, participants.c.recording_id)
        .join(participants, participants.c.id == forms.c.participant_id)
        .where(forms.c.id.in_(ids))
    )
    return dict(rows.all())


def _page_key(owners: dict[str, str], page: dict[str, Any]) -> tuple[str, str]:
    recording_id = owners.get(page.get("form_id") or "")
    return (recording_id, DATA) if recording_id else (SERVICE_OWNER, SERVICE)


def seal_job_pages(conn: Connection, job_id: str, pages: list[dict[str, Any]]) -> list[Any]:
    """A finished job's page reports with the file names sealed: a page that landed on a
    form with its recording's data key (gone with the recording), any other with the
    service key."""
    owners = _page_owners(conn, pages)
    sealed = []
    for index, page in enumerate(pages):
        owner, kind = _page_key(owners, page)
        page = dict(page)
        for field in JOB_PAGE_FIELDS:
            if page.get(field):
                page[field] = seal(
                    conn, owner, kind, ("jobs", f"{job_id}/{index}", field), page[field]
                )
        sealed.append(page)
    return sealed


def open_job_pages(conn: Connection, job_id: str, pages: list[dict[str, Any]]) -> list[Any]:
    """:func:`seal_job_pages` undone; a name whose recording was destroyed becomes ""."""
    owners = _page_owners(conn, pages)
    opened = []
    for index, page in enumerate(pages):
        owner, kind = _page_key(owners, page)
        page = dict(page)
        for field in JOB_PAGE_FIELDS:
            if page.get(field):
                where = ("jobs", f"{job_id}/{index}", field)
                page[field] = unseal(conn, owner, kind, where, page[field]) or ""
        opened.append(page)
    return opened


# --- Institution requests: the contact person ----------------------------------------------


def seal_contact(conn: Connection, recording_id: str, request_id: str, contact: str | None) -> Any:
    """The institution's contact person on a request: the recording's data key (cleared
    when the recording is destroyed)."""
    where = ("institution_requests", request_id, "contact")
    return seal(conn, recording_id, DATA, where, contact)


def open_contact(conn: Connection, recording_id: str, request_id: str, stored: Any) -> Any:
    where = ("institution_requests", request_id, "contact")
    return unseal(conn, recording_id, DATA, where, stored)


# --- Who did something by hand: the name in a "manual:<name>" source -----------------------

MANUAL = "manual:"


def _seal_source(conn: Connection, recording_id: str, where: Any, source: str) -> str:
    """A source with its name sealed with the service key: who recorded a consent by
    hand, decided a review, confirmed a step or destroyed a recording is a member of
    staff (as on their account), and the log keeps who did what for as long as it
    keeps the event, past the recording's destruction and its proof retention. The kind
    ("manual:", "scan:…", "formgen") stays readable, for the queries that count by
    kind. (``recording_id``: the recording the event belongs to; not its key.)"""
    if not source.startswith(MANUAL):
        return source
    return MANUAL + seal(conn, SERVICE_OWNER, SERVICE, where, source[len(MANUAL) :])


def _open_source(conn: Connection, recording_id: str, where: Any, stored: Any) -> Any:
    if not isinstance(stored, str) or not stored.startswith(MANUAL + TEXT_PREFIX):
        return stored
    name = unseal(conn, SERVICE_OWNER, SERVICE, where, stored[len(MANUAL) :])
    return MANUAL + (name or "")


def seal_event_source(conn: Connection, recording_id: str, row: dict[str, Any]) -> None:
    """The source of an event row to insert, sealed in place."""
    row["source"] = _seal_source(conn, recording_id, _event(row, "source"), row["source"])


def open_event_source(conn: Connection, recording_id: str, row: Any) -> Any:
    """An event's source (``manual:`` without the name once the proof key is gone)."""
    return _open_source(conn, recording_id, _event(row, "source"), row["source"])


def _log_source(recording_id: str, kind: str, at: Any) -> tuple[str, str, str]:
    return ("recording_events", f"{recording_id}/{kind}/{at.isoformat()}", "source")


def seal_log_source(conn: Connection, recording_id: str, kind: str, at: Any, source: str) -> str:
    """The source of a recording's log entry (``recording_events``), sealed."""
    return _seal_source(conn, recording_id, _log_source(recording_id, kind, at), source)


def open_log_source(conn: Connection, row: Any) -> Any:
    """A recording log row's source, opened."""
    where = _log_source(row["recording_id"], row["kind"], row["at"])
    return _open_source(conn, row["recording_id"], where, row["source"])


# --- The recording itself: its title and the names of student and supervisor --------------

RECORDING_NAMES = ("title", "student", "supervisor")


def seal_recording_names(conn: Connection, recording_id: str, row: dict[str, Any]) -> dict:
    """A recordings row (or the part of one to update) with its title and names sealed
    with the recording's proof key: they are printed on every declaration, so the proof
    after destruction must still say which recording a consent was for, and whose; they
    go when the proof retention ends."""
    sealed = dict(row)
    for column in RECORDING_NAMES:
        if sealed.get(column) is not None:
            where = ("recordings", recording_id, column)
            sealed[column] = seal(conn, recording_id, PROOF, where, sealed[column])
    return sealed


def open_recording_names(conn: Connection, row: Any) -> dict[str, Any]:
    """A recordings row (a mapping with its ``id``) with its title and names opened;
    "" once the proof key is gone."""
    opened = dict(row)
    recording_id = opened["id"]
    for column in RECORDING_NAMES:
        if column in opened:
            where = ("recordings", recording_id, column)
            value = unseal(conn, recording_id, PROOF, where, opened[column])
            opened[column] = "" if value is None else value
    return opened
