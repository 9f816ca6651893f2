"""One signed-in person's view of the library: ``PersonalFormgen`` (what
``Formgen.as_user`` returns) and ``ACCESS``, the table of the rule that guards each of
``Formgen``'s public methods. The rule itself is ``rules.may``; this module only looks up
who a recording belongs to and applies it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from formgen import rules
from formgen.config import Config
from formgen.errors import Conflict, NotAllowed, NotFound, RecordError
from formgen.record import accounts, institution, jobs, records, roster, store
from formgen.record.accounts import User
from formgen.record.consent_status import ConsentStatus
from formgen.record.jobs import Job
from formgen.record.records import Recording
from formgen.rules import Act, Relation, Role
from formgen.values import NewRecording
from formgen.words import N_, Word

if TYPE_CHECKING:
    from formgen.aftercare.review import ReviewItem
    from formgen.api import Formgen
    from formgen.scan.landing import Import


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
    pf: PersonalFormgen, new: NewRecording | None = None, /, **fields: Any
) -> Recording:
    """A recording of the signed-in student; its ``supervisor`` is the supervisor's
    account e-mail (their name goes on the forms)."""
    pf._only(rules.may_create_recordings(pf.person.role), N_("create recordings"))
    new = new or NewRecording(**fields)
    guide: User | None = None
    awaited: str | None = None
    if new.supervisor:
        try:
            guide = accounts.by_email(pf.engine, new.supervisor)
        except NotFound:
            guide = None
        if guide is None and pf.config.oidc is not None:
            # Signing in with the institution, a supervisor has an account only after
            # their first sign-in: they are linked then (institution.py).
            awaited = accounts.check_email(new.supervisor)
        elif guide is None or guide.role is not Role.SUPERVISOR or guide.disabled:
            raise RecordError(
                N_("{who} is not the e-mail address of a supervisor"), who=new.supervisor
            )
    mine = dataclasses.replace(
        new,
        student=pf.person.name,
        supervisor=guide.name if guide else awaited or "-",
        lang=new.lang or pf.person.lang or "nl",
    )
    made = records.create_recording(
        pf.engine,
        pf.config,
        **mine.stored(owner_id=pf.person.id, supervisor_id=guide.id if guide else None),
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
    from formgen.scan import landing

    return landing.Import(
        landing.import_files(pf.engine, list(paths), progress, workers, allowed, since=since)
    )


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


def _library() -> type[Formgen]:
    # Imported when first needed: formgen.api imports this module.
    from formgen.api import Formgen

    return Formgen


def public_methods() -> set[str]:
    """Formgen's public methods and properties: what ACCESS must cover."""
    import inspect

    library = _library()
    return {
        name
        for name in dir(library)
        if not name.startswith("_")
        and isinstance(
            inspect.getattr_static(library, name),
            (Callable, classmethod, staticmethod, property),  # type: ignore[arg-type]
        )
    }


class PersonalFormgen:
    """``Formgen`` as one signed-in person uses it: each call goes through its rule in
    ``ACCESS`` (``rules.may`` for the recording it concerns, or the person's role), and
    a method without a rule is refused."""

    def __init__(self, engine: Engine, config: Config, user: User) -> None:
        self._lib = _library()(engine, config)
        self.person = user
        self._relations: dict[str, Relation] = {}

    @property
    def engine(self) -> Engine:
        return self._lib.engine

    @property
    def config(self) -> Config:
        return self._lib.config

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or not hasattr(_library(), name):
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

    def may(self, act: Act, recording_id: str) -> bool:
        try:
            return rules.may(act, self.relation(recording_id))
        except SQLAlchemyError as exc:
            raise store.explain(exc) from None

    def _check(self, act: Act, recording_id: str) -> str:
        """The recording's canonical ID, if the person may do ``act`` to it. One they
        may not see is not found; one they see but may not change is a refusal."""
        rec = records.get_recording(self.engine, recording_id).id
        who = self.relation(rec)
        if not rules.may(Act.SEE, who):
            raise NotFound(N_("no recording {recording_id!r}"), recording_id=recording_id)
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
            raise NotFound(N_("no form {form} in this record"), form=form.form_id) from None
        return form.form_id

    def _item(self, act: Act, item: str) -> str:
        form_id = item.partition(":")[0]
        try:
            with self.engine.connect() as conn:
                recording_id = roster.get_form(conn, form_id).recording_id
            self._check(act, recording_id)
        except NotFound:
            raise NotFound(N_("no review item {item!r}"), item=item) from None
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

    def submit_scans(self, files: Sequence[tuple[str, jobs.Upload]]) -> Job:
        """Store an upload as a scan job of this person's; a worker imports it."""
        try:
            return jobs.submit(self.engine, self.person.id, files)
        except SQLAlchemyError as exc:
            raise store.explain(exc) from None
