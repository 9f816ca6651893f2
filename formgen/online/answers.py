"""Consent online, beside paper: the form's QR link opens it in a browser, the person
answers per clause (or takes a yes back), confirms with a code sent by e-mail, and only
then do the answers land, as events with source ``online``.

What an answer does to a clause is ``rules.decide_online``; what a person may do with a
form is ``rules.online_mode``. This module keeps the links (hashed), the answers waiting
for their code and, once confirmed, the proof: who, which address, which text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, update

from formgen import rules
from formgen.config import Config
from formgen.errors import Conflict, NotFound, RecordError, checked
from formgen.record import ledger, records, roster, sealing
from formgen.record.formid import FormIdError, Instance, Links, secret_hash
from formgen.record.ledger import SIGNATURE
from formgen.record.records import Recording
from formgen.record.roster import Participant
from formgen.record.schema import (
    forms,
    online_answers,
    online_links,
    participant_addresses,
    participants,
    users,
)
from formgen.record.store import instance
from formgen.rules import OnlineMode, Status
from formgen.words import N_

SOURCE = "online"
CODE_DIGITS = 6
# One refusal for every link that does not open a form: guessed, altered, of another
# installation, of a destroyed recording, past its deletion date. It reveals nothing.
NO_FORM = N_("this link does not open a form (any more)")


NO_AUTHORITY = N_("tick that you have parental authority over this child")
OWN_ADDRESS = N_(
    "use your own e-mail address: an address of the organisation or of one of formgen's"
    " users cannot confirm a consent"
)
REVIEW_PREFIX = "check this online answer"
SAME_BROWSER = "browser"  # flag kinds, each with the other form's ID: "browser:FORM-ID"
SAME_ADDRESS = "address"


def browser_hash(browser: str) -> str:
    """What is kept of a browser's random id: never the id itself."""
    return hashlib.sha256(f"formgen browser {browser}".encode()).hexdigest()


def _at_domain(email: str, domains: Sequence[str]) -> bool:
    host = email.rpartition("@")[2].lower()
    return any(host == d or host.endswith("." + d) for d in domains)


def flag_parts(flag: str | None) -> list[tuple[str, str]]:
    """A stored flag as (kind, other form ID) pairs: ``SAME_BROWSER`` or ``SAME_ADDRESS``."""
    found = []
    for part in (flag or "").split(";"):
        kind, _, form_id = part.partition(":")
        if kind and form_id:
            found.append((kind, form_id))
    return found


def flag_text(flag: str | None) -> str:
    """A flag in words (English, as the record's reasons are)."""
    said = {
        SAME_BROWSER: "the same browser answered form {} of this recording",
        SAME_ADDRESS: "the same address was used for form {} of this recording",
    }
    return "; ".join(said[kind].format(form_id) for kind, form_id in flag_parts(flag))


class Kind(StrEnum):
    ANSWER = "answer"  # the first answer to the form
    WITHDRAWAL = "withdrawal"  # a yes taken back (by the person or the other parent)


class LinkRefused(NotFound):
    def __init__(self) -> None:
        super().__init__(NO_FORM)


class CodeRefused(Conflict):
    """A confirmation code that is wrong, used, expired or tried too often."""


def coder(conn: Connection, config: Config) -> Instance | Links:
    """What a rendered page's QR code encodes: a link when the installation has a public
    address, else the bare payload."""
    key = instance(conn)
    return Links(key, config.public_url) if config.public_url else key


def keep_links(conn: Connection, coded: Instance | Links) -> None:
    """Store the hashes of the secrets a render printed, in the render's transaction."""
    if isinstance(coded, Links) and coded.issued:
        stamp = records.now()
        records.insert_new(
            conn,
            online_links,
            [
                {"hash": secret_hash(secret), "form_id": form_id, "created_at": stamp}
                for form_id, secret in coded.issued.items()
            ],
        )


def new_link(conn: Connection, config: Config, form_id: str) -> str:
    """A fresh link to a form (for a receipt or the other parent), stored hashed."""
    if not config.public_url:
        raise RecordError(N_("online answers need public_url in the configuration"))
    links = Links(instance(conn), config.public_url)
    url = links.payload(form_id, 1)
    keep_links(conn, links)
    return url


@dataclass(frozen=True)
class OnlineForm:
    """A form as its link opens it."""

    recording: Recording
    person: Participant
    statuses: dict[str, Status]
    signed: bool | None
    mode: OnlineMode
    too_late: bool = False  # closed because the recording was made: nothing to ask now

    @property
    def form_id(self) -> str:
        return self.person.form_id

    @property
    def withdrawable(self) -> list[str]:
        return [c for c, s in self.statuses.items() if s in rules.TAKE_BACK]


def open_form(conn: Connection, token: str, today: dt.date) -> OnlineForm:
    """The form a link opens, or LinkRefused."""
    try:
        form_id, _, secret = instance(conn).verify_link(token)
    except FormIdError:
        raise LinkRefused() from None
    if secret is None:
        raise LinkRefused()
    known = conn.execute(
        select(online_links.c.form_id).where(online_links.c.hash == secret_hash(secret))
    ).scalar()
    if known is None or not hmac.compare_digest(known, form_id):
        raise LinkRefused()
    person = roster.get_form(conn, form_id)
    recording = records.get_recording(conn, person.recording_id)
    current = {p.id: p.form_id for p in roster.list_participants(conn, recording.id)}
    destroyed = records.destroyed(conn, recording.id) is not None
    # A form replaced by a re-consent form is closed: the new form asks again.
    if current.get(person.id) != form_id or not rules.link_open(
        recording.delete_by, today, destroyed
    ):
        raise LinkRefused()
    state = ledger.form_states(conn, [form_id])[form_id]
    statuses = {c: state.clauses.get(c, Status.REQUESTED) for c in person.clauses}
    mode = rules.online_mode(statuses)
    # After the recording date nothing is asked afresh (a re-consent round aside);
    # taking a yes back stays possible.
    late = mode is OnlineMode.ANSWER and not rules.may_ask_consent(
        recording.recorded_on, today, person.round
    )
    if late:
        mode = OnlineMode.CLOSED
    return OnlineForm(recording, person, statuses, state.signed, mode, too_late=late)


def _hash_code(answer_id: str, code: str) -> str:
    return hashlib.sha256(f"formgen code {answer_id} {code}".encode()).hexdigest()


@dataclass(frozen=True)
class Pending:
    """Answers waiting for their e-mail code; ``code`` goes to ``email`` only."""

    id: str
    form_id: str
    email: str
    code: str
    kind: Kind
    lang: str
    # A no to everything given by name only: it landed at once, with no code to confirm.
    landed: Confirmed | None = None


def _checked_answers(form: OnlineForm, answers: Mapping[str, str]) -> tuple[Kind, dict[str, str]]:
    if form.mode is OnlineMode.CLOSED:
        raise Conflict(N_("this form has nothing left to answer or withdraw online"))
    if form.mode is OnlineMode.ANSWER:
        missing = [c for c in form.person.clauses if answers.get(c) not in ("yes", "no")]
        if missing:
            raise RecordError(N_("choose yes or no for every question"))
        return Kind.ANSWER, {c: answers[c] for c in form.person.clauses}
    chosen = {c: "withdraw" for c in form.withdrawable if answers.get(c) == "no"}
    if not chosen:
        raise RecordError(N_("choose no for what you take back"))
    return Kind.WITHDRAWAL, chosen


def _limited(conn: Connection, form_id: str, email: str, now: dt.datetime) -> bool:
    """Whether the form, or the address, asked for too many codes in the last hour. The
    addresses are sealed, so the last hour's answers are opened to compare them."""
    since = now - dt.timedelta(hours=1)
    rows = conn.execute(
        select(online_answers, participants.c.recording_id)
        .join(forms, forms.c.id == online_answers.c.form_id)
        .join(participants, participants.c.id == forms.c.participant_id)
        .where(online_answers.c.created_at > since)
    ).mappings()
    by_form = by_address = 0
    for row in rows:
        by_form += row["form_id"] == form_id
        opened = sealing.open_answer(conn, row["recording_id"], row)
        by_address += bool(email) and opened["email"] == email
    return max(by_form, by_address) >= rules.CODES_PER_HOUR


@dataclass(frozen=True)
class OnlineAnswer:
    """What a person filled in on the online form, as they sent it (checked by
    ``start``). ``answers``: clause -> "yes" or "no". ``email``: where the code goes
    (empty: a no to everything by name only). ``relation``: "parent" or "guardian" on a
    parental form; ``other_email``: the other parent's address, for their own link.
    ``child``: the child's name on a blank parental form; ``child_agrees``: the optional
    line where the child agrees too (their name), shown on the receipt; it decides
    nothing. ``lang``: the language the person chose (None: the form's). ``authority``: the parent's
    tick "I have parental authority over this child", required on a parental form.
    ``browser``: the random id the answering browser keeps (only its hash is stored)."""

    answers: Mapping[str, str]
    name: str
    email: str
    relation: str | None = None
    other_email: str | None = None
    child: str | None = None
    child_agrees: str | None = None
    lang: str | None = None
    authority: bool = False
    browser: str | None = None

    def typed(self) -> list[str]:
        """The names typed in, which the receipt prints."""
        return [t for t in (self.name, self.child, self.child_agrees) if t and t.strip()]


def start(
    engine: Engine,
    token: str,
    answer: OnlineAnswer,
    *,
    lang: str,
    text_hash: str,
    text_html: str | None = None,
    own_domains: Sequence[str] = (),
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Pending:
    """Keep a person's answers until the code sent to ``answer.email`` confirms them.
    ``lang``: the language the page was shown in; ``text_hash`` and ``text_html``: that
    page. An answer from an address at ``own_domains`` or of any account is refused:
    the student or a colleague could answer for someone."""
    answers, name, email, relation = answer.answers, answer.name, answer.email, answer.relation
    other_email, child, child_agrees = answer.other_email, answer.child, answer.child_agrees
    authority, browser = answer.authority, answer.browser
    stamp = now or records.now()
    # A no to everything needs only a name: it can only keep someone out, so nothing
    # has to be confirmed (checked below, once the answers are known).
    by_name = not (email and email.strip())
    name = checked(rules.check_name, name, N_("your name"))
    email = "" if by_name else checked(rules.check_email, email, N_("your e-mail address"))
    other = (
        checked(rules.check_email, other_email, N_("the other parent's address"))
        if (other_email and other_email.strip() and not by_name)
        else None
    )
    child = (
        checked(rules.check_name, child, N_("the child's name"))
        if child and child.strip()
        else None
    )
    agrees = (
        checked(rules.check_name, child_agrees, N_("the child's own agreement"))
        if child_agrees and child_agrees.strip()
        else None
    )
    email, other = email.lower(), other.lower() if other else None
    with engine.begin() as conn:
        # ``today``: the organisation's day (after 23:00 UTC Amsterdam is a day further)
        form = open_form(conn, token, today or stamp.date())
        roster.lock_form(conn, form.form_id)
        kind, chosen = _checked_answers(form, answers)
        if by_name and not (kind is Kind.ANSWER and set(chosen.values()) == {"no"}):
            raise RecordError(
                N_("type your e-mail address: only a no to everything needs just your name")
            )
        parent = form.person.variant == "parent"
        if kind is Kind.ANSWER and parent and relation not in ("parent", "guardian"):
            raise RecordError(N_("say whether you are the child's parent or guardian"))
        if kind is Kind.ANSWER and form.person.name is None and parent and child is None:
            raise RecordError(N_("type the child's name"))
        if kind is Kind.ANSWER and parent and not authority:
            raise RecordError(NO_AUTHORITY)
        if (
            kind is Kind.ANSWER
            and email
            and (
                _at_domain(email, own_domains)
                or conn.execute(
                    select(users.c.id).where(
                        users.c.email_index == sealing.email_index(conn, email)
                    )
                ).first()
            )
        ):
            raise RecordError(OWN_ADDRESS)
        if other and other == email:
            raise RecordError(N_("the other parent's address is your own"))
        if _limited(conn, form.form_id, email, stamp):
            raise Conflict(N_("too many codes asked for in the last hour: try again later"))
        answer_id = records.new_id("A")
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        row = dict(
            id=answer_id,
            form_id=form.form_id,
            kind=str(kind),
            lang=lang,
            name=name,
            relation=relation if parent and kind is Kind.ANSWER else None,
            email=email,
            other_email=other if parent and kind is Kind.ANSWER else None,
            answers={
                **chosen,
                **({"_child": child} if child else {}),
                **({"_agrees": agrees} if agrees and parent and kind is Kind.ANSWER else {}),
                **({"_authority": "yes"} if parent and kind is Kind.ANSWER else {}),
            },
            text_hash=text_hash,
            text_html=text_html,
            browser_hash=browser_hash(browser) if browser else None,
            # by name only: a code nobody knows, so nothing can confirm it again
            code_hash=_hash_code(answer_id, secrets.token_hex(16) if by_name else code),
            created_at=stamp,
            expires_at=stamp + rules.CODE_VALID,
        )
        plain = dict(row)
        sealing.seal_answer(conn, form.person.recording_id, answer_id, row)
        conn.execute(online_answers.insert().values(**row))
        if by_name:
            landed_kind, landed, changed = _land(conn, form, plain, stamp)
            done = Confirmed(
                answer_id, form.form_id, landed_kind, changed, landed, name,
                plain["relation"], "", None, lang, stamp, None,
            )  # fmt: skip
            return Pending(answer_id, form.form_id, "", "", kind, lang, landed=done)
    return Pending(answer_id, form.form_id, email, code, kind, lang)


def forget(engine: Engine, answer_id: str) -> None:
    """Drop answers whose code could not be sent."""
    with engine.begin() as conn:
        conn.execute(delete(online_answers).where(online_answers.c.id == answer_id))


@dataclass(frozen=True)
class Confirmed:
    """Answers that landed: what changed per clause, and what the receipt needs."""

    answer_id: str
    form_id: str
    kind: Kind
    changed: dict[str, str]
    answers: dict[str, str]
    name: str
    relation: str | None
    email: str
    other_email: str | None
    lang: str
    at: dt.datetime
    child_agrees: str | None = None  # the child's own line on a parental form
    receipt_sent: bool = False  # set by Formgen.online_confirm once the mail went out


def confirm(
    engine: Engine,
    token: str,
    answer_id: str,
    code: str,
    *,
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Confirmed:
    """Check the code; if right, record the answers in one transaction. Without
    ``answer_id`` (a program that posts only the code) the code finds its own answer
    among the form's answers still waiting; a wrong one counts against all of them."""
    stamp = now or records.now()
    typed = "".join(str(code).split())
    with engine.begin() as conn:
        form = open_form(conn, token, today or stamp.date())
        roster.lock_form(conn, form.form_id)
        which = (
            online_answers.c.id == str(answer_id)[:16]
            if answer_id
            else online_answers.c.confirmed_at.is_(None)
        )
        rows = (
            conn.execute(
                select(online_answers).where(online_answers.c.form_id == form.form_id, which)
            )
            .mappings()
            .all()
        )
        rows = [sealing.open_answer(conn, form.person.recording_id, r) for r in rows]
        waiting = [r for r in rows if r["confirmed_at"] is None]
        if not waiting:
            raise CodeRefused(N_("this code is not valid: ask for a new one"))
        usable = [r for r in waiting if not rules.code_refused(r["tries"], r["expires_at"], stamp)]
        if not usable:  # the reason of the newest: what the person just tried
            newest = max(waiting, key=lambda r: r["created_at"])
            raise CodeRefused(
                rules.code_refused(newest["tries"], newest["expires_at"], stamp) or ""
            )
        row = next(
            (r for r in usable if hmac.compare_digest(_hash_code(r["id"], typed), r["code_hash"])),
            None,
        )
        if row is not None:
            kind, answers, changed = _land(conn, form, row, stamp)
        else:
            conn.execute(
                update(online_answers)
                .where(online_answers.c.id.in_([r["id"] for r in usable]))
                .values(tries=online_answers.c.tries + 1)
            )
    if row is None:  # the try is counted (committed) before the refusal
        left = rules.CODE_TRIES - 1 - max(r["tries"] for r in usable)
        if left > 0:
            raise CodeRefused(N_("wrong code; {left} tries left"), left=left)
        raise CodeRefused(N_("wrong code; ask for a new one"))
    return Confirmed(
        row["id"],
        form.form_id,
        kind,
        changed,
        answers,
        row["name"],
        row["relation"],
        row["email"],
        row["other_email"],
        row["lang"],
        stamp,
        row["answers"].get("_agrees"),
    )


def _land(
    conn: Connection, form: OnlineForm, row: Mapping[str, Any], stamp: dt.datetime
) -> tuple[Kind, dict[str, str], dict[str, str]]:
    """Record confirmed answers: what they came to (an answer, or only a withdrawal),
    the answers that count and what changed per clause."""
    # Decide against the state now, under the form's lock: a scan, or another answer
    # confirmed first, may have landed since the person opened the page.
    state = ledger.form_states(conn, [form.form_id])[form.form_id]
    now = {c: state.clauses.get(c, Status.REQUESTED) for c in form.person.clauses}
    kind = Kind(row["kind"])
    answers = {k: v for k, v in row["answers"].items() if not k.startswith("_")}
    if kind is Kind.ANSWER and rules.online_mode(now) is not OnlineMode.ANSWER:
        # The form was answered meanwhile: as on the page it now shows, this answer only
        # takes back what is yes; its own yes and its signature count for nothing.
        kind = Kind.WITHDRAWAL
        answers = {c: "withdraw" for c, a in answers.items() if a == "no"}
    wanted = {"yes": Status.GIVEN, "no": Status.REFUSED, "withdraw": Status.WITHDRAWN}
    # An answer that another form of the recording's answers make doubtful goes to a
    # person: each clause it would decide waits in review, with what it said.
    flag = _flag(conn, form, row) if kind is Kind.ANSWER else None
    changes, reasons, changed = [], {}, {}
    for clause, answer in answers.items():
        if clause not in form.person.clauses:
            continue
        outcome = rules.decide_online(wanted[answer], state.clauses.get(clause))
        reasons[clause] = outcome.reason
        if outcome.status is not None and flag:
            changes.append((form.form_id, clause, str(Status.REVIEW)))
            changed[clause] = str(Status.REVIEW)
            reasons[clause] = f"{REVIEW_PREFIX}: {flag_text(flag)}; it said {answer}"
        elif outcome.status is not None:
            changes.append((form.form_id, clause, str(outcome.status)))
            changed[clause] = str(outcome.status)
    if kind is Kind.ANSWER and changes and not flag and row["email"]:
        # A flagged answer is signed by the reviewer who accepts it (review.resolve); a
        # no to everything by name only needs no signature: it keeps the person out.
        changes.append((form.form_id, SIGNATURE, "signed"))
        reasons[SIGNATURE] = "confirmed by e-mail code"
    detail = {"answer": row["id"], "text": row["text_hash"], "kind": str(kind)}
    ledger.append_events(conn, changes, source=SOURCE, reasons=reasons, detail=detail)
    if flag:
        conn.execute(
            update(online_answers).where(online_answers.c.id == row["id"]).values(flag=flag)
        )
    conn.execute(
        update(online_answers).where(online_answers.c.id == row["id"]).values(confirmed_at=stamp)
    )
    if form.person.name is None and kind is Kind.ANSWER:
        typed = row["answers"].get("_child") or row["name"]
        sealed = sealing.seal_name(conn, form.person.recording_id, form.person.id, typed)
        conn.execute(
            update(participants).where(participants.c.id == form.person.id).values(name=sealed)
        )
    return kind, answers, changed


def confirmed_answers(conn: Connection, form_ids: list[str]) -> list[dict[str, Any]]:
    """The confirmed online answers of these forms, oldest first: who answered, the
    address that confirmed it, when, and whether the text they saw is kept."""
    found = conn.execute(
        select(
            online_answers.c.id,
            online_answers.c.form_id,
            online_answers.c.kind,
            online_answers.c.lang,
            online_answers.c.name,
            online_answers.c.relation,
            online_answers.c.email,
            online_answers.c.other_email,
            online_answers.c.answers,
            online_answers.c.confirmed_at,
            online_answers.c.flag,
            online_answers.c.text_html.is_not(None).label("text_kept"),
            participants.c.recording_id,
        )
        .join(forms, forms.c.id == online_answers.c.form_id)
        .join(participants, participants.c.id == forms.c.participant_id)
        .where(online_answers.c.form_id.in_(form_ids), online_answers.c.confirmed_at.is_not(None))
        .order_by(online_answers.c.confirmed_at, online_answers.c.id)
    ).mappings()
    rows = [sealing.open_answer(conn, r["recording_id"], r) for r in found]
    return [
        {
            "id": r["id"],
            "form_id": r["form_id"],
            "kind": r["kind"],
            "lang": r["lang"],
            "name": r["name"],
            "relation": r["relation"],
            "email": r["email"],
            "answers": {k: v for k, v in r["answers"].items() if not k.startswith("_")},
            "confirmed_at": r["confirmed_at"].isoformat(timespec="seconds"),
            "flag": r["flag"],
            "text_kept": bool(r["text_kept"]),
        }
        for r in rows
    ]


def kept_text(conn: Connection, form_ids: list[str], answer_id: str) -> tuple[str, bool]:
    """The page a confirmed answer's person saw, as it was shown, and whether it still
    matches the hash recorded with the answer. NotFound when none is kept."""
    row = conn.execute(
        select(
            online_answers.c.id,
            online_answers.c.text_html,
            online_answers.c.text_hash,
            participants.c.recording_id,
        )
        .join(forms, forms.c.id == online_answers.c.form_id)
        .join(participants, participants.c.id == forms.c.participant_id)
        .where(
            online_answers.c.id == answer_id,
            online_answers.c.form_id.in_(form_ids),
            online_answers.c.confirmed_at.is_not(None),
        )
    ).first()
    if row is None or row.text_html is None:
        raise NotFound(N_("no text kept for online answer {id}"), id=answer_id)
    text = sealing.open_text(conn, row.recording_id, answer_id, row.text_html)
    matches = hmac.compare_digest(hashlib.sha256(text.encode()).hexdigest(), row.text_hash)
    return text, matches


def _flag(conn: Connection, form: OnlineForm, row: Mapping[str, Any]) -> str | None:
    """Why a person must check this answer, or None: the browser that gave it, or its
    address, already answered another participant's form of the same recording."""
    others = (
        select(forms.c.id)
        .join(participants, participants.c.id == forms.c.participant_id)
        .where(
            participants.c.recording_id == form.recording.id,
            participants.c.id != form.person.id,
        )
    )
    found = conn.execute(
        select(online_answers)
        .where(
            online_answers.c.form_id.in_(others),
            online_answers.c.confirmed_at.is_not(None),
            online_answers.c.kind == str(Kind.ANSWER),
        )
        .order_by(online_answers.c.confirmed_at)
    ).mappings()
    # the addresses are sealed: opened to compare
    rows = [sealing.open_answer(conn, form.recording.id, r) for r in found]
    parts = []
    for other, email, browser in ((r["form_id"], r["email"], r["browser_hash"]) for r in rows):
        if row["browser_hash"] and browser == row["browser_hash"]:
            parts.append(f"{SAME_BROWSER}:{other}")
        if email and email == row["email"]:
            parts.append(f"{SAME_ADDRESS}:{other}")
    return ";".join(dict.fromkeys(parts)) or None


def set_address(conn: Connection, participant_id: str, email: str | None) -> None:
    """A participant's e-mail address for the invitation (None: forget it)."""
    conn.execute(
        delete(participant_addresses).where(
            participant_addresses.c.participant_id == participant_id
        )
    )
    if email:
        recording_id = conn.execute(
            select(participants.c.recording_id).where(participants.c.id == participant_id)
        ).scalar_one()
        sealed = sealing.seal_address(conn, recording_id, participant_id, email)
        conn.execute(
            participant_addresses.insert().values(participant_id=participant_id, email=sealed)
        )


def addresses(conn: Connection, participant_ids: list[str]) -> dict[str, str]:
    rows = conn.execute(
        select(
            participant_addresses.c.participant_id,
            participants.c.recording_id,
            participant_addresses.c.email,
        )
        .join(participants, participants.c.id == participant_addresses.c.participant_id)
        .where(participant_addresses.c.participant_id.in_(participant_ids))
    )
    found = {pid: sealing.open_address(conn, rec, pid, email) for pid, rec, email in rows}
    return {pid: email for pid, email in found.items() if email is not None}


def forget_at_destruction(conn: Connection, form_ids: list[str], participant_ids: list[str]) -> int:
    """Destruction: what is not proof goes at once. The links, the addresses kept for
    invitations, answers never confirmed, and what confirmed answers hold beyond the
    proof (the other parent's address, the child's own line). The confirmed answer
    itself (who, which address, what was shown and chosen) stays until ``erase_proof``."""
    removed = conn.execute(
        delete(online_answers).where(
            online_answers.c.form_id.in_(form_ids), online_answers.c.confirmed_at.is_(None)
        )
    ).rowcount
    removed += conn.execute(
        delete(online_links).where(online_links.c.form_id.in_(form_ids))
    ).rowcount
    removed += conn.execute(
        delete(participant_addresses).where(
            participant_addresses.c.participant_id.in_(participant_ids)
        )
    ).rowcount
    kept = conn.execute(
        select(online_answers.c.id, online_answers.c.answers, online_answers.c.other_email).where(
            online_answers.c.form_id.in_(form_ids)
        )
    ).all()
    for answer_id, answers, other in kept:
        trimmed = {k: v for k, v in answers.items() if k != "_agrees"}
        if trimmed != answers or other is not None:
            conn.execute(
                update(online_answers)
                .where(online_answers.c.id == answer_id)
                .values(answers=trimmed, other_email=None)
            )
            removed += 1
    return removed


def erase_proof(conn: Connection, form_ids: list[str]) -> int:
    """The proof retention has ended: the online answers go, with the text shown."""
    return conn.execute(
        delete(online_answers).where(online_answers.c.form_id.in_(form_ids))
    ).rowcount
