"""The library's one public object: ``Formgen``, over a store and a configuration.

Everything the CLI and the service do goes through here (docs/contract.md). A method
opens a transaction and calls the part that knows; results are typed values whose
``as_dict()`` is the contract's JSON; refusals are ``FormgenError``s. A fault of the
database becomes a ``StoreError`` of one line, never SQL or a participant's name.
"""

from __future__ import annotations

import datetime as dt
import functools
import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from formgen import config as config_module
from formgen import rules
from formgen.config import Config
from formgen.errors import NotAllowed, RecordError, checked
from formgen.lazy import Submodule
from formgen.record import sealing, store
from formgen.words import N_

__all__ = ["Formgen", "NotAllowed"]

if TYPE_CHECKING:
    from formgen.access import PersonalFormgen
    from formgen.aftercare.lifecycle import Change
    from formgen.aftercare.review import ReviewDetail, ReviewItem
    from formgen.documents.declarations import Written
    from formgen.online.answers import OnlineAnswer
    from formgen.record.accounts import Session, User
    from formgen.record.consent_status import ConsentStatus, PersonStatus
    from formgen.record.jobs import Job
    from formgen.record.records import Recording
    from formgen.record.roster import Participant
    from formgen.scan.landing import Import
    from formgen.values import LetterRequest, NewRecording, Overview, Sample


# Imported at first use: opening the store and reading scans need none of these parts.
access: Any = Submodule("formgen.access")
accounts: Any = Submodule("formgen.record.accounts")
by_hand: Any = Submodule("formgen.record.by_hand")
confirmations: Any = Submodule("formgen.record.confirmations")
consent_status: Any = Submodule("formgen.record.consent_status")
jobs: Any = Submodule("formgen.record.jobs")
records: Any = Submodule("formgen.record.records")
roster: Any = Submodule("formgen.record.roster")
steps: Any = Submodule("formgen.aftercare.steps")
audit: Any = Submodule("formgen.documents.audit")
corrections: Any = Submodule("formgen.aftercare.corrections")
declarations: Any = Submodule("formgen.documents.declarations")
export: Any = Submodule("formgen.documents.export")
institution: Any = Submodule("formgen.record.institution")
landing: Any = Submodule("formgen.scan.landing")
lifecycle: Any = Submodule("formgen.aftercare.lifecycle")
online: Any = Submodule("formgen.online.answers")
online_page: Any = Submodule("formgen.online.page")
answering: Any = Submodule("formgen.online.answering")
invitations: Any = Submodule("formgen.online.invitations")
receipts: Any = Submodule("formgen.online.receipts")
returns: Any = Submodule("formgen.aftercare.returns")
review: Any = Submodule("formgen.aftercare.review")
storecopy: Any = Submodule("formgen.record.storecopy")
values: Any = Submodule("formgen.values")  # and their dataclasses: a scan import needs none


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


def _every_method_guarded(cls: type[T]) -> type[T]:
    """Each public method a ``_guarded`` one: no method lets SQL reach a person."""
    for name, value in list(vars(cls).items()):
        if not name.startswith("_") and inspect.isfunction(value):
            setattr(cls, name, _guarded(value))
    return cls


@_every_method_guarded
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
        pooled: bool = True,
    ) -> Formgen:
        """``make_key``: make the master key beside the store if there is none yet (the
        demo and the sample only; anywhere else a missing key is an error). On PostgreSQL
        the library keeps its connections until :meth:`close`; ``pooled=False`` opens one
        per transaction and keeps none (for a program that cannot close the library)."""
        loaded = config if isinstance(config, Config) else config_module.load(config)
        config = config_module.absolute(loaded)
        url = None if db is None else str(db)
        engine = store.open_store(url, key_file=config.key_file, make_key=make_key, pooled=pooled)
        return cls(engine, config)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Formgen:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- recordings -------------------------------------------------------------------

    def create_recording(self, new: NewRecording | None = None, /, **fields: Any) -> Recording:
        """Register a recording: a ``NewRecording``, or its fields as keywords (``title``,
        ``student``, ``supervisor``, ``situation``, ``purpose``, ``date``, ...)."""
        new = new or values.NewRecording(**fields)
        return records.create_recording(self.engine, self.config, **new.stored())

    def delete_by(self, date: dt.date, purpose: str) -> dt.date:
        """The deletion date a recording of this date and purpose gets (what a form shows
        while someone fills it in)."""
        day = checked(rules.check_new_recording_date, date, self.today())
        return rules.delete_by(day, checked(rules.Purpose, purpose), self.config.retention)

    def today(self) -> dt.date:
        """Today in the organisation's time zone (``[organisation] timezone``)."""
        return config_module.today(self.config)

    def config_warnings(self, *, demo: bool = False) -> list[str]:
        """What in the configuration needs a look, for the service to say when it starts
        (``config.warnings``; ``demo``: the example DPO contact is not said)."""
        return config_module.warnings(self.config, demo=demo)

    def retention(self) -> dict[str, tuple[int, str]]:
        """Each purpose's retention period from the configuration: (4, "weeks")."""
        return {str(p): (period.amount, period.unit) for p, period in self.config.retention.items()}

    def recordings(self) -> list[Recording]:
        return records.list_recordings(self.engine)

    def recording(self, recording_id: str) -> Recording:
        return records.get_recording(self.engine, recording_id)

    def statuses(self, today: dt.date | None = None) -> list[ConsentStatus]:
        """The status of every recording (one may see), oldest first, in a few queries."""
        return self._statuses(self.recordings(), today)

    def _statuses(self, chosen: list[Recording], today: dt.date | None) -> list[ConsentStatus]:
        found = consent_status.statuses(self.engine, chosen, today)
        return [found[r.id] for r in chosen]

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
            checked(rules.check_recording_date, extend_to)
            checked(rules.check_deletion_date, extend_to, self.today())
        change = lifecycle.change_recording(
            self.engine, self.config, recording_id, by=by, purpose=purpose, extend_to=extend_to
        )
        if not change.issued:
            return change
        written = self._new_round(change.recording.id, change.issued, out, save)
        return replace(change, written=written)

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
            self.engine, self.config, recording_id, by=by, title=title, date=date,
            livestream=livestream, livestream_stored=livestream_stored,
        )  # fmt: skip
        if edit.issued:
            self._new_round(edit.recording.id, edit.issued, out, save)
        return edit

    def _new_round(
        self, recording_id: str, issued: list[Participant], out: Path | None, save: bool
    ) -> Written:
        """The declarations a re-consent issued, rendered (saved unless ``save`` is
        false: to ``out``, or as ``<recording>-round<n>.pdf`` in the output folder)."""
        name = f"{recording_id}-round{issued[0].round}.pdf"
        return declarations.write_forms(
            self.engine, self.config, recording_id, participants=[p.id for p in issued],
            out=self._target(out, save, name),
        )  # fmt: skip

    # --- participants -----------------------------------------------------------------

    def remove_participant(
        self, participant_id: str, *, by: str, reason: str | None = None
    ) -> dict[str, Any]:
        """A participant added by mistake: deleted while nothing came back for their
        form, otherwise the form is voided with ``reason`` and its history kept."""
        return corrections.remove_participant(self.engine, participant_id, by=by, reason=reason)

    def rename_participant(self, participant_id: str, name: str, *, by: str) -> dict[str, Any]:
        """Correct the spelling of a participant's name (the form ID stays)."""
        declarations.check_printable(name)
        return corrections.rename_participant(self.engine, participant_id, name, by=by)

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
        return invitations.add_participants(
            self.engine, recording_id, names, under_16=under_16, lang=lang, emails=emails
        )

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

    # --- consent ----------------------------------------------------------------------

    def status(self, recording_id: str, today: dt.date | None = None) -> ConsentStatus:
        return consent_status.status(self.engine, recording_id, today)

    def set_consent(
        self, form_id: str, clause: str, decision: str, *, by: str, reason: str
    ) -> dict[str, Any]:
        by_hand.set_consent(self.engine, form_id, clause, decision, by=by, reason=reason)
        form = self._form_id(form_id)
        return {"form_id": form, "clause": clause, "status": decision}

    def history(self, form_id: str) -> dict[str, Any]:
        """Every event of a form, oldest first: the proof of what was decided, when,
        from which scan page or by whom."""
        found = consent_status.form_events(self.engine, form_id)
        return {"form_id": self._form_id(form_id), "events": found}

    def withdraw(
        self, form_id: str, *, by: str, clause: str | None = None, reason: str | None = None
    ) -> dict[str, Any]:
        done = by_hand.withdraw(self.engine, form_id, by=by, clause=clause, reason=reason)
        return {"form_id": self._form_id(form_id), "withdrawn": done}

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
        chosen = None if participants is None else list(participants)
        return by_hand.close_unreturned(
            self.engine, recording_id, by=by, participant_ids=chosen, today=today or self.today()
        )

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
        chosen = None if participants is None else list(participants)
        return confirmations.confirm(
            self.engine, recording_id, confirmed, contact=contact, on=on,
            participants=chosen, by=by, today=today or self.today(),
        )  # fmt: skip

    def _form_id(self, form_id: str) -> str:
        with self.engine.connect() as conn:
            return roster.get_form(conn, form_id).form_id

    def due(self, on: dt.date | None = None, within: int = 0) -> list[dict[str, Any]]:
        """Recordings past their deletion date on ``on`` (default today), or within
        ``within`` days of it, that were not destroyed yet."""
        return records.due(self.engine, on or self.today(), within)

    def destroy(self, recording_id: str, *, by: str) -> dict[str, Any]:
        return lifecycle.destroy(self.engine, recording_id, by=by, config=self.config)

    def proofs_due(self, on: dt.date | None = None, within: int = 0) -> list[dict[str, Any]]:
        """Destroyed recordings whose proof retention ends on ``on`` (default today) or
        within ``within`` days of it, and whose proof was not erased yet."""
        return lifecycle.proofs_due(self.engine, self.config, on or self.today(), within)

    def erase_due_proofs(self, on: dt.date | None = None) -> list[str]:
        """Erase what is personal in the record of every destroyed recording whose proof
        retention has ended (the worker does this). Returns the recordings' ids."""
        return lifecycle.erase_due_proofs(self.engine, self.config, on or self.today())

    def earlier_rounds(self, recording_id: str) -> list[PersonStatus]:
        """The declarations a re-consent replaced, oldest round first, each with the
        statuses its clauses ended in (invalidated, withdrawn, ...): beside ``status``,
        which shows only each participant's current form."""
        return steps.facts(self.engine, recording_id, self.today()).earlier

    def overview(self, recording_id: str, today: dt.date | None = None) -> Overview:
        """Everything a recording's page shows, from one reading of the record: the
        status, the checklist, the description (or why there is none yet) and the
        forms a re-consent replaced."""
        return steps.overview(self.engine, self.config, recording_id, today or self.today())

    # --- after the recording ----------------------------------------------------------

    def checklist(self, recording_id: str, today: dt.date | None = None) -> dict[str, Any]:
        return steps.checklist(self.engine, self.config, recording_id, today)

    def confirm_step(self, recording_id: str, step: str, *, by: str) -> dict[str, Any]:
        return steps.confirm_step(self.engine, recording_id, step, by, config=self.config)

    def undo_step(self, recording_id: str, step: str, *, by: str) -> dict[str, Any]:
        """Take back the last confirmation of a step (both stay in the log)."""
        return steps.undo_step(self.engine, recording_id, step, by, config=self.config)

    def describe(self, recording_id: str, today: dt.date | None = None) -> dict[str, Any]:
        return steps.describe(self.engine, self.config, recording_id, today)

    def export(self, recording_id: str) -> dict[str, Any]:
        return export.consent_record(self.engine, self.config, recording_id)

    def consent_csv(self, recording_ids: Sequence[str] | None = None) -> bytes:
        """The officer's audit table (``audit.COLUMNS``): one row per form and clause of
        these recordings (default: every recording), as CSV for a spreadsheet."""
        if recording_ids is None:
            ids = [r.id for r in self.recordings()]
        else:
            ids = [self.recording(r).id for r in recording_ids]
        return audit.to_csv(audit.rows(self.engine, ids))

    def copy_store(self, to: str) -> storecopy.Copied:
        """Copy the whole store into the new, empty database at URL ``to``: sealed data and
        wrapped keys as they are, so the copy opens with the same master key only."""
        return storecopy.copy(self.engine, to)

    def rotate_master_key(self, new_key: Path) -> dict[str, Any]:
        """Re-wrap every key of the store under the master key in ``new_key`` (made,
        owner-only, if the file does not exist), in one transaction."""
        return sealing.rotate_master(self.engine, new_key)

    # --- documents --------------------------------------------------------------------

    def _target(self, out: Path | None, save: bool, default: str) -> Path | None:
        if not save:
            return None
        return out if out is not None else self.config.output_dir / default

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
            self.engine, self.config, rec.id, participants=participants or None,
            out=self._target(out, save, name), progress=progress,
        )  # fmt: skip

    def page_count(self, recording_id: str, participants: Sequence[str] = ()) -> int:
        """Pages ``forms`` will render, for a progress bar."""
        return declarations.page_count(self.engine, recording_id, participants)

    def request(
        self,
        recording_id: str,
        letter: LetterRequest | None = None,
        /,
        *,
        out: Path | None = None,
        save: bool = True,
        today: dt.date | None = None,
        **fields: Any,
    ) -> Written:
        """Situations 1 and 2: the supervisor's letter to the institution with pre-ID'd
        blank declarations: a ``LetterRequest``, or its fields as keywords (``contact``,
        ``count``, ...), written to ``out`` or the default path unless ``save`` is false."""
        letter = letter or values.LetterRequest(**fields)
        if not 1 <= letter.count <= 500:
            raise RecordError(N_("between 1 and 500 blank forms at a time"))
        rec = records.get_recording(self.engine, recording_id)
        # Named after the recording and the moment: the forms get their IDs as they are made.
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self._target(out, save, f"{rec.id}-request-{stamp}.pdf")
        return declarations.write_request(
            self.engine, self.config, rec.id, letter, out=target, today=today
        )

    # --- situations 1 and 2: the institution returns the forms ------------------------

    def institution_requests(self, recording_id: str) -> list[returns.InstitutionRequest]:
        """The recording's requests to its institution, oldest first: the contact, the
        return date, whether the return link works and the scan jobs it brought."""
        rec = records.get_recording(self.engine, recording_id)
        return returns.requests_of(self.engine, rec.id)

    def renew_return_link(
        self, recording_id: str, request_id: str, *, today: dt.date | None = None
    ) -> returns.InstitutionRequest:
        """A new return link for a request (its ``url`` is shown this once: only its hash
        is kept); the old link stops working at once."""
        rec = records.get_recording(self.engine, recording_id)
        return returns.renew(self.engine, self.config, rec.id, request_id, today or self.today())

    def return_link(self, secret: str, today: dt.date | None = None) -> returns.ReturnLink:
        """What a return link opens: refused (``ReturnLinkRefused``, not found) unless it
        is a current link; ``ReturnLinkExpired`` after its return date plus 14 days."""
        return returns.open_link(self.engine, secret, today or self.today())

    def return_upload(
        self, secret: str, files: Sequence[tuple[str, jobs.Upload]], *, today: dt.date | None = None
    ) -> Job:
        """The institution's upload through a return link: a scan job of the supervisor's
        that lands only this recording's forms (the same checks and limits as any
        upload). The holder of the link learns nothing of the record."""
        return returns.submit(self.engine, secret, files, today or self.today())

    def withdrawal_form(
        self, form_id: str, *, out: Path | None = None, save: bool = True
    ) -> Written:
        form = self._form_id(form_id)
        return declarations.write_withdrawal(
            self.engine, self.config, form, out=self._target(out, save, f"{form}-withdrawal.pdf")
        )

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
        out = self._target(out, save, f"{rec.id}-reminders.pdf")
        return declarations.write_reminders(
            self.engine, self.config, rec.id, by=by, out=out, today=today
        )

    def reminders_sent(self, recording_id: str, *, by: str) -> dict[str, Any]:
        """Record that the reminder letters made for a recording were sent or handed out:
        ``{"id", "sent": [form IDs], "at", "by"}``."""
        return declarations.record_reminders_sent(self.engine, recording_id, by=by)

    def layout(self, form_id: str) -> dict[str, Any]:
        return declarations.layout(self.engine, form_id)

    def sample(self, today: dt.date | None = None) -> Sample:
        """A sample recording with three participants (one under 16, one English) and
        their declarations (``demo.sample``): what a newcomer looks at first."""
        from formgen import demo

        return demo.sample(self, today)

    # --- scans and review -------------------------------------------------------------

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
        return landing.Import(
            landing.import_files(self.engine, list(paths), progress, workers, since=since)
        )

    @staticmethod
    def scan_page_count(paths: Sequence[Path]) -> int:
        """Pages the files hold, for a progress bar."""
        return landing.page_count(list(paths))

    def review_items(self) -> list[ReviewItem]:
        return review.items(self.engine)

    def review_item(self, item: str) -> ReviewDetail:
        return review.show(self.engine, item)

    def review_image(self, item: str, name: str) -> bytes:
        """An image kept for a review item: ``page.jpg`` or a crop ``review_item`` names."""
        return review.image(self.engine, item, name)

    def review_decisions(self, item: str) -> list[str]:
        """The decisions a reviewer chooses from for an item still waiting
        (``rules.review_decisions``): given, refused or no answer; withdrawn or given
        for a consent an unclear withdrawal form put in review."""
        return review.decisions(self.engine, item)

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
            declarations.check_printable(name)
        return review.resolve(self.engine, item, decision, by=by, name=name, reason=reason)

    def undoable_reviews(self, recording_id: str) -> list[str]:
        """The recording's review items whose last decision can be taken back."""
        return corrections.undoable_reviews(self.engine, recording_id)

    def undo_review(self, item: str, *, by: str) -> dict[str, Any]:
        """Put ITEM back in review, taking back the last decision on it."""
        return corrections.undo_review(self.engine, item, by=by)

    # --- people (the service) ---------------------------------------------------------

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

    def users(self) -> list[User]:
        return accounts.list_users(self.engine)

    def disable_user(self, email: str, disabled: bool = True) -> User:
        return accounts.set_disabled(self.engine, email, disabled)

    def set_lang(self, user_id: str, lang: str | None) -> None:
        accounts.set_lang(self.engine, user_id, lang)

    def issue_token(self, email: str) -> str:
        """A new API token (bearer) for the account; shown once."""
        return accounts.issue_token(self.engine, email)

    def api_tokens(self, user_id: str) -> list[accounts.Token]:
        """The account's API tokens (IDs and dates; the tokens themselves are not kept)."""
        return accounts.list_tokens(self.engine, user_id)

    def revoke_token(self, user_id: str, token_id: str) -> None:
        accounts.revoke_token(self.engine, user_id, token_id)

    def password_link(self, user_id: str) -> str:
        """A one-time secret for the account's holder to set a new password with
        (``/password/<secret>`` in the service); shown once."""
        return accounts.password_link(self.engine, user_id)

    def password_link_valid(self, secret: str) -> bool:
        return accounts.password_link_valid(self.engine, secret)

    def use_password_link(self, secret: str, password: str) -> User:
        return accounts.use_password_link(self.engine, secret, password)

    def token_user(self, token: str) -> User | None:
        return accounts.token_user(self.engine, token)

    def authenticate(self, email: str, password: str, client: str = "") -> User:
        """The account, if the password is right and sign-in is not throttled."""
        return accounts.authenticate(self.engine, email, password, client)

    def institution_sign_in(self, issuer: str, claims: Mapping[str, Any]) -> User:
        """The account of someone their institution's provider vouched for (claims of a
        checked ID token): made at the first sign-in, kept up to date at each one."""
        if self.config.oidc is None:
            raise NotAllowed(N_("sign-in with the institution is not set up"))
        return institution.sign_in(self.engine, self.config.oidc, issuer, claims)

    def start_session(self, user: User) -> tuple[str, Session]:
        return accounts.start_session(self.engine, user)

    def session(self, secret: str) -> Session | None:
        return accounts.session(self.engine, secret)

    def end_session(self, secret: str) -> None:
        accounts.end_session(self.engine, secret)

    def web_secret(self) -> bytes:
        """The key the service signs its session cookies with (one per store)."""
        return accounts.web_secret(self.engine)

    def setup_link(self) -> str | None:
        """While no account exists: a one-time secret to become the privacy officer."""
        return accounts.setup_link(self.engine)

    def setup_valid(self, secret: str) -> bool:
        return accounts.setup_valid(self.engine, secret)

    def use_setup_link(self, secret: str, *, email: str, name: str, password: str) -> User:
        return accounts.use_setup_link(
            self.engine, secret, email=email, name=name, password=password
        )

    def demo(self, today: dt.date | None = None) -> list[tuple[User, str]]:
        """Demo accounts for each role with new random passwords (returned, to be shown
        once) and the student's sample recording (``demo.demo``)."""
        from formgen import demo

        return demo.demo(self, today)

    # --- consent online -----------------------------------------------------------------
    # Not a person's operations: the link's secret is the authority, as the paper is.

    @property
    def online(self) -> bool:
        """Whether people can answer online: a public address and a mail server."""
        return bool(self.config.public_url and self.config.mail)

    def online_form(self, token: str, today: dt.date | None = None) -> online.OnlineForm:
        """The form a QR or receipt link opens; ``online.LinkRefused`` (NotFound) for
        any link that does not, saying nothing about why."""
        return online_page.open_form(self.engine, token, today or self.today())

    def online_page(self, form: online.OnlineForm, lang: str | None = None) -> str:
        """The declaration as the phone shows it: the paper's words (same template and
        catalogues) with a yes/no choice per clause, or the choices still open."""
        return online_page.page(self.config, form, lang)

    @staticmethod
    def text_hash(page: str) -> str:
        return online_page.text_hash(page)

    def online_answer(
        self,
        token: str,
        answer: OnlineAnswer | None = None,
        /,
        *,
        now: dt.datetime | None = None,
        **fields: Any,
    ) -> online.Pending:
        """Keep the answers (an ``OnlineAnswer``, or its fields as keywords: ``answers``,
        ``name``, ``email``, ...) and send a one-time code to its address; nothing is
        recorded until ``online_confirm``. The returned value does not carry the code."""
        answer = answer or online.OnlineAnswer(**fields)
        return answering.start(self.engine, self.config, token, answer, now)

    def online_answers(self, recording_id: str) -> list[dict[str, Any]]:
        """The confirmed online answers of a recording's forms (every round): who
        answered, the address that confirmed it, when, any flag, and whether the text
        they saw is kept (``online_text``)."""
        return answering.confirmed(self.engine, recording_id)

    def online_text(self, recording_id: str, answer_id: str) -> tuple[str, bool]:
        """The page (HTML) the person who gave this online answer saw, and whether it
        matches the hash recorded with the answer."""
        return answering.kept_text(self.engine, recording_id, answer_id)

    def online_confirm(
        self, token: str, answer_id: str, code: str, *, now: dt.datetime | None = None
    ) -> online.Confirmed:
        """Record the answers the code confirms, then send the receipt (the filled-in
        form as PDF and a link to withdraw) and, if given, the other parent's link. The
        answers stand even if that mail fails: the record is what counts."""
        return answering.confirm(self.engine, self.config, token, answer_id, code, now)

    def receipt(self, token: str, done: online.Confirmed) -> bytes:
        """The filled-in declaration of a confirmed answer, as PDF."""
        return receipts.receipt(self.engine, self.config, token, done)

    def set_email(self, participant_id: str, email: str | None) -> None:
        """A participant's e-mail address for the invitation to answer online (None or
        empty: forget it). Kept in the store only; destroyed with the recording."""
        invitations.set_address(self.engine, participant_id, email)

    def emails(self, recording_id: str) -> dict[str, str]:
        """The participants' e-mail addresses, by participant ID."""
        return invitations.addresses_of(self.engine, recording_id)

    def invite(
        self, recording_id: str, *, by: str, reminder: bool = False, today: dt.date | None = None
    ) -> dict[str, Any]:
        """Situation 3: e-mail each participant with an address a link to answer online
        (a reminder: only to who has not answered). ``{"id", "sent", "without_address"}``."""
        day = today or self.today()
        return invitations.invite(
            self.engine, self.config, recording_id, by=by, reminder=reminder, day=day
        )

    def as_user(self, user: User) -> PersonalFormgen:
        """The same library as one person may use it (docs/contract.md): recordings they
        may not see answer NotFound, exactly like ones that do not exist; what their
        role may not do is refused; their changes name them as the author."""
        return access.PersonalFormgen(self.engine, self.config, user)

    # --- scan jobs --------------------------------------------------------------------

    def job(self, job_id: str) -> Job:
        return jobs.get(self.engine, job_id)

    def work(self, *, once: bool = False, poll: float = 1.0, stop: Any = None) -> int:
        """Claim and run scan jobs until ``stop`` (a threading.Event) is set, or, with
        ``once``, until none is waiting (``worker.work``). Returns the number run."""
        from formgen import worker

        return worker.work(self, once=once, poll=poll, stop=stop)
