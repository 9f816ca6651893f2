"""The faculty's procedure as pure functions (no I/O, no clock, no store, no click).

Read beside the procedure (HvA FOO, *Werkwijze beeld- en geluidsopnamen*, 20 Aug 2020),
summed up in ``docs/procedure.md``.
Every rule formgen applies lives in this package, so a reviewer can check them against the
procedure in one sitting, one topic a module:

- ``situations``: the three situations, who asks for consent, return dates, not returned
- ``retention``: purposes, retention periods and deletion dates, who may see a recording
- ``clauses``: what a recording plans (``Plan``) and the yes/no pairs it needs
- ``status``: the consent lifecycle, the statuses and the moves between them
- ``camera``: the camera set-up that follows from the consents (step 2)
- ``appearance``: who may appear, in which activity
- ``marks``: the mark decision rule, the child's box, the signature field
- ``scanned``: what a scanned page (or a reviewer) does to a clause
- ``online``: consent online beside paper, the confirmation code
- ``checks``: names, addresses and dates as typed; consent before the fact
- ``checklist``: the seven steps, and a recording's consent in one word
- ``roles``: who may do what in the service (``may``), sign-in throttling
- ``corrections``: correcting mistakes
- ``classlist``: a class list as pasted

Callers use the names this package exports (``rules.may``, ``rules.Status``), never the
modules, so a rule can move between them without touching a call site.
"""

from __future__ import annotations

from formgen.rules.appearance import (
    allow_360,
    blocking_clauses,
    given_clauses,
    kept_out_of,
    may_appear,
    may_appear_in,
    needs_reminder,
)
from formgen.rules.camera import (
    SETUP,
    Advice,
    CameraAdvice,
    camera_advice,
)
from formgen.rules.checklist import (
    STEPS,
    UNSETTLED,
    Step,
    Summary,
    consent_summary,
    footage_check_needed,
    step_word,
)
from formgen.rules.checks import (
    FIRST_DATE,
    LAST_DATE,
    MAX_NAME,
    REFUSAL_WORDS,
    asks_again_after_the_fact,
    check_deletion_date,
    check_email,
    check_name,
    check_new_recording_date,
    check_recording_date,
    may_ask_consent,
    too_late,
)
from formgen.rules.classlist import (
    ClassList,
    ListedPerson,
    age_on,
    parse_class_list,
)
from formgen.rules.clauses import (
    Clause,
    Media,
    Plan,
    clauses_for,
)
from formgen.rules.corrections import (
    REVIEW_RESOLVED,
    REVIEW_UNDONE,
    destroy_needs_second_ask,
    edit_reconsent_reason,
    removable_outright,
    too_early,
    undoable_review,
)
from formgen.rules.marks import (
    CHILD_REFUSES,
    BoxInk,
    Decision,
    Mark,
    SignatureThresholds,
    Thresholds,
    child_box_decision,
    classify_mark,
    classify_signature,
    decide_answers,
    decide_pair,
    pencil_may_be_lost,
    read_box,
    with_child_box,
)
from formgen.rules.online import (
    CODE_TRIES,
    CODE_VALID,
    CODES_PER_HOUR,
    TAKE_BACK,
    OnlineMode,
    code_refused,
    decide_online,
    link_open,
    online_mode,
)
from formgen.rules.retention import (
    ACCESS,
    DEFAULT_PROOF_AFTER,
    DEFAULT_RETENTION,
    PROOF_KEY,
    Period,
    Purpose,
    add_months,
    check_extension,
    delete_by,
    period_between,
    reconsent_reason,
)
from formgen.rules.roles import (
    SIGN_IN_FAILURES,
    SIGN_IN_WINDOW,
    Act,
    Relation,
    Role,
    may,
    may_create_recordings,
    may_list_due,
    may_manage_users,
    sign_in_blocked,
)
from formgen.rules.scanned import (
    UNCLEAR_WITHDRAWAL,
    ScanOutcome,
    decide_scanned,
    decide_withdrawal,
    review_confirms_signature,
    review_decisions,
    reviewable_after_unreadable,
)
from formgen.rules.situations import (
    BLANK_UNUSED,
    LATE_RETURN_DAYS,
    NOT_RETURNED,
    Situation,
    consent_collector,
    may_invite,
    may_remind,
    may_request_from_institution,
    reminder_required,
    return_before,
    same_institution,
    signed_page_back_to,
    situation_warning,
    unreturned_clauses,
)
from formgen.rules.status import (
    DECIDED,
    FINAL,
    TRANSITIONS,
    Status,
    TransitionError,
    transition,
)

__all__ = [
    "ACCESS",
    "BLANK_UNUSED",
    "CHILD_REFUSES",
    "CODES_PER_HOUR",
    "CODE_TRIES",
    "CODE_VALID",
    "DECIDED",
    "DEFAULT_PROOF_AFTER",
    "DEFAULT_RETENTION",
    "FINAL",
    "FIRST_DATE",
    "LAST_DATE",
    "LATE_RETURN_DAYS",
    "MAX_NAME",
    "NOT_RETURNED",
    "PROOF_KEY",
    "REFUSAL_WORDS",
    "REVIEW_RESOLVED",
    "REVIEW_UNDONE",
    "SETUP",
    "SIGN_IN_FAILURES",
    "SIGN_IN_WINDOW",
    "STEPS",
    "TAKE_BACK",
    "TRANSITIONS",
    "UNCLEAR_WITHDRAWAL",
    "UNSETTLED",
    "Act",
    "Advice",
    "BoxInk",
    "CameraAdvice",
    "ClassList",
    "Clause",
    "Decision",
    "ListedPerson",
    "Mark",
    "Media",
    "OnlineMode",
    "Period",
    "Plan",
    "Purpose",
    "Relation",
    "Role",
    "ScanOutcome",
    "SignatureThresholds",
    "Situation",
    "Status",
    "Step",
    "Summary",
    "Thresholds",
    "TransitionError",
    "add_months",
    "age_on",
    "allow_360",
    "asks_again_after_the_fact",
    "blocking_clauses",
    "camera_advice",
    "check_deletion_date",
    "check_email",
    "check_extension",
    "check_name",
    "check_new_recording_date",
    "check_recording_date",
    "child_box_decision",
    "classify_mark",
    "classify_signature",
    "clauses_for",
    "code_refused",
    "consent_collector",
    "consent_summary",
    "decide_answers",
    "decide_online",
    "decide_pair",
    "decide_scanned",
    "decide_withdrawal",
    "delete_by",
    "destroy_needs_second_ask",
    "edit_reconsent_reason",
    "footage_check_needed",
    "given_clauses",
    "kept_out_of",
    "link_open",
    "may",
    "may_appear",
    "may_appear_in",
    "may_ask_consent",
    "may_create_recordings",
    "may_invite",
    "may_list_due",
    "may_manage_users",
    "may_remind",
    "may_request_from_institution",
    "needs_reminder",
    "online_mode",
    "parse_class_list",
    "pencil_may_be_lost",
    "period_between",
    "read_box",
    "reconsent_reason",
    "reminder_required",
    "removable_outright",
    "return_before",
    "review_confirms_signature",
    "review_decisions",
    "reviewable_after_unreadable",
    "same_institution",
    "sign_in_blocked",
    "signed_page_back_to",
    "situation_warning",
    "step_word",
    "too_early",
    "too_late",
    "transition",
    "undoable_review",
    "unreturned_clauses",
    "with_child_box",
]
