"""The library's one public object: ``Formgen``, over a store and a configuration.

Everything the CLI and the service do goes through here (docs/contract.md). Each method
is one operation on the consent record; results are typed values whose ``as_dict()``
is docs/contract.md's JSON; refusals are ``FormgenError`` subclasses whose messages speak
of recordings, forms and consent. A fault of the database (busy too long, read-only,
gone) becomes a ``StoreError`` of one line, never SQL or a participant's name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import importlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from formgen import config as config_module
from formgen import rules
from formgen.config import Config
from formgen.errors import Conflict, FormgenError, NotFound, RecordError
from formgen.record import (
    accounts,
    by_hand,
    confirmations,
    consent_status,
    jobs,
    ledger,
    records,
    roster,
    sealing,
    store,
)
from formgen.record.accounts import Session, User
from formgen.record.consent_status import ConsentStatus, PersonStatus
from formgen.record.jobs import Job
from formgen.record.records import Recording
from formgen.record.roster import Participant
from formgen.rules import Act, Relation, Role
from formgen.words import N_, Word

if TYPE_CHECKING:  # the scan reader (OpenCV, zxing) is imported when scans are read
    from formgen import mail  # and mail (smtplib, ssl) and the web form when consent is online
    from formgen.aftercare.lifecycle import Change
    from formgen.aftercare.review import ReviewDetail, ReviewItem
    from formgen.documents.declarations import Written
    from formgen.scan.landing import PageReport


class _Submodule:
    """A part of formgen imported at its first use, not with the library: a command
    such as ``formgen scan import`` never needs the documents, the online form or the
    store copy, and importing them all cost it a third of its start-up. The import
    itself is Python's, with its locks, so threads may race to the first use."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)

    def __repr__(self) -> str:
        return f"<formgen part {self._name}, imported when first used>"


steps: Any = _Submodule("formgen.aftercare.steps")
audit: Any = _Submodule("formgen.documents.audit")
corrections: Any = _Submodule("formgen.aftercare.corrections")
declarations: Any = _Submodule("formgen.documents.declarations")
export: Any = _Submodule("formgen.documents.export")
institution: Any = _Submodule("formgen.record.institution")
lifecycle: Any = _Submodule("formgen.aftercare.lifecycle")
online: Any = _Submodule("formgen.online.answers")
render: Any = _Submodule("formgen.documents.render")
returns: Any = _Submodule("formgen.aftercare.returns")
review: Any = _Submodule("formgen.aftercare.review")
storecopy: Any = _Submodule("formgen.record.storecopy")

log = logging.getLogger("formgen")
P = ParamSpec("P")
T = TypeVar("T")


def _guarded(method: Callable[P, T]) -> Callable[P, T]:
    """Turn a database fault into a ``StoreError`` of one line for a person."""

    @functools.wraps(method)
    def call(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(*args, **kwargs)
        except SQLAlchemyError as exc:
            raise store.explain(exc) from None

    return call


def _checked(check: Callable[..., T], *args: Any) -> T:
    """A rule's ValueError as the record's refusal."""
    try:
        return check(*args)
    except ValueError as exc:
        raise RecordError.of(exc) from exc


class NotAllowed(Conflict):
    """What the person's role may not do (to a recording they may see): a refusal like
    any Conflict for the library's callers; the service answers it 403."""


@dataclass(frozen=True)
class Sample:
    recording: Recording
    written: Written

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.recording.id, **self.written.as_dict()}


@dataclass(frozen=True)
class Import:
    """What a scan import did, page by page (docs/contract.md), and a summary."""

    pages: list[PageReport]

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.pages)

    @property
    def failed(self) -> list[PageReport]:
        return [r for r in self.pages if r.status == "error"]

    @property
    def landed_meanwhile(self) -> int:
        """Pages another import running at the same time landed: in the record."""
        from formgen.scan.landing import CONCURRENT

        return sum(r.reason == CONCURRENT for r in self.pages)

    def error_summary(self) -> str | None:
        """One line on what went wrong, or None when every page landed."""
        failed = self.failed
        if not failed:
            return None
        reasons = {r.reason for r in failed}
        why = reasons.pop() if len(reasons) == 1 else "see the report"
        return f"{len(failed)} page(s) not imported: {why}"

    def as_dict(self) -> dict[str, Any]:
        return {"pages": [r.as_dict() for r in self.pages]}


@dataclass(frozen=True)
class Overview:
    """A recording as its page shows it (``Formgen.overview``)."""

    status: ConsentStatus
    checklist: dict[str, Any]
    description: dict[str, Any] | None
    description_problem: RecordError | None  # why there is no description yet
    earlier: list[PersonStatus]


# How often a worker looks for proofs whose retention has ended (seconds).
PROOF_SWEEP_SECONDS = 3600.0


class Formgen:
    """A consent-record store and the configuration it is used with.

    ``Formgen.open()`` takes the store from ``FORMGEN_DB`` (a database URL or an SQLite
    file path; unset, ``output/formgen.db``) and the configuration from
    ``FORMGEN_CONFIG`` or ``./formgen.toml``; pass ``db`` and ``config`` to say them
    yourself. Relative output paths are fixed when it opens, so later changes of the
    working directory do not move where documents go."""

    def __init__(self, engine: Engine, config: Config) -> None:
        self.engine = engine
        self.config = config

    @classmethod
    def open(
        cls,
        db: str | Path | None = None,
        config: Config | Path | None = None,
        *,
        make_key: bool = False,
    ) -> Formgen:
        """``make_key``: make the master key beside the store if there is none yet (the
        demo and the sample only; anywhere else a missing key is an error)."""
        if not isinstance(config, Config):
            config = config_module.load(config)
        config = config_module.absolute(config)
        engine = store.open_store(
            None if db is None else str(db), key_file=config.key_file, make_key=make_key
        )
        return cls(engine, config)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Formgen:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- recordings -------------------------------------------------------------------

    @_guarded
    def create_recording(
        self,
        *,
        title: str,
        student: str,
        supervisor: str,
        situation: str | int,
        purpose: str,
        date: dt.date,
        institution: str | None = None,
        media: str = "both",
        livestream: bool = False,
        livestream_stored: bool = False,
        view360: bool = False,
        lang: str = "nl",
    ) -> Recording:
        return records.create_recording(
            self.engine,
            self.config,
            title=title,
            student=student,
            supervisor=supervisor,
            situation=str(situation),
            purpose=purpose,
            recorded_on=date,
            institution=institution,
            media=media,
            livestream=livestream,
            livestream_stored=livestream_stored,
            view360=view360,
            lang=lang,
        )

    def delete_by(self, date: dt.date, purpose: str) -> dt.date:
        """The deletion date a recording of this date and purpose gets (what a form shows
        while someone fills it in)."""
        try:
            return rules.delete_by(
                rules.check_new_recording_date(date, self.today()),
                rules.Purpose(purpose),
                self.config.retention,
            )
        except ValueError as exc:
            raise RecordError.of(exc) from exc

    def today(self) -> dt.date:
        """Today in the organisation's time zone (``[organisation] timezone``)."""
        return config_module.today(self.config)

    def config_warnings(self, *, demo: bool = False) -> list[str]:
        """What in the configuration needs a look (an expired procedure, no DPO contact),
        for the service to say when it starts. ``demo``: the demo fills in an example
        DPO contact, so that one is not said."""
        warnings = [
            config_module.procedure_warning(self.config),
            None if demo else config_module.missing_dpo(self.config),
        ]
        return [w for w in warnings if w]

    def retention(self) -> dict[str, tuple[int, str]]:
        """Each purpose's retention period from the configuration: (4, "weeks")."""
        return {str(p): (period.amount, period.unit) for p, period in self.config.retention.items()}

    @_guarded
    def recordings(self) -> list[Recording]:
        return records.list_recordings(self.engine)

    @_guarded
    def recording(self, recording_id: str) -> Recording:
        return records.get_recording(self.engine, recording_id)

    @_guarded
    def statuses(self, today: dt.date | None = None) -> list[ConsentStatus]:
        """The status of every recording (one may see), oldest first, in a few queries."""
        return self._statuses(self.recordings(), today)

    def _statuses(self, chosen: list[Recording], today: dt.date | None) -> list[ConsentStatus]:
        found = consent_status.statuses(self.engine, chosen, today)
        return [found[r.id] for r in chosen]

    @_guarded
    def change_recording(
        self,
        recording_id: str,
        *,
        by: str,
        purpose: str | None = None,
        extend_to: dt.date | None = None,
        out: Path | None = None,
        save: bool = True,
    ) -> Change:
        """Re-consent: a new purpose or a later deletion date ends every open consent
        (``invalidated``) and issues new declarations, rendered here (written to
        ``out`` or the default path unless ``save`` is false)."""
        if extend_to is not None:
            _checked(rules.check_recording_date, extend_to)
            _checked(rules.check_deletion_date, extend_to, self.today())
        change = lifecycle.change_recording(
            self.engine, self.config, recording_id, by=by, purpose=purpose, extend_to=extend_to
        )
        if not change.issued:
            return change
        written = declarations.write_forms(
            self.engine,
            self.config,
            change.recording.id,
            participants=[p.id for p in change.issued],
            out=self._target(out, save, f"{change.recording.id}-round{change.issued[0].round}.pdf"),
        )
        return lifecycle.Change(**{**change.__dict__, "written": written})

    @_guarded
    def edit_recording(
        self,
        recording_id: str,
        *,
        by: str,
        title: str | None = None,
        date: dt.date | None = None,
        livestream: bool | None = None,
        livestream_stored: bool | None = None,
        out: Path | None = None,
        save: bool = True,
    ) -> corrections.Edit:
        """Correct the title, date or live stream. A change the declarations do not
        cover (another date, streaming added, the stream kept) ends the open consents
        and issues new declarations, rendered here as ``change_recording`` does."""
        edit = corrections.edit_recording(
            self.engine,
            self.config,
            recording_id,
            by=by,
            title=title,
            date=date,
            livestream=livestream,
            livestream_stored=livestream_stored,
        )
        if edit.issued:
            declarations.write_forms(
                self.engine,
                self.config,
                edit.recording.id,
                participants=[p.id for p in edit.issued],
                out=self._target(out, save, f"{edit.recording.id}-round{edit.issued[0].round}.pdf"),
            )
        return edit

    # --- participants -----------------------------------------------------------------

    @_guarded
    def remove_participant(
        self, participant_id: str, *, by: str, reason: str | None = None
    ) -> dict[str, Any]:
        """A participant added by mistake: deleted while nothing came back for their
        form, otherwise the form is voided with ``reason`` and its history kept."""
        return corrections.remove_participant(self.engine, participant_id, by=by, reason=reason)

    @_guarded
    def rename_participant(self, participant_id: str, name: str, *, by: str) -> dict[str, Any]:
        """Correct the spelling of a participant's name (the form ID stays)."""
        self._printable(name)
        return corrections.rename_participant(self.engine, participant_id, name, by=by)

    @_guarded
    def add_participants(
        self,
        recording_id: str,
        names: Sequence[str | None],
        *,
        under_16: bool | Sequence[bool] = False,
        lang: str | None = None,
        emails: Sequence[str | None] | None = None,
    ) -> list[Participant]:
        """Add participants, each with a declaration form; a name of None is a blank
        form whose name is written on the paper. A name no installed font can print is
        refused here, before anything is stored. ``under_16``: for all, or one per
        name. ``emails``: each one's address for the
        invitation to answer online (or None), stored in the same transaction."""
        for name in names:
            if name is not None:
                self._printable(name)
        addresses = [
            _checked(rules.check_email, e).lower() if e and e.strip() else None
            for e in (emails or [])
        ]
        with self.engine.begin() as conn:
            added = roster.add_participants(
                conn, recording_id, list(names), under_16=under_16, lang=lang
            )
            for person, address in zip(added, addresses, strict=False):
                if address:
                    online.set_address(conn, person.id, address)
        return added

    def add_participant(
        self,
        recording_id: str,
        name: str,
        *,
        under_16: bool = False,
        lang: str | None = None,
        email: str | None = None,
    ) -> Participant:
        return self.add_participants(
            recording_id, [name], under_16=under_16, lang=lang, emails=[email]
        )[0]

    def add_blank(
        self, recording_id: str, count: int, *, under_16: bool = False, lang: str | None = None
    ) -> list[Participant]:
        if not 1 <= count <= 500:
            raise RecordError(N_("between 1 and 500 blank forms at a time"))
        return self.add_participants(recording_id, [None] * count, under_16=under_16, lang=lang)

    def _printable(self, name: str) -> None:
        from formgen.documents import render

        missing = render.unprintable(_checked(rules.check_name, name))
        if missing:
            shown = " ".join(f"U+{ord(c):04X}" for c in missing[:5])
            raise RecordError(f"the name has characters no installed font can print ({shown})")

    # --- consent ----------------------------------------------------------------------

    @_guarded
    def status(self, recording_id: str, today: dt.date | None = None) -> ConsentStatus:
        return consent_status.status(self.engine, recording_id, today)

    @_guarded
    def set_consent(
        self, form_id: str, clause: str, decision: str, *, by: str, reason: str
    ) -> dict[str, Any]:
        by_hand.set_consent(self.engine, form_id, clause, decision, by=by, reason=reason)
        form = self._form_id(form_id)
        return {"form_id": form, "clause": clause, "status": decision}

    @_guarded
    def history(self, form_id: str) -> dict[str, Any]:
        """Every event of a form, oldest first: the proof of what was decided, when,
        from which scan page or by whom."""
        found = consent_status.form_events(self.engine, form_id)
        return {"form_id": self._form_id(form_id), "events": found}

    @_guarded
    def withdraw(
        self, form_id: str, *, by: str, clause: str | None = None, reason: str | None = None
    ) -> dict[str, Any]:
        done = by_hand.withdraw(self.engine, form_id, by=by, clause=clause, reason=reason)
        return {"form_id": self._form_id(form_id), "withdrawn": done}

    @_guarded
    def close_unreturned(
        self,
        recording_id: str,
        *,
        by: str,
        participants: Sequence[str] | None = None,
        today: dt.date | None = None,
    ) -> dict[str, Any]:
        """After the return date: the forms that never came back closed as "not
        returned: no consent" (no_answer, never consent) and the unused blank forms of
        an institution discarded, so the recording can be settled. ``participants``:
        only these (participant IDs); None: every open form past its return date."""
        return by_hand.close_unreturned(
            self.engine,
            recording_id,
            by=by,
            participant_ids=None if participants is None else list(participants),
            today=today or self.today(),
        )

    @_guarded
    def confirm_institution(
        self,
        recording_id: str,
        confirmed: str,
        *,
        contact: str,
        on: dt.date,
        by: str,
        participants: Sequence[str] | None = None,
        today: dt.date | None = None,
    ) -> dict[str, Any]:
        """Situations 1 and 2: what the institution's ``contact`` confirmed ``on`` that
        day (``rules.Confirmed``: covered, not_covered, requested), for ``participants``
        (participant IDs) or, None, the whole group. The camera advice follows it; no
        form changes (``confirmations``)."""
        return confirmations.confirm(
            self.engine,
            recording_id,
            confirmed,
            contact=contact,
            on=on,
            participants=None if participants is None else list(participants),
            by=by,
            today=today or self.today(),
        )

    def _form_id(self, form_id: str) -> str:
        with self.engine.connect() as conn:
            return roster.get_form(conn, form_id).form_id

    @_guarded
    def due(self, on: dt.date | None = None, within: int = 0) -> list[dict[str, Any]]:
        """Recordings past their deletion date on ``on`` (default today), or within
        ``within`` days of it, that were not destroyed yet."""
        return records.due(self.engine, on or self.today(), within)

    @_guarded
    def destroy(self, recording_id: str, *, by: str) -> dict[str, Any]:
        return lifecycle.destroy(self.engine, recording_id, by=by, config=self.config)

    @_guarded
    def proofs_due(self, on: dt.date | None = None, within: int = 0) -> list[dict[str, Any]]:
        """Destroyed recordings whose proof retention ends on ``on`` (default today) or
        within ``within`` days of it, and whose proof was not erased yet."""
        return lifecycle.proofs_due(self.engine, self.config, on or self.today(), within)

    @_guarded
    def erase_due_proofs(self, on: dt.date | None = None) -> list[str]:
        """Erase what is personal in the record of every destroyed recording whose proof
        retention has ended (the worker does this). Returns the recordings' ids."""
        return lifecycle.erase_due_proofs(self.engine, self.config, on or self.today())

    @_guarded
    def earlier_rounds(self, recording_id: str) -> list[PersonStatus]:
        """The declarations a re-consent replaced, oldest round first, each with the
        statuses its clauses ended in (invalidated, withdrawn, ...): beside ``status``,
        which shows only each participant's current form."""
        return steps.facts(self.engine, recording_id, self.today()).earlier

    @_guarded
    def overview(self, recording_id: str, today: dt.date | None = None) -> Overview:
        """Everything a recording's page shows, from one reading of the record: the
        status, the checklist, the description (or why there is none yet) and the
        forms a re-consent replaced."""
        found = steps.facts(self.engine, recording_id, today or self.today())
        try:
            description, problem = steps.describe_of(found, self.config), None
        except RecordError as exc:
            description, problem = None, exc
        return Overview(
            found.status,
            steps.checklist_of(found, self.config),
            description,
            problem,
            found.earlier,
        )

    # --- after the recording ----------------------------------------------------------

    @_guarded
    def checklist(self, recording_id: str, today: dt.date | None = None) -> dict[str, Any]:
        return steps.checklist(self.engine, self.config, recording_id, today)

    @_guarded
    def confirm_step(self, recording_id: str, step: str, *, by: str) -> dict[str, Any]:
        return steps.confirm_step(self.engine, recording_id, step, by, config=self.config)

    @_guarded
    def undo_step(self, recording_id: str, step: str, *, by: str) -> dict[str, Any]:
        """Take back the last confirmation of a step (both stay in the log)."""
        return steps.undo_step(self.engine, recording_id, step, by, config=self.config)

    @_guarded
    def describe(self, recording_id: str, today: dt.date | None = None) -> dict[str, Any]:
        return steps.describe(self.engine, self.config, recording_id, today)

    @_guarded
    def export(self, recording_id: str) -> dict[str, Any]:
        return export.consent_record(self.engine, self.config, recording_id)

    @_guarded
    def consent_csv(self, recording_ids: Sequence[str] | None = None) -> bytes:
        """The officer's audit table (``audit.COLUMNS``): one row per form and clause of
        these recordings (default: every recording), as CSV for a spreadsheet."""
        if recording_ids is None:
            ids = [r.id for r in self.recordings()]
        else:
            ids = [self.recording(r).id for r in recording_ids]
        return audit.to_csv(audit.rows(self.engine, ids))

    @_guarded
    def copy_store(self, to: str) -> storecopy.Copied:
        """Copy the whole store into the new, empty database at URL ``to``: sealed data and
        wrapped keys as they are, so the copy opens with the same master key only."""
        return storecopy.copy(self.engine, to)

    @_guarded
    def rotate_master_key(self, new_key: Path) -> dict[str, Any]:
        """Re-wrap every key of the store under the master key in ``new_key`` (made,
        owner-only, if the file does not exist), in one transaction."""
        old = sealing.master_of(self.engine)
        new_key = new_key.absolute()
        key = sealing.make_master(new_key) if not new_key.exists() else None
        new = sealing.Master(key or sealing.read_master(new_key), new_key)
        if new.key == old.key:
            raise RecordError("the new master key is the one in use: nothing to rotate")
        with self.engine.begin() as conn:
            count = sealing.rotate(conn, old, new)
        sealing.attach(self.engine, new)
        return {"keys": count, "key_file": str(new_key)}

    # --- documents --------------------------------------------------------------------

    def _target(self, out: Path | None, save: bool, default: str) -> Path | None:
        if not save:
            return None
        return out if out is not None else self.config.output_dir / default

    @_guarded
    def forms(
        self,
        recording_id: str,
        *,
        participants: Sequence[str] | None = None,
        out: Path | None = None,
        save: bool = True,
        progress: Callable[[int], None] | None = None,
    ) -> Written:
        """One PDF with the declarations of the recording's participants (or of those
        named, by participant or form ID, in that order)."""
        rec = records.get_recording(self.engine, recording_id)
        name = declarations.declarations_name(rec.id, participants)
        return declarations.write_forms(
            self.engine,
            self.config,
            rec.id,
            participants=participants or None,
            out=self._target(out, save, name),
            progress=progress,
        )

    @_guarded
    def page_count(self, recording_id: str, participants: Sequence[str] = ()) -> int:
        """Pages ``forms`` will render, for a progress bar."""
        with self.engine.connect() as conn:
            rec = records.get_recording(conn, recording_id)
            count = len(participants) or len(roster.list_participants(conn, rec.id))
        return 2 * count

    @_guarded
    def request(
        self,
        recording_id: str,
        *,
        institution: str | None = None,
        contact: str,
        count: int,
        under_16: bool = True,
        lang: str | None = None,
        out: Path | None = None,
        save: bool = True,
        supervisor_email: str | None = None,
        return_by: dt.date | None = None,
        today: dt.date | None = None,
    ) -> Written:
        """Situations 1 and 2: the supervisor's letter to the institution with ``count``
        pre-ID'd blank declarations. ``institution`` must be the recording's own (it may
        be left out); the signed pages go to ``supervisor_email`` (default: the e-mail of
        the supervisor's account) before ``return_by`` (default: the recording date)."""
        if not 1 <= count <= 500:
            raise RecordError(N_("between 1 and 500 blank forms at a time"))
        rec = records.get_recording(self.engine, recording_id)
        # The file is named after the recording and the moment: the forms get their IDs
        # only as they are made.
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        return declarations.write_request(
            self.engine,
            self.config,
            rec.id,
            institution=institution,
            contact=contact,
            count=count,
            under_16=under_16,
            lang=lang,
            out=self._target(out, save, f"{rec.id}-request-{stamp}.pdf"),
            today=today,
            supervisor_email=supervisor_email,
            return_by=return_by,
        )

    # --- situations 1 and 2: the institution returns the forms ------------------------

    @_guarded
    def institution_requests(self, recording_id: str) -> list[returns.InstitutionRequest]:
        """The recording's requests to its institution, oldest first: the contact, the
        return date, whether the return link works and the scan jobs it brought."""
        rec = records.get_recording(self.engine, recording_id)
        return returns.requests_of(self.engine, rec.id)

    @_guarded
    def renew_return_link(
        self, recording_id: str, request_id: str, *, today: dt.date | None = None
    ) -> returns.InstitutionRequest:
        """A new return link for a request (its ``url`` is shown this once: only its hash
        is kept); the old link stops working at once."""
        rec = records.get_recording(self.engine, recording_id)
        return returns.renew(self.engine, self.config, rec.id, request_id, today or self.today())

    @_guarded
    def return_link(self, secret: str, today: dt.date | None = None) -> returns.ReturnLink:
        """What a return link opens: refused (``ReturnLinkRefused``, not found) unless it
        is a current link; ``ReturnLinkExpired`` after its return date plus 14 days."""
        return returns.open_link(self.engine, secret, today or self.today())

    @_guarded
    def return_upload(
        self,
        secret: str,
        files: Sequence[tuple[str, jobs.Upload]],
        *,
        today: dt.date | None = None,
    ) -> Job:
        """The institution's upload through a return link: a scan job of the supervisor's
        that lands only this recording's forms (the same checks and limits as any
        upload). The holder of the link learns nothing of the record."""
        return returns.submit(self.engine, secret, files, today or self.today())

    @_guarded
    def withdrawal_form(
        self, form_id: str, *, out: Path | None = None, save: bool = True
    ) -> Written:
        form = self._form_id(form_id)
        return declarations.write_withdrawal(
            self.engine, self.config, form, out=self._target(out, save, f"{form}-withdrawal.pdf")
        )

    @_guarded
    def remind(
        self,
        recording_id: str,
        *,
        by: str,
        out: Path | None = None,
        save: bool = True,
        today: dt.date | None = None,
    ) -> Written:
        """Situation 3, from the recording date on: a letter to each person who consented
        about their right to withdraw, with a withdrawal form for what they said yes to.
        Counted as done once ``reminders_sent`` records that the letters went out."""
        rec = records.get_recording(self.engine, recording_id)
        return declarations.write_reminders(
            self.engine,
            self.config,
            rec.id,
            by=by,
            out=self._target(out, save, f"{rec.id}-reminders.pdf"),
            today=today,
        )

    @_guarded
    def reminders_sent(self, recording_id: str, *, by: str) -> dict[str, Any]:
        """Record that the reminder letters made for a recording were sent or handed out:
        ``{"id", "sent": [form IDs], "at", "by"}``."""
        return declarations.record_reminders_sent(self.engine, recording_id, by=by)

    @_guarded
    def layout(self, form_id: str) -> dict[str, Any]:
        return declarations.layout(self.engine, form_id)

    @_guarded
    def sample(self, today: dt.date | None = None) -> Sample:
        """A sample recording with three participants (one under 16, one English) and
        their declarations: what a newcomer looks at first. Printed with an example DPO
        contact where the faculty has not set its own."""
        self.config = config_module.with_example_dpo(self.config)
        sample = self.create_recording(
            title="Voorbeeld: rekenles groep 5",
            student="Sam de Vries",
            supervisor="Dr. A. Jansen",
            situation=3,
            purpose="assessment",
            date=(today or dt.date.today()) + dt.timedelta(days=7),
            livestream=True,
        )
        self.add_participant(sample.id, "Noor Bakker")
        self.add_participant(sample.id, "Daan 't Hooft", under_16=True)
        self.add_participant(sample.id, "Alex Çelik", lang="en")
        return Sample(sample, self.forms(sample.id))

    # --- scans and review -------------------------------------------------------------

    @_guarded
    def import_scans(
        self,
        paths: Sequence[Path],
        *,
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
        since: dt.datetime | None = None,
    ) -> Import:
        """Read scanned PDFs or photos back into the record, form by form (spec
        section 6): every form found lands in its own transaction, with its page images;
        a page that cannot be read is reported and writes nothing. A page another import
        landed after ``since`` (default: now; the command line passes when it started)
        ran at the same time: it is reported as it landed, not as an error."""
        return self._import(paths, progress, workers, None, since=since)

    def _import(
        self,
        paths: Sequence[Path],
        progress: Callable[[int], None] | None,
        workers: int | None,
        allowed: Callable[[str], bool] | None,
        job: str | None = None,
        since: dt.datetime | None = None,
    ) -> Import:
        """``import_scans``; with ``allowed``, only forms of recordings it allows land
        (a person's view: their recordings only); ``job``: the scan job importing."""
        from formgen.scan import landing

        reports = landing.import_files(
            self.engine, list(paths), progress, workers, allowed, job, since
        )
        return Import(reports)

    @staticmethod
    def scan_page_count(paths: Sequence[Path]) -> int:
        """Pages the files hold, for a progress bar."""
        from formgen.scan import landing

        return landing.page_count(list(paths))

    @_guarded
    def review_items(self) -> list[ReviewItem]:
        return review.items(self.engine)

    @_guarded
    def review_item(self, item: str) -> ReviewDetail:
        return review.show(self.engine, item)

    @_guarded
    def review_image(self, item: str, name: str) -> bytes:
        """An image kept for a review item: ``page.jpg`` or a crop ``review_item`` names."""
        return review.image(self.engine, item, name)

    @_guarded
    def review_decisions(self, item: str) -> list[str]:
        """The decisions a reviewer chooses from for an item still waiting
        (``rules.review_decisions``): given, refused or no answer; withdrawn or given
        for a consent an unclear withdrawal form put in review."""
        with self.engine.connect() as conn:
            person, clause = review.pending(conn, item)
        history = [
            rules.Status(e["status"])
            for e in consent_status.form_events(self.engine, person.form_id)
            if e["clause"] == clause
        ]
        return [str(s) for s in rules.review_decisions(history)]

    @_guarded
    def resolve(
        self,
        item: str,
        decision: str,
        *,
        by: str,
        name: str | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """A person's decision on a review item; ``name`` types in a handwritten one;
        ``reason`` says why (rejecting an online answer)."""
        if name is not None:
            self._printable(name)
        return review.resolve(self.engine, item, decision, by=by, name=name, reason=reason)

    @_guarded
    def undoable_reviews(self, recording_id: str) -> list[str]:
        """The recording's review items whose last decision can be taken back."""
        return corrections.undoable_reviews(self.engine, recording_id)

    @_guarded
    def undo_review(self, item: str, *, by: str) -> dict[str, Any]:
        """Put ITEM back in review, taking back the last decision on it."""
        return corrections.undo_review(self.engine, item, by=by)

    # --- people (the service) ---------------------------------------------------------

    @_guarded
    def add_user(
        self,
        email: str,
        *,
        name: str,
        role: str,
        password: str | None = None,
        lang: str | None = None,
    ) -> User:
        return accounts.add_user(
            self.engine, email, name=name, role=role, password=password, lang=lang
        )

    @_guarded
    def users(self) -> list[User]:
        return accounts.list_users(self.engine)

    @_guarded
    def user(self, user_id: str) -> User:
        return accounts.get(self.engine, user_id)

    @_guarded
    def disable_user(self, email: str, disabled: bool = True) -> User:
        return accounts.set_disabled(self.engine, email, disabled)

    @_guarded
    def set_password(self, user_id: str, password: str) -> None:
        accounts.set_password(self.engine, user_id, password)

    @_guarded
    def set_lang(self, user_id: str, lang: str | None) -> None:
        accounts.set_lang(self.engine, user_id, lang)

    @_guarded
    def issue_token(self, email: str) -> str:
        """A new API token (bearer) for the account; shown once."""
        return accounts.issue_token(self.engine, email)

    @_guarded
    def api_tokens(self, user_id: str) -> list[accounts.Token]:
        """The account's API tokens (IDs and dates; the tokens themselves are not kept)."""
        return accounts.list_tokens(self.engine, user_id)

    @_guarded
    def revoke_token(self, user_id: str, token_id: str) -> None:
        accounts.revoke_token(self.engine, user_id, token_id)

    @_guarded
    def password_link(self, user_id: str) -> str:
        """A one-time secret for the account's holder to set a new password with
        (``/password/<secret>`` in the service); shown once."""
        return accounts.password_link(self.engine, user_id)

    @_guarded
    def password_link_valid(self, secret: str) -> bool:
        return accounts.password_link_valid(self.engine, secret)

    @_guarded
    def use_password_link(self, secret: str, password: str) -> User:
        return accounts.use_password_link(self.engine, secret, password)

    @_guarded
    def token_user(self, token: str) -> User | None:
        return accounts.token_user(self.engine, token)

    @_guarded
    def authenticate(self, email: str, password: str, client: str = "") -> User:
        """The account, if the password is right and sign-in is not throttled."""
        return accounts.authenticate(self.engine, email, password, client)

    @_guarded
    def institution_sign_in(self, issuer: str, claims: Mapping[str, Any]) -> User:
        """The account of someone their institution's provider vouched for (claims of a
        checked ID token): made at the first sign-in, kept up to date at each one."""
        if self.config.oidc is None:
            raise NotAllowed("sign-in with the institution is not set up")
        return institution.sign_in(self.engine, self.config.oidc, issuer, claims)

    @_guarded
    def start_session(self, user: User) -> tuple[str, Session]:
        return accounts.start_session(self.engine, user)

    @_guarded
    def session(self, secret: str) -> Session | None:
        return accounts.session(self.engine, secret)

    @_guarded
    def end_session(self, secret: str) -> None:
        accounts.end_session(self.engine, secret)

    @_guarded
    def web_secret(self) -> bytes:
        """The key the service signs its session cookies with (one per store)."""
        return accounts.web_secret(self.engine)

    @_guarded
    def setup_link(self) -> str | None:
        """While no account exists: a one-time secret to become the privacy officer."""
        return accounts.setup_link(self.engine)

    @_guarded
    def setup_valid(self, secret: str) -> bool:
        return accounts.setup_valid(self.engine, secret)

    @_guarded
    def use_setup_link(self, secret: str, *, email: str, name: str, password: str) -> User:
        return accounts.use_setup_link(
            self.engine, secret, email=email, name=name, password=password
        )

    DEMO = (
        ("student", "sam@example.org", "Sam de Vries"),
        ("supervisor", "jansen@example.org", "Dr. A. Jansen"),
        ("officer", "privacy@example.org", "P. Vermeer"),
    )

    @_guarded
    def demo(self, today: dt.date | None = None) -> list[tuple[User, str]]:
        """Demo accounts for each role, each with a new random password (returned, to
        be shown once), and a sample recording of the student's supervised by the
        supervisor, with three participants. The demo prints with an example DPO
        contact where the faculty has not set its own."""
        import secrets

        self.config = config_module.with_example_dpo(self.config)

        made = []
        for role, email, name in self.DEMO:
            password = secrets.token_urlsafe(9)
            try:
                account = accounts.by_email(self.engine, email)
                accounts.set_password(self.engine, account.id, password)
            except NotFound:
                account = self.add_user(email, name=name, role=role, password=password)
            made.append((account, password))
        student = self.as_user(made[0][0])
        if not student.recordings():
            sample = student.create_recording(
                title="Voorbeeld: rekenles groep 5",
                supervisor=made[1][0].email,
                situation=3,
                purpose="assessment",
                date=(today or dt.date.today()) + dt.timedelta(days=7),
                livestream=True,
            )
            student.add_participant(sample.id, "Noor Bakker")
            student.add_participant(sample.id, "Daan 't Hooft", under_16=True)
            student.add_participant(sample.id, "Alex Çelik", lang="en")
        return made

    # --- consent online -----------------------------------------------------------------
    # Not a person's operations: the link's secret is the authority, as the paper is.

    @property
    def online(self) -> bool:
        """Whether people can answer online: a public address and a mail server."""
        return bool(self.config.public_url and self.config.mail)

    @_guarded
    def online_form(self, token: str, today: dt.date | None = None) -> online.OnlineForm:
        """The form a QR or receipt link opens; ``online.LinkRefused`` (NotFound) for
        any link that does not, saying nothing about why."""
        with self.engine.connect() as conn:
            return online.open_form(conn, token, today or self.today())

    def _day_of(self, now: dt.datetime | None) -> dt.date:
        """The organisation's day at ``now`` (a stored UTC time; None: today)."""
        return config_module.local(self.config, now).date() if now else self.today()

    def online_page(self, form: online.OnlineForm, lang: str | None = None) -> str:
        """The declaration as the phone shows it: the paper's words (same template and
        catalogues) with a yes/no choice per clause, or the choices still open."""
        from formgen.online import webform

        return webform.page_html(self._online_spec(form, lang), self.config, form.mode)

    def _online_spec(
        self, form: online.OnlineForm, lang: str | None, extra: dict[str, Any] | None = None
    ) -> Any:
        person = form.person
        if lang in records.LANGS and lang != person.lang:
            person = dataclasses.replace(person, lang=lang)
        return declarations.declaration_spec(
            form.recording,
            person,
            self.config,
            # No "scan the QR code" on the page the QR code opened.
            extra={
                "statuses": {k: str(v) for k, v in form.statuses.items()},
                "online_url": None,
                **(extra or {}),
            },
        )

    @staticmethod
    def text_hash(page: str) -> str:
        return hashlib.sha256(page.encode()).hexdigest()

    @_guarded
    def online_answer(
        self,
        token: str,
        *,
        answers: dict[str, str],
        name: str,
        email: str,
        relation: str | None = None,
        other_email: str | None = None,
        child: str | None = None,
        child_agrees: str | None = None,
        lang: str | None = None,
        authority: bool = False,
        browser: str | None = None,
        now: dt.datetime | None = None,
    ) -> online.Pending:
        """Keep the answers and send a one-time code to ``email``; nothing is recorded
        until ``online_confirm``. The returned value does not carry the code."""
        from formgen import mail

        day = self._day_of(now)
        form = self.online_form(token, day)
        for typed in (name, child, child_agrees):  # they are printed on the receipt
            if typed and typed.strip():
                self._printable(typed)
        shown = lang if lang in records.LANGS else form.person.lang
        pending = online.start(
            self.engine,
            token,
            answers=answers,
            name=name,
            email=email,
            relation=relation,
            other_email=other_email,
            child=child,
            child_agrees=child_agrees,
            lang=shown,
            # The page as shown, kept beside its hash: after an upgrade changed the
            # wording, the proof still shows what this person read.
            text_hash=self.text_hash(page := self.online_page(form, shown)),
            text_html=page,
            authority=authority,
            browser=browser,
            own_domains=self.config.org.mail_domains,
            now=now,
            today=day,
        )
        if pending.landed is not None:  # a no to everything by name only: no code, no receipt
            self._tell_student(pending.landed)
            return pending
        pieces = mail.words(shown)
        letter = mail.Letter(
            pending.email,
            pieces["code_subject"].format(form=pending.form_id),  # never the code itself
            pieces["code_text"].format(
                code=pending.code,
                form=pending.form_id,
                organisation=render.org_view(self.config.org, shown).local_name,
                title=form.recording.title,
                student=form.recording.student,
            ),
        )
        try:
            mail.send(self.config.mail, [letter])
        except mail.MailError:
            online.forget(self.engine, pending.id)
            raise
        return dataclasses.replace(pending, code="")

    @_guarded
    def online_answers(self, recording_id: str) -> list[dict[str, Any]]:
        """The confirmed online answers of a recording's forms (every round): who
        answered, the address that confirmed it, when, any flag, and whether the text
        they saw is kept (``online_text``)."""
        with self.engine.connect() as conn:
            rec = records.get_recording(conn, recording_id)
            people = roster.list_participants(conn, rec.id, every_round=True)
            return online.confirmed_answers(conn, [p.form_id for p in people])

    @_guarded
    def online_text(self, recording_id: str, answer_id: str) -> tuple[str, bool]:
        """The page (HTML) the person who gave this online answer saw, and whether it
        matches the hash recorded with the answer."""
        with self.engine.connect() as conn:
            rec = records.get_recording(conn, recording_id)
            people = roster.list_participants(conn, rec.id, every_round=True)
            return online.kept_text(conn, [p.form_id for p in people], str(answer_id)[:16])

    @_guarded
    def online_confirm(
        self, token: str, answer_id: str, code: str, *, now: dt.datetime | None = None
    ) -> online.Confirmed:
        """Record the answers the code confirms, then send the receipt (the filled-in
        form as PDF and a link to withdraw) and, if given, the other parent's link. The
        answers stand even if that mail fails: the record is what counts."""
        from formgen import mail

        done = online.confirm(self.engine, token, answer_id, code, now=now, today=self._day_of(now))
        try:
            mail.send(self.config.mail, self._receipt_letters(token, done))
        except FormgenError as exc:
            # The mail server's words name only the server; any other message may quote
            # a name, so only its kind is logged.
            why = exc if isinstance(exc, mail.MailError) else type(exc).__name__
            log.warning("receipt for an online answer not sent: %s", why)
            return done
        return dataclasses.replace(done, receipt_sent=True)

    def receipt(self, token: str, done: online.Confirmed) -> bytes:
        """The filled-in declaration of a confirmed answer, as PDF."""
        at = config_module.local(self.config, done.at)  # the organisation's clock
        form = self.online_form(token, at.date())
        confirmed = render.long_date(at.date(), done.lang) + f", {at:%H:%M}"
        spec = self._online_spec(
            form,
            done.lang,
            {
                "online": {
                    "answers": done.answers,
                    "signer": done.name,
                    "relation": done.relation,
                    "child_agrees": done.child_agrees,
                    "email": done.email,
                    "confirmed": confirmed,
                }
            },
        )
        return render.render_receipt(spec, self.config)

    def _receipt_letters(self, token: str, done: online.Confirmed) -> list[mail.Letter]:
        from formgen import mail

        pieces = mail.words(done.lang)
        with self.engine.begin() as conn:
            person = roster.get_form(conn, done.form_id)
            recording = records.get_recording(conn, person.recording_id)
            person_name = person.name
            link = online.new_link(conn, self.config, done.form_id)
            other = online.new_link(conn, self.config, done.form_id) if done.other_email else None
        summary = "\n".join(
            f"- {pieces.get('clause_' + clause, clause)}: {pieces[answer]}"
            for clause, answer in done.answers.items()
        )
        local = config_module.local(self.config, done.at)  # the organisation's clock
        at = f"{render.long_date(local.date(), done.lang)} {local:%H:%M}"
        if str(rules.Status.REVIEW) in done.changed.values():  # flagged: a person checks it
            summary += "\n\n" + pieces["receipt_checked"]
        if done.kind is online.Kind.ANSWER:
            letters = [
                mail.Letter(
                    done.email,
                    pieces["receipt_subject"].format(form=done.form_id),
                    pieces["receipt_text"].format(
                        form=done.form_id,
                        at=at,
                        summary=summary,
                        link=link,
                        about=pieces["receipt_about"].format(
                            title=recording.title,
                            student=recording.student,
                            date=render.long_date(recording.recorded_on, done.lang),
                            purpose=pieces[f"purpose_{recording.plan.purpose}"],
                            delete_by=render.long_date(recording.delete_by, done.lang),
                        ),
                    ),
                    [(f"{done.form_id}-receipt.pdf", self.receipt(token, done))],
                )
            ]
        else:
            letters = [
                mail.Letter(
                    done.email,
                    pieces["withdrawn_subject"].format(form=done.form_id),
                    pieces["withdrawn_text"].format(
                        form=done.form_id,
                        at=at,
                        summary=summary,
                        link=link,
                        student=recording.student,
                        delete_by=render.long_date(recording.delete_by, done.lang),
                    ),
                )
            ]
        letters += self._student_letters(recording, person, done)
        if done.other_email and other:
            letters.append(
                mail.Letter(
                    done.other_email,
                    pieces["other_subject"].format(form=done.form_id),
                    pieces["other_text"].format(
                        form=done.form_id,
                        link=other,
                        organisation=render.org_view(self.config.org, done.lang).local_name,
                        title=recording.title,
                        date=render.long_date(recording.recorded_on, done.lang),
                        child=person_name or pieces["your_child"],
                        summary=summary,
                        privacy=self.config.org.privacy_email,
                    ),
                )
            )
        return letters

    def _tell_student(self, done: online.Confirmed) -> None:
        """The student's e-mail for an answer that came without a receipt to send."""
        from formgen import mail

        with self.engine.connect() as conn:
            person = roster.get_form(conn, done.form_id)
            recording = records.get_recording(conn, person.recording_id)
        letters = self._student_letters(recording, person, done)
        if not letters or self.config.mail is None:
            return
        try:
            mail.send(self.config.mail, letters)
        except FormgenError as exc:  # the answer stands: the record is what counts
            why = exc if isinstance(exc, mail.MailError) else type(exc).__name__
            log.warning("the student's e-mail about an online answer not sent: %s", why)

    def _student_letters(
        self, recording: Recording, person: roster.Participant, done: online.Confirmed
    ) -> list[mail.Letter]:
        """A withdrawal or a "no" given online changes what the student may film: they
        hear of it at once, by e-mail to their account (if the recording has one)."""
        from formgen import mail

        said_no = [c for c, answer in done.answers.items() if answer == "no"]
        if done.kind is not online.Kind.WITHDRAWAL and not said_no:
            return []
        owner, _ = records.people_of(self.engine, recording.id)
        if owner is None:
            return []
        student = accounts.get(self.engine, owner)
        lang = student.lang or recording.lang
        pieces = mail.words(lang)
        if done.kind is online.Kind.WITHDRAWAL:
            what = pieces["student_withdrew"]
        else:
            what = pieces["student_said_no"].format(
                clauses=", ".join(pieces.get("clause_" + c, c) for c in said_no)
            )
        page = f"{(self.config.public_url or '').rstrip('/')}/recordings/{recording.id}"
        return [
            mail.Letter(
                student.email,
                pieces["student_subject"].format(title=recording.title),
                pieces["student_text"].format(
                    who=person.name or pieces["student_someone"],
                    form=done.form_id,
                    what=what,
                    title=recording.title,
                    id=recording.id,
                    link=page,
                ),
            )
        ]

    @_guarded
    def set_email(self, participant_id: str, email: str | None) -> None:
        """A participant's e-mail address for the invitation to answer online (None or
        empty: forget it). Kept in the store only; destroyed with the recording."""
        try:
            address = rules.check_email(email).lower() if email and email.strip() else None
        except ValueError as exc:
            raise RecordError.of(exc) from exc
        with self.engine.begin() as conn:
            person = roster.get_participant(conn, participant_id)
            records.refuse_if_destroyed(conn, records.get_recording(conn, person.recording_id))
            online.set_address(conn, person.id, address)

    @_guarded
    def emails(self, recording_id: str) -> dict[str, str]:
        """The participants' e-mail addresses, by participant ID."""
        with self.engine.connect() as conn:
            rec = records.get_recording(conn, recording_id)
            people = roster.list_participants(conn, rec.id)
            return online.addresses(conn, [p.id for p in people])

    @_guarded
    def invite(
        self, recording_id: str, *, by: str, reminder: bool = False, today: dt.date | None = None
    ) -> dict[str, Any]:
        """Situation 3: e-mail each participant with an address a link to answer online,
        with page 1 of their declaration as text; a reminder goes only to those who have
        not answered. Sent only when a person asks (this call). ``{"id", "sent": [form
        IDs], "without_address": n}``."""
        from formgen import mail
        from formgen.online import webform

        day = today or self.today()
        try:
            by = rules.check_name(by, "the author's name")
        except ValueError as exc:
            raise RecordError.of(exc) from exc
        with self.engine.begin() as conn:
            rec = records.get_recording(conn, recording_id)
            records.refuse_if_destroyed(conn, rec)
            if not rules.may_invite(rec.situation):
                raise RecordError(
                    N_(
                        "recording {id} is in situation {n}: the institution asks its people"
                        " for consent; the student sends no invitations or reminders"
                    ),
                    id=rec.id,
                    n=rec.situation,
                )
            if not self.config.public_url:
                raise RecordError(N_("online answers need public_url in the configuration"))
            if self.config.mail is None:
                raise RecordError(N_("formgen cannot send e-mail: [mail] is not configured"))
            people = roster.list_participants(conn, rec.id)
            address = online.addresses(conn, [p.id for p in people])
            states = ledger.form_states(conn, [p.form_id for p in people])
            reminded = records.reminded_online(conn, rec.id) if reminder else set()
            chosen = [  # a reminder: once, and only to who has not answered yet
                p
                for p in people
                if p.id in address
                and (
                    not reminder
                    or (
                        rules.online_mode(states[p.form_id].clauses) is rules.OnlineMode.ANSWER
                        and p.form_id not in reminded
                    )
                )
            ]
            if not all(rules.may_ask_consent(rec.recorded_on, day, p.round) for p in chosen):
                raise RecordError(rules.too_late(rec.id, rec.recorded_on))
            links = {p.form_id: online.new_link(conn, self.config, p.form_id) for p in chosen}
        letters = []
        for p in chosen:
            pieces = mail.words(p.lang)
            spec = declarations.declaration_spec(rec, p, self.config, today=day)
            letters.append(
                mail.Letter(
                    address[p.id],
                    pieces["reminder_subject" if reminder else "invite_subject"].format(
                        title=rec.title
                    ),
                    pieces["reminder_text" if reminder else "invite_text"].format(
                        student=rec.student,
                        link=links[p.form_id],
                        page=webform.first_page_text(spec, self.config),
                    ),
                )
            )
        if letters:
            mail.send(self.config.mail, letters)
        with self.engine.begin() as conn:  # what went out, by form ID: no addresses
            records.log_event(
                conn,
                rec.id,
                records.INVITED,
                source=f"manual:{by}",
                detail={"forms": [p.form_id for p in chosen], "reminder": reminder},
            )
        return {
            "id": rec.id,
            "sent": [p.form_id for p in chosen],
            "without_address": sum(p.id not in address for p in people),
        }

    def as_user(self, user: User) -> PersonalFormgen:
        """The same library as one person may use it (docs/contract.md): recordings they
        may not see answer NotFound, exactly like ones that do not exist; what their
        role may not do is refused; their changes name them as the author."""
        return PersonalFormgen(self.engine, self.config, user)

    # --- scan jobs --------------------------------------------------------------------

    @_guarded
    def job(self, job_id: str) -> Job:
        return jobs.get(self.engine, job_id)

    @_guarded
    def work(self, *, once: bool = False, poll: float = 1.0, stop: Any = None) -> int:
        """Claim and run scan jobs until ``stop`` (a threading.Event) is set, or, with
        ``once``, until none is waiting. Each job imports as the person who uploaded
        it. Returns the number of jobs run. Between jobs, once an hour (and when it
        starts), it erases the proofs whose retention has ended."""
        import threading
        import time

        stop = stop or threading.Event()
        name = jobs.worker_name()
        jobs.sweep_temp()
        done = 0
        swept: float | None = None
        while not stop.is_set():
            if swept is None or time.monotonic() - swept >= PROOF_SWEEP_SECONDS:
                self._sweep_proofs()
                swept = time.monotonic()
            job = jobs.claim(self.engine, name)
            if job is None:
                if once:
                    break
                stop.wait(poll)
                continue
            person = self.as_user(accounts.get(self.engine, job.user_id))
            # Through a return link: only the forms of the recording it was made for.
            only = returns.recording_of_job(self.engine, job.id)

            def run(paths: list[Path], progress: Callable[[int], None]) -> list[Any]:
                def allowed(recording_id: str) -> bool:
                    if only is not None and recording_id != only:  # noqa: B023
                        return False
                    return person.may(Act.CHANGE, recording_id)  # noqa: B023

                return self._import(paths, progress, None, allowed, job.id).pages  # noqa: B023

            try:
                jobs.run(self.engine, job, run)
            except Exception as exc:  # recorded in the job as failed; the worker goes on
                logging.getLogger("formgen.worker").warning(
                    "job %s failed: %s", job.id, type(exc).__name__
                )
            done += 1
        return done

    def _sweep_proofs(self) -> None:
        log = logging.getLogger("formgen.worker")
        try:
            erased = self.erase_due_proofs()
        except Exception as exc:  # tried again at the next sweep; the worker goes on
            log.warning("erasing proofs failed: %s", type(exc).__name__)
            return
        if erased:  # ids only: nothing personal in the log
            log.info("proof retention ended: erased %s", ", ".join(erased))


# --- one person's view ------------------------------------------------------------------
# A signed-in person's calls go through ACCESS: every public method of Formgen has the
# rule that guards it there, and a method without one is refused. So a method added to
# Formgen later is closed to people until someone decides who may call it
# (tests/test_people_and_jobs.py checks that the table names exactly Formgen's methods).

Guard = Callable[["PersonalFormgen", Callable[..., Any], tuple[Any, ...], dict[str, Any]], Any]


def _bound(method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    import inspect

    return inspect.signature(method).bind(*args, **kwargs)


def _about(kind: str, act: Act) -> Guard:
    """The first argument names a recording, form, review item or participant: the
    person must be allowed ``act`` on its recording. Changes are in the person's name,
    whatever ``by`` a caller passes."""

    def guard(
        pf: PersonalFormgen, method: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
    ) -> Any:
        import inspect

        params = inspect.signature(method).parameters
        if "by" in params:
            kw = {**kw, "by": pf._by()}
        bound = _bound(method, args, kw)
        first = next(iter(params))
        bound.arguments[first] = getattr(pf, f"_{kind}")(act, bound.arguments[first])
        return method(*bound.args, **bound.kwargs)

    return guard


def _recording(act: Act) -> Guard:
    return _about("check", act)


def _form(act: Act) -> Guard:
    return _about("form", act)


def _item() -> Guard:
    return _about("item", Act.REVIEW)


def _participant(act: Act) -> Guard:
    return _about("participant", act)


def _role(allowed: Callable[[Role], bool], what: str) -> Guard:
    """Not about one recording: what the person's role may do at all."""

    def guard(
        pf: PersonalFormgen, method: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
    ) -> Any:
        pf._only(allowed(pf.person.role), what)
        return method(*args, **kw)

    return guard


def _own_account(what: str, officer: bool = False) -> Guard:
    """The first argument is an account's ID: the person's own (or, with ``officer``,
    any for a role that keeps the users)."""

    def guard(
        pf: PersonalFormgen, method: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
    ) -> Any:
        bound = _bound(method, args, kw)
        user_id = bound.arguments[next(iter(bound.arguments))]
        if user_id != pf.person.id:
            pf._only(officer and rules.may_manage_users(pf.person.role), what)
        return method(*args, **kw)

    return guard


def _public(
    pf: PersonalFormgen, method: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
) -> Any:
    """For anyone: configuration, or the online form, where the link's secret is the
    authority (as the paper is), not who is signed in."""
    return method(*args, **kw)


def _refused(what: str) -> Guard:
    """The command line's or the service's own work, never a signed-in person's."""

    def guard(
        pf: PersonalFormgen, method: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
    ) -> Any:
        pf._only(False, what)

    return guard


def _custom(handler: Callable[..., Any]) -> Guard:
    """Checks that do not fit one recording: ``handler(pf, *args, **kw)`` does them."""

    def guard(
        pf: PersonalFormgen, method: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any]
    ) -> Any:
        return handler(pf, *args, **kw)

    return guard


def _create_recording(
    pf: PersonalFormgen, *, supervisor: str | None = None, **values: Any
) -> Recording:
    """A recording of the signed-in student; ``supervisor`` is the supervisor's account
    e-mail (their name goes on the forms)."""
    pf._only(rules.may_create_recordings(pf.person.role), N_("create recordings"))
    guide: User | None = None
    awaited: str | None = None
    if supervisor:
        try:
            guide = accounts.by_email(pf.engine, supervisor)
        except NotFound:
            guide = None
        if guide is None and pf.config.oidc is not None:
            # Signing in with the institution, a supervisor has an account only after
            # their first sign-in: they are linked then (institution.py).
            awaited = accounts.check_email(supervisor)
        elif guide is None or guide.role is not Role.SUPERVISOR or guide.disabled:
            raise RecordError(N_("{who} is not the e-mail address of a supervisor"), who=supervisor)
    made = records.create_recording(
        pf.engine,
        pf.config,
        title=values["title"],
        student=pf.person.name,
        supervisor=guide.name if guide else awaited or values.get("supervisor_name") or "-",
        situation=str(values["situation"]),
        purpose=values["purpose"],
        recorded_on=values["date"],
        institution=values.get("institution"),
        media=values.get("media", "both"),
        livestream=values.get("livestream", False),
        livestream_stored=values.get("livestream_stored", False),
        view360=values.get("view360", False),
        lang=values.get("lang", pf.person.lang or "nl"),
        owner_id=pf.person.id,
        supervisor_id=guide.id if guide else None,
    )
    if awaited:
        institution.await_supervisor(pf.engine, made.id, awaited)
    return made


def _recordings(pf: PersonalFormgen) -> list[Recording]:
    for rec_id, (owner, supervisor) in records.people_of_all(pf.engine).items():
        pf._relations.setdefault(
            rec_id, Relation(pf.person.role, owner == pf.person.id, supervisor == pf.person.id)
        )
    return [r for r in pf._lib.recordings() if pf.may(Act.SEE, r.id)]


def _statuses(pf: PersonalFormgen, today: dt.date | None = None) -> list[ConsentStatus]:
    return pf._lib._statuses(_recordings(pf), today)


def _due(pf: PersonalFormgen, on: dt.date | None = None, within: int = 0) -> list[dict[str, Any]]:
    pf._only(rules.may_list_due(pf.person.role), N_("see the due list"))
    return [r for r in pf._lib.due(on, within) if pf.may(Act.SEE, r["id"])]


def _proofs_due(
    pf: PersonalFormgen, on: dt.date | None = None, within: int = 0
) -> list[dict[str, Any]]:
    pf._only(rules.may_list_due(pf.person.role), "see the due list")
    return [r for r in pf._lib.proofs_due(on, within) if pf.may(Act.SEE, r["id"])]


def _consent_csv(pf: PersonalFormgen, recording_ids: Sequence[str] | None = None) -> bytes:
    if recording_ids is None:
        # Every recording: only for a role that exports whatever it is to them.
        pf._only(rules.may(Act.EXPORT, Relation(pf.person.role, False, False)), "export")
        recording_ids = [r.id for r in _recordings(pf) if pf.may(Act.EXPORT, r.id)]
    return pf._lib.consent_csv([pf._check(Act.EXPORT, r) for r in recording_ids])


def _review_items(pf: PersonalFormgen) -> list[ReviewItem]:
    return [i for i in pf._lib.review_items() if pf.may(Act.REVIEW, i.recording_id)]


def _import_scans(
    pf: PersonalFormgen,
    paths: Sequence[Path],
    *,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    since: dt.datetime | None = None,
) -> Import:
    """Only forms of recordings the person may change land; any other is reported
    exactly like a form that is not in the record."""
    allowed = lambda rec: pf.may(Act.CHANGE, rec)  # noqa: E731
    return pf._lib._import(paths, progress, workers, allowed, since=since)


def _job(pf: PersonalFormgen, job_id: str) -> Job:
    return jobs.get(pf.engine, job_id, pf.person.id)  # another's job is not found


def _disable_user(pf: PersonalFormgen, email: str, disabled: bool = True) -> User:
    pf._only(rules.may_manage_users(pf.person.role), N_("disable users"))
    if email.strip().lower() == pf.person.email:
        raise Conflict(N_("you cannot disable your own account"))
    return pf._lib.disable_user(email, disabled)


def _issue_token(pf: PersonalFormgen, email: str) -> str:
    if email.strip().lower() != pf.person.email:
        pf._only(rules.may_manage_users(pf.person.role), N_("issue tokens for others"))
    return pf._lib.issue_token(email)


_SEE, _CHANGE = Act.SEE, Act.CHANGE
_SERVICE = N_("sign in for someone else")  # the service's sign-in, sessions and set-up

ACCESS: dict[str, Guard] = {
    # recordings
    "create_recording": _custom(_create_recording),
    "recordings": _custom(_recordings),
    "statuses": _custom(_statuses),
    "recording": _recording(_SEE),
    "status": _recording(_SEE),
    "overview": _recording(_SEE),
    "earlier_rounds": _recording(_SEE),
    "checklist": _recording(_SEE),
    "describe": _recording(_SEE),
    "change_recording": _recording(_CHANGE),
    "edit_recording": _recording(_CHANGE),
    "undo_step": _recording(_CHANGE),
    "confirm_step": _recording(_CHANGE),
    "destroy": _recording(Act.DESTROY),
    "export": _recording(Act.EXPORT),
    "consent_csv": _custom(_consent_csv),
    "due": _custom(_due),
    "proofs_due": _custom(_proofs_due),
    "erase_due_proofs": _refused("erase proofs: the worker does that"),
    "delete_by": _public,
    "retention": _public,
    # participants and consent
    "add_participants": _recording(_CHANGE),
    "add_participant": _recording(_CHANGE),
    "add_blank": _recording(_CHANGE),
    "set_email": _participant(_CHANGE),
    "remove_participant": _participant(_CHANGE),
    "rename_participant": _participant(_CHANGE),
    "emails": _recording(_CHANGE),
    "invite": _recording(_CHANGE),
    "set_consent": _form(_CHANGE),
    "withdraw": _form(_CHANGE),
    "close_unreturned": _recording(_CHANGE),
    "confirm_institution": _recording(_CHANGE),
    "history": _form(_SEE),
    # documents
    "forms": _recording(_SEE),
    "page_count": _recording(_SEE),
    "request": _recording(Act.REQUEST),
    "remind": _recording(_CHANGE),
    "reminders_sent": _recording(_CHANGE),
    "withdrawal_form": _form(_SEE),
    # situations 1 and 2: the supervisor's requests and their return links
    "institution_requests": _recording(Act.REQUEST),
    "renew_return_link": _recording(Act.REQUEST),
    "layout": _form(_SEE),
    # scans and review
    "import_scans": _custom(_import_scans),
    "scan_page_count": _public,
    "job": _custom(_job),
    "review_items": _custom(_review_items),
    "review_item": _item(),
    "review_image": _item(),
    "review_decisions": _item(),
    "resolve": _item(),
    "undo_review": _item(),
    "undoable_reviews": _recording(_SEE),
    # people
    "users": _role(rules.may_manage_users, N_("see the users")),
    "add_user": _role(rules.may_manage_users, N_("add users")),
    "disable_user": _custom(_disable_user),
    "issue_token": _custom(_issue_token),
    "user": _own_account(N_("see other accounts"), officer=True),
    "set_password": _own_account(N_("change other accounts")),
    "set_lang": _own_account(N_("change other accounts")),
    "api_tokens": _own_account(N_("see other accounts"), officer=True),
    "revoke_token": _own_account(N_("change other accounts"), officer=True),
    "password_link": _role(rules.may_manage_users, N_("reset passwords")),
    # consent online: the link's secret is the authority
    "online": _public,
    "online_form": _public,
    "online_page": _public,
    "online_answer": _public,
    "online_confirm": _public,
    "receipt": _public,
    "text_hash": _public,
    # a return link: its secret is the authority, and it only takes an upload
    "return_link": _public,
    "return_upload": _public,
    # what an online answer proves: for who checks consent, not the student
    "online_answers": _recording(Act.REVIEW),
    "online_text": _recording(Act.REVIEW),
    # the organisation's clock and configuration: nothing of any record
    "today": _public,
    "config_warnings": _public,
    # the service's and the command line's own work
    "authenticate": _refused(_SERVICE),
    "start_session": _refused(_SERVICE),
    "institution_sign_in": _refused(_SERVICE),
    "session": _refused(_SERVICE),
    "end_session": _refused(_SERVICE),
    "token_user": _refused(_SERVICE),
    "web_secret": _refused(_SERVICE),
    "setup_link": _refused(_SERVICE),
    "setup_valid": _refused(_SERVICE),
    "use_setup_link": _refused(_SERVICE),
    "password_link_valid": _refused(_SERVICE),
    "use_password_link": _refused(_SERVICE),
    "as_user": _refused(_SERVICE),
    "demo": _refused(N_("make demo accounts")),
    "sample": _refused(N_("make the sample")),
    "copy_store": _refused(N_("copy the store")),
    "rotate_master_key": _refused(N_("change the master key")),
    "work": _refused(N_("run scan jobs")),
    "open": _refused(N_("open a store")),
    "close": _refused(N_("close the store")),
}


def public_methods() -> set[str]:
    """Formgen's public methods and properties: what ACCESS must cover."""
    import inspect

    return {
        name
        for name in dir(Formgen)
        if not name.startswith("_")
        and isinstance(
            inspect.getattr_static(Formgen, name),
            (Callable, classmethod, staticmethod, property),  # type: ignore[arg-type]
        )
    }


class PersonalFormgen:
    """``Formgen`` as one signed-in person uses it: each call goes through its rule in
    ``ACCESS`` (``rules.may`` for the recording it concerns, or the person's role), and
    a method without a rule is refused."""

    def __init__(self, engine: Engine, config: Config, user: User) -> None:
        self._lib = Formgen(engine, config)
        self.person = user
        self._relations: dict[str, Relation] = {}

    @property
    def engine(self) -> Engine:
        return self._lib.engine

    @property
    def config(self) -> Config:
        return self._lib.config

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not hasattr(Formgen, name):
            raise AttributeError(name)
        guard = ACCESS.get(name)
        if guard is None:
            raise NotAllowed(
                N_("your role ({role}) may not {only}"),
                role=Word(self.person.role),
                only=Word(name.replace("_", " ")),
            )
        if guard is _public:  # a value (``online``) or a method, as the library has it
            return getattr(self._lib, name)
        method = getattr(self._lib, name)

        @functools.wraps(method)
        def call(*args: Any, **kw: Any) -> Any:
            try:
                return guard(self, method, args, kw)
            except SQLAlchemyError as exc:  # a relation lookup, like any other read
                raise store.explain(exc) from None

        return call

    # Who may do what: the rule is rules.may; these only look up the relation.

    def relation(self, recording_id: str) -> Relation:
        # Looked up once per recording: a page asks several times, and who a recording
        # belongs to does not change while one person's request runs.
        known = self._relations.get(recording_id)
        if known is None:
            owner, supervisor = records.people_of(self.engine, recording_id)
            known = Relation(
                self.person.role, owner == self.person.id, supervisor == self.person.id
            )
            self._relations[recording_id] = known
        return known

    @_guarded
    def may(self, act: Act, recording_id: str) -> bool:
        return rules.may(act, self.relation(recording_id))

    def _check(self, act: Act, recording_id: str) -> str:
        """The recording's canonical ID, if the person may do ``act`` to it. One they
        may not see is not found; one they see but may not change is a refusal."""
        rec = records.get_recording(self.engine, recording_id).id
        who = self.relation(rec)
        if not rules.may(Act.SEE, who):
            raise NotFound(f"no recording {recording_id!r}")
        if not rules.may(act, who):
            raise NotAllowed(
                N_("your role ({role}) may not {act} recording {id}"),
                role=Word(self.person.role),
                act=Word(act),
                id=rec,
            )
        return rec

    def _form(self, act: Act, form_id: str) -> str:
        with self.engine.connect() as conn:
            form = roster.get_form(conn, form_id)
        try:
            self._check(act, form.recording_id)
        except NotFound:
            raise NotFound(f"no form {form.form_id} in this record") from None
        return form.form_id

    def _item(self, act: Act, item: str) -> str:
        form_id = item.partition(":")[0]
        try:
            with self.engine.connect() as conn:
                recording_id = roster.get_form(conn, form_id).recording_id
            self._check(act, recording_id)
        except NotFound:
            raise NotFound(f"no review item {item!r}") from None
        return item

    def _participant(self, act: Act, participant_id: str) -> str:
        with self.engine.connect() as conn:
            person = roster.get_participant(conn, participant_id)
        self._check(act, person.recording_id)
        return participant_id

    def _only(self, allowed: bool, what: str) -> None:
        if not allowed:
            raise NotAllowed(
                N_("your role ({role}) may not {only}"),
                role=Word(self.person.role),
                only=Word(what),
            )

    def _by(self) -> str:
        """The author of every change: the signed-in person, whatever a caller passes."""
        return self.person.name

    # --- the person's own

    @_guarded
    def submit_scans(self, files: Sequence[tuple[str, jobs.Upload]]) -> Job:
        """Store an upload as a scan job of this person's; a worker imports it."""
        return jobs.submit(self.engine, self.person.id, files)
