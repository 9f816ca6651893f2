"""The faculty's procedure as pure functions (no I/O, no clock, no store, no click).

Read beside the procedure (HvA FOO, *Werkwijze beeld- en geluidsopnamen*, 20 Aug 2020),
summed up in ``docs/procedure.md``.
Every rule formgen applies lives in this package, so a reviewer can check them against the
procedure in one sitting, one topic a module:

- ``situations``: the three situations, who asks for consent, return dates, not returned
- ``institution``: what the institution confirmed (situations 1 and 2), the camera then
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

# Each name and the module that defines it. A module is imported when one of its names is
# first used, not with the package: `formgen scan import` needs the marks and what a scan
# decides, not the service's roles, the class lists or the institution's answers.
_HOMES = {
    "appearance": (
        "allow_360",
        "blocking_clauses",
        "given_clauses",
        "kept_out_of",
        "may_appear",
        "may_appear_in",
        "needs_reminder",
    ),
    "camera": (
        "ALL_BUT_360",
        "SETUP",
        "Advice",
        "CameraAdvice",
        "camera_advice",
        "setup_words",
    ),
    "checklist": (
        "STEPS",
        "UNSETTLED",
        "Step",
        "Summary",
        "consent_summary",
        "footage_check_needed",
        "step_word",
    ),
    "checks": (
        "FIRST_DATE",
        "LAST_DATE",
        "MAX_NAME",
        "REFUSAL_WORDS",
        "asks_again_after_the_fact",
        "check_deletion_date",
        "check_email",
        "check_name",
        "check_new_recording_date",
        "check_recording_date",
        "may_ask_consent",
        "too_late",
    ),
    "classlist": (
        "ClassList",
        "ListedPerson",
        "age_on",
        "parse_class_list",
    ),
    "clauses": (
        "Clause",
        "Media",
        "Plan",
        "clauses_for",
    ),
    "corrections": (
        "REVIEW_RESOLVED",
        "REVIEW_UNDONE",
        "destroy_needs_second_ask",
        "edit_reconsent_reason",
        "removable_outright",
        "too_early",
        "undoable_review",
    ),
    "institution": (
        "CONFIRMED_WORDS",
        "SILENT_FORM",
        "Confirmed",
        "appear_with_institution",
        "check_confirmation",
        "confirmation_for",
        "in_frame",
        "institution_camera_advice",
        "institution_source",
    ),
    "marks": (
        "CHILD_REFUSES",
        "BoxInk",
        "Decision",
        "Mark",
        "SignatureThresholds",
        "Thresholds",
        "child_box_decision",
        "classify_mark",
        "classify_signature",
        "decide_answers",
        "decide_pair",
        "pencil_may_be_lost",
        "read_box",
        "with_child_box",
    ),
    "online": (
        "CODE_TRIES",
        "CODE_VALID",
        "CODES_PER_HOUR",
        "TAKE_BACK",
        "OnlineMode",
        "code_refused",
        "decide_online",
        "link_open",
        "online_mode",
    ),
    "retention": (
        "ACCESS",
        "DEFAULT_PROOF_AFTER",
        "DEFAULT_RETENTION",
        "PROOF_KEY",
        "Period",
        "Purpose",
        "add_months",
        "check_extension",
        "delete_by",
        "period_between",
        "reconsent_reason",
    ),
    "roles": (
        "SIGN_IN_FAILURES",
        "SIGN_IN_WINDOW",
        "Act",
        "Relation",
        "Role",
        "may",
        "may_create_recordings",
        "may_list_due",
        "may_manage_users",
        "sign_in_blocked",
    ),
    "scanned": (
        "UNCLEAR_WITHDRAWAL",
        "ScanOutcome",
        "decide_scanned",
        "decide_withdrawal",
        "review_confirms_signature",
        "review_decisions",
        "reviewable_after_unreadable",
    ),
    "situations": (
        "BLANK_UNUSED",
        "LATE_RETURN_DAYS",
        "NOT_RETURNED",
        "Situation",
        "consent_collector",
        "may_invite",
        "may_remind",
        "may_request_from_institution",
        "reminder_required",
        "return_before",
        "same_institution",
        "signed_page_back_to",
        "situation_warning",
        "unreturned_clauses",
    ),
    "status": (
        "DECIDED",
        "FINAL",
        "TRANSITIONS",
        "Status",
        "TransitionError",
        "transition",
    ),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'formgen.rules' has no attribute {name!r}")
    # (the built-in import: the rules import nothing but what test_the_rules_are_pure allows)
    value = getattr(__import__(f"formgen.rules.{module}", fromlist=[name]), name)
    globals()[name] = value  # the next use finds it without asking again
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
