"""The procedure's rules, each at its boundaries."""

from __future__ import annotations

import ast
import datetime as dt
import importlib
from pathlib import Path

import pytest

from formgen import rules
from formgen.rules import (
    Advice,
    Clause,
    Mark,
    Media,
    Period,
    Plan,
    Purpose,
    Situation,
    Status,
    camera_advice,
    decide_pair,
    delete_by,
)

D = dt.date


@pytest.mark.parametrize(
    ("recorded", "purpose", "expected"),
    [
        (D(2026, 12, 1), Purpose.REFLECTION, D(2026, 12, 29)),
        (D(2026, 12, 20), Purpose.REFLECTION, D(2027, 1, 17)),  # over the year's end
        (D(2028, 2, 10), Purpose.REFLECTION, D(2028, 3, 9)),  # leap February
        (D(2027, 2, 10), Purpose.REFLECTION, D(2027, 3, 10)),
        (D(2026, 12, 1), Purpose.ASSESSMENT, D(2027, 12, 1)),
        (D(2028, 2, 29), Purpose.ASSESSMENT, D(2029, 2, 28)),  # leap day: never later
        (D(2026, 12, 31), Purpose.ASSESSMENT, D(2027, 12, 31)),
        (D(2026, 12, 1), Purpose.FINAL_LEVEL, D(2033, 12, 1)),
        (D(2028, 2, 29), Purpose.FINAL_LEVEL, D(2035, 2, 28)),
        (D(2024, 2, 29), Purpose.FINAL_LEVEL, D(2031, 2, 28)),
    ],
)
def test_retention_gives_a_concrete_date(recorded: D, purpose: Purpose, expected: D) -> None:
    assert delete_by(recorded, purpose) == expected


def test_month_ends_clamp_to_the_shorter_month() -> None:
    assert rules.add_months(D(2027, 1, 31), 1) == D(2027, 2, 28)
    assert rules.add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert rules.add_months(D(2027, 8, 31), 1) == D(2027, 9, 30)
    assert rules.add_months(D(2027, 11, 30), 3) == D(2028, 2, 29)


def test_retention_table_can_be_configured() -> None:
    table = {**rules.DEFAULT_RETENTION, Purpose.REFLECTION: Period.parse("6 weeks")}
    assert delete_by(D(2026, 1, 1), Purpose.REFLECTION, table) == D(2026, 2, 12)
    assert Period.parse("7y") == Period(7, "years")
    with pytest.raises(ValueError):
        Period.parse("forever")


@pytest.mark.parametrize(
    ("consented", "present", "level", "allow_360"),
    [
        (0, 0, Advice.NONE, False),  # nobody known: nobody known to consent
        (0, 1, Advice.NONE, False),
        (1, 1, Advice.ALL, True),
        (30, 30, Advice.ALL, True),
        (29, 30, Advice.MOST, False),  # one missing already forbids 360
        (16, 30, Advice.MOST, False),
        (15, 30, Advice.FEW, False),  # exactly half is not "het merendeel"
        (2, 4, Advice.FEW, False),
        (3, 4, Advice.MOST, False),
        (1, 30, Advice.FEW, False),
        (0, 30, Advice.NONE, False),
    ],
)
def test_camera_advice_boundaries(
    consented: int, present: int, level: Advice, allow_360: bool
) -> None:
    advice = camera_advice(consented, present)
    assert advice.level is level
    assert advice.allow_360 is allow_360


def test_camera_advice_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        camera_advice(3, 2)


def test_situations() -> None:
    assert rules.consent_collector(Situation.PARTNER) == "institution"
    assert rules.consent_collector(Situation.INTERNSHIP) == "institution"
    assert rules.consent_collector(Situation.OUTSIDE) == "student"
    assert rules.may_request_from_institution(Situation.INTERNSHIP)
    assert not rules.may_request_from_institution(Situation.OUTSIDE)
    assert rules.reminder_required(Situation.OUTSIDE)
    assert not rules.reminder_required(Situation.PARTNER)


@pytest.mark.parametrize(
    ("plan", "clauses"),
    [
        (Plan(Purpose.REFLECTION), [Clause.RECORDING]),
        (Plan(Purpose.REFLECTION, livestream=True), [Clause.RECORDING, Clause.LIVESTREAM]),
        (
            Plan(Purpose.ASSESSMENT, livestream=True, livestream_stored=True, view360=True),
            [Clause.RECORDING, Clause.LIVESTREAM, Clause.VIEW360],
        ),
        (Plan(Purpose.FINAL_LEVEL, view360=True), [Clause.RECORDING, Clause.VIEW360]),
    ],
)
def test_clauses_follow_the_plan(plan: Plan, clauses: list[Clause]) -> None:
    assert rules.clauses_for(plan) == clauses


def test_impossible_plans_are_refused() -> None:
    with pytest.raises(ValueError, match="live-streamed"):
        Plan(Purpose.REFLECTION, livestream_stored=True)
    with pytest.raises(ValueError, match="360"):
        Plan(Purpose.REFLECTION, media=Media.AUDIO, view360=True)


E, M, U = Mark.EMPTY, Mark.MARKED, Mark.UNSURE


@pytest.mark.parametrize(
    ("yes", "no", "signed", "status"),
    [
        (M, E, True, Status.GIVEN),
        (E, M, True, Status.REFUSED),
        (E, E, True, Status.NO_ANSWER),
        (M, M, True, Status.REVIEW),
        (U, E, True, Status.REVIEW),
        (E, U, True, Status.REVIEW),
        (M, E, False, Status.REVIEW),  # unsigned: never consent
        (M, E, None, Status.REVIEW),  # signature unclear
        (E, M, False, Status.REVIEW),
        (E, E, False, Status.REVIEW),
    ],
)
def test_mark_decision_rule(yes: Mark, no: Mark, signed: bool | None, status: Status) -> None:
    decision = decide_pair(yes, no, signed)
    assert decision.status is status
    assert (decision.reason is None) == (status is not Status.REVIEW)


def test_only_a_lone_yes_on_a_signed_form_gives_consent() -> None:
    for yes in Mark:
        for no in Mark:
            for signed in (True, False, None):
                given = decide_pair(yes, no, signed).status is Status.GIVEN
                assert given == (yes is M and no is E and signed is True)


def test_classify_mark_has_an_uncertain_band() -> None:
    t = rules.Thresholds()
    assert rules.classify_mark(0.0) is E
    assert rules.classify_mark(t.empty - 1e-6) is E
    assert rules.classify_mark((t.empty + t.marked) / 2) is U
    assert rules.classify_mark(t.marked + 1e-6) is M


# --- What people actually mark with (issue 12) -------------------------------------------

T = rules.Thresholds()
NOTHING = rules.BoxInk()
TICK = rules.BoxInk(ink=0.25, stroke_mm=4.4, blob_mm2=5.0)


@pytest.mark.parametrize(
    ("box", "mark"),
    [
        (NOTHING, E),
        (TICK, M),
        (rules.BoxInk(ink=1.0, stroke_mm=4.4, blob_mm2=20.0), M),  # filled in
        # a short dash and a firm dot are marks, however little of the box they cover
        (rules.BoxInk(ink=0.03, stroke_mm=T.dash_mm), M),
        (rules.BoxInk(ink=0.06, stroke_mm=1.4, blob_mm2=T.blob_mm2), M),
        # specks are nothing; something between a speck and a dash is for a person
        (rules.BoxInk(ink=0.01, stroke_mm=T.speck_mm - 0.01, blob_mm2=T.speck_mm2 - 0.01), E),
        (rules.BoxInk(ink=0.01, stroke_mm=T.speck_mm), U),
        (rules.BoxInk(ink=(T.empty + T.marked) / 2), U),
        # a loop round the answer is a mark; part of the way round, a person looks
        (rules.BoxInk(ring=T.ring), M),
        (rules.BoxInk(ring=1.0, ring_struck=T.struck), U),  # circled and written over
        (rules.BoxInk(ring=(T.ring + T.ring_unsure) / 2), U),
        (rules.BoxInk(ring=T.ring_unsure - 0.01), E),
        # a stroke of another box's tick running in, or the word written over
        (rules.BoxInk(foreign_mm2=T.foreign_mm2), U),
        (rules.BoxInk(foreign_mm2=T.foreign_mm2 - 0.01), E),
        (rules.BoxInk(ring_struck=T.struck), U),
        # the box's own tick counts whatever else is around it
        (rules.BoxInk(ink=0.25, stroke_mm=4.4, foreign_mm2=3.0, ring=0.6), M),
        # mostly ink only by touching the printed box (shining through?): for a person,
        # whether by its cover or by one long thin line; a little of it changes nothing
        (rules.BoxInk(ink=0.25, stroke_mm=4.4, blob_mm2=5.0, faint=T.faint), U),
        (rules.BoxInk(ink=0.01, stroke_mm=T.dash_mm, faint=1.0), U),
        (rules.BoxInk(ink=0.25, stroke_mm=4.4, blob_mm2=5.0, faint=T.faint - 0.01), M),
        (rules.BoxInk(ink=0.01, faint=1.0), E),
    ],
)
def test_read_box(box: rules.BoxInk, mark: Mark) -> None:
    got, note = rules.read_box(box)
    assert got is mark
    assert (note is not None) == (mark is U) or note == "circled"


def test_decide_answers_says_why() -> None:
    signed = True
    assert rules.decide_answers(TICK, NOTHING, signed).status is Status.GIVEN
    assert rules.decide_answers(NOTHING, rules.BoxInk(ring=0.9), signed).status is Status.REFUSED
    assert rules.decide_answers(NOTHING, NOTHING, signed).status is Status.NO_ANSWER
    unsure = rules.decide_answers(rules.BoxInk(ring=0.6), NOTHING, signed)
    assert unsure.status is Status.REVIEW and unsure.reason and "yes: a loop" in unsure.reason
    # a correction: one box ticked, the other filled in or scribbled over
    filled = rules.BoxInk(ink=0.6, stroke_mm=4.4, blob_mm2=12.0)
    for yes, no, heavy in ((filled, TICK, "yes"), (TICK, filled, "no")):
        decision = rules.decide_answers(yes, no, signed)
        assert decision.status is Status.REVIEW and decision.reason is not None
        assert "correction" in decision.reason and f"the {heavy} box" in decision.reason
    both = rules.decide_answers(TICK, TICK, signed)
    assert both.status is Status.REVIEW and both.reason == "both yes and no are marked"
    # never consent without a signature
    for signed_ in (False, None):
        assert rules.decide_answers(TICK, NOTHING, signed_).status is Status.REVIEW


def test_a_blank_black_and_white_page_proves_no_answer() -> None:
    """Light pencil leaves no pixel on a fixed-threshold 1-bit scan: a page with no mark
    anywhere goes to review; one whose other answers survived reads as it shows."""
    assert rules.pencil_may_be_lost(True, [E, E, E, E])
    assert rules.pencil_may_be_lost(True, [E, U, E, E])  # a faint trace: pencil was there
    assert not rules.pencil_may_be_lost(True, [M, E, E, E])
    assert not rules.pencil_may_be_lost(False, [E, E])
    lost = rules.decide_answers(NOTHING, NOTHING, True, pencil_lost=True)
    assert lost.status is Status.REVIEW and lost.reason and "pencil" in lost.reason
    # it only ever adds doubt
    assert rules.decide_answers(TICK, NOTHING, True, pencil_lost=True).status is Status.GIVEN


def test_never_given_without_a_lone_yes_mark() -> None:
    """Whatever the measurements, ``given`` needs a marked yes, an empty no and a
    signature."""
    samples = [
        NOTHING,
        TICK,
        rules.BoxInk(ink=0.05),
        rules.BoxInk(stroke_mm=1.5),
        rules.BoxInk(ring=0.6),
        rules.BoxInk(ring=0.9),
        rules.BoxInk(ring=0.9, ring_struck=0.5),
        rules.BoxInk(foreign_mm2=2.0),
    ]
    for yes in samples:
        for no in samples:
            for signed in (True, False, None):
                for lost in (False, True):
                    decision = rules.decide_answers(yes, no, signed, pencil_lost=lost)
                    if decision.status is Status.GIVEN:
                        assert rules.read_box(yes)[0] is M and rules.read_box(no)[0] is E
                        assert signed is True


@pytest.mark.parametrize(
    ("longest", "length", "signed"),
    [
        (0.0, 0.0, False),
        (1.4, 30.0, False),  # dust and speckle, however much of it
        (3.0, 3.0, True),  # a short stroke of a few millimetres is writing
        (25.0, 40.0, True),  # a short signature
        (2.0, 6.0, True),  # small initials: several short strokes
        (2.0, 3.0, None),  # a small mark: a person looks
    ],
)
def test_signature_by_strokes(longest: float, length: float, signed: bool | None) -> None:
    got, reason = rules.classify_signature(longest, length)
    assert got is signed
    assert (reason is None) == (signed is not None)


@pytest.mark.parametrize(
    ("longest", "length", "faint", "signed"),
    [
        (0.0, 0.0, 6.0, None),  # only faint writing on the frame line: a person looks
        (1.0, 1.0, 27.0, None),  # however long, with dust beside it
        (2.0, 3.0, 2.0, None),  # a small mark and faint writing
        (0.0, 0.0, 1.0, False),  # faint dust is dust
        (12.0, 30.0, 6.0, True),  # a signature, the other side showing through beside it
        (8.0, 28.0, 48.5, None),  # a stroke shorter than the faint writing: a dark spot of it?
        (50.0, 90.0, 48.5, True),  # a signature longer than what shines through
    ],
)
def test_faint_writing_on_the_frame_line(
    longest: float, length: float, faint: float, signed: bool | None
) -> None:
    """Ink only by touching the frame line, far lighter than the print (the other side's
    signature shining through onto it): never a signature, nor proof of none."""
    got, reason = rules.classify_signature(longest, length, faint)
    assert got is signed
    if faint >= 1.5 and signed is None:
        assert reason and "faint" in reason
    # faint writing only ever adds doubt: never signed where the strokes alone are not
    alone, _ = rules.classify_signature(longest, length)
    assert got is alone or got is None


def test_lifecycle_transitions() -> None:
    assert rules.transition(Status.REQUESTED, Status.GIVEN) is Status.GIVEN
    assert rules.transition(Status.GIVEN, Status.WITHDRAWN) is Status.WITHDRAWN
    assert rules.transition(Status.REVIEW, Status.REFUSED) is Status.REFUSED
    for final in rules.FINAL:
        for target in Status:
            with pytest.raises(rules.TransitionError):
                rules.transition(final, target)
    with pytest.raises(rules.TransitionError):
        rules.transition(Status.REFUSED, Status.WITHDRAWN)  # nothing to withdraw
    with pytest.raises(rules.TransitionError):
        rules.transition(Status.REQUESTED, Status.WITHDRAWN)
    # An unclear withdrawal form: review, then a person records the withdrawal.
    assert rules.transition(Status.REVIEW, Status.WITHDRAWN) is Status.WITHDRAWN
    for start in (Status.REQUESTED, *rules.DECIDED):
        assert rules.transition(start, Status.INVALIDATED) is Status.INVALIDATED
        assert rules.transition(start, Status.EXPIRED) is Status.EXPIRED


@pytest.mark.parametrize(
    ("read", "current", "expected"),
    [
        (Status.GIVEN, Status.GIVEN, Status.WITHDRAWN),  # "yes, I withdraw"
        (Status.REFUSED, Status.GIVEN, None),  # "no": keeps the consent
        (Status.NO_ANSWER, Status.GIVEN, None),
        (Status.REVIEW, Status.GIVEN, Status.REVIEW),  # doubt ends counting consent
        (Status.GIVEN, Status.REFUSED, None),  # nothing to withdraw
        (Status.GIVEN, Status.REQUESTED, None),
        (Status.REVIEW, Status.REQUESTED, None),
        (Status.GIVEN, None, None),
    ],
)
def test_withdrawal_form_decisions(
    read: Status, current: Status | None, expected: Status | None
) -> None:
    outcome = rules.decide_withdrawal(rules.Decision(read, "why"), current)
    assert (outcome.status if outcome else None) is expected


def test_reconsent_needed_for_new_purpose_or_longer_retention() -> None:
    day, later = dt.date(2031, 1, 1), dt.date(2031, 6, 1)
    r, a = Purpose.REFLECTION, Purpose.ASSESSMENT
    assert "purpose changed from reflection to assessment" in str(
        rules.reconsent_reason(r, day, a, later)
    )
    assert "purpose changed" in str(rules.reconsent_reason(a, later, r, day))  # even shorter
    assert "retention extended" in str(rules.reconsent_reason(r, day, r, later))
    assert rules.reconsent_reason(r, later, r, day) is None  # keeping less needs no consent
    assert rules.reconsent_reason(r, day, r, day) is None


def test_who_may_appear() -> None:
    given = {"recording": Status.GIVEN, "livestream": Status.GIVEN}
    assert rules.may_appear(given, True)
    assert not rules.may_appear(given, False)
    assert not rules.may_appear({"recording": Status.GIVEN, "livestream": Status.REFUSED}, True)
    assert not rules.may_appear({}, True)
    assert rules.blocking_clauses({"recording": Status.NO_ANSWER}, False) == [
        "not signed",
        "recording: no_answer",
    ]


@pytest.mark.parametrize("name", ["'t Hooft", "Çelik", "<b>bold</b>", "Anne-Marie O'Neil & co"])
def test_names_are_kept_as_typed(name: str) -> None:
    assert rules.check_name(name) == name


@pytest.mark.parametrize("name", ["", "   ", "a\x00b", "line\nbreak", "x" * 121, "bell\x07"])
def test_bad_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        rules.check_name(name)


def test_review_offers_withdrawal_only_for_consent_given_before() -> None:
    G, R, N, W, Q = Status.GIVEN, Status.REFUSED, Status.NO_ANSWER, Status.WITHDRAWN, Status.REVIEW
    ordinary = (G, R, N)
    assert rules.review_decisions([Status.REQUESTED, Q]) == ordinary
    assert rules.review_decisions([Q]) == ordinary
    assert rules.review_decisions([R, Q]) == ordinary
    # An unclear withdrawal form: the consent was given, then doubted.
    assert rules.review_decisions([Status.REQUESTED, G, Q]) == (W, G)
    assert rules.review_decisions([G, Q, Q]) == (W, G)
    # Given after an earlier review, then doubted again.
    assert rules.review_decisions([Q, G, Q]) == (W, G)
    assert rules.review_decisions([G, Q, R, Q]) == ordinary


def test_a_recordings_consent_in_one_word() -> None:
    G, R, Q, Rq = Status.GIVEN, Status.REFUSED, Status.REVIEW, Status.REQUESTED
    day, later = D(2026, 5, 1), D(2026, 6, 1)

    def word(people: list, destroyed: bool = False, delete_by: dt.date = later) -> str:
        return rules.consent_summary(people, destroyed=destroyed, delete_by=delete_by, today=day)

    assert word([({"recording": G}, True)]) == rules.Summary.COMPLETE
    assert word([({"recording": G}, True), ({"recording": R}, True)]) == "partial"
    assert word([({"recording": G}, True), ({"recording": Q}, None)]) == "open"
    assert word([({"recording": G, "livestream": Rq}, None)]) == "open"
    assert word([({"recording": G}, False)]) == "partial"  # given but not signed: out
    assert word([]) == "empty"
    # The deletion date itself is due (as the due list); destroyed wins over all.
    assert word([({"recording": G}, True)], delete_by=day) == "due"
    assert word([({"recording": Q}, None)], destroyed=True, delete_by=day) == "destroyed"


# --- Consent online ----------------------------------------------------------------------


def test_online_mode_asks_afresh_only_on_an_unanswered_form() -> None:
    from formgen.rules import OnlineMode, online_mode

    asked = {"recording": Status.REQUESTED, "livestream": Status.REQUESTED}
    assert online_mode(asked) is OnlineMode.ANSWER
    assert online_mode({**asked, "livestream": Status.REFUSED}) is OnlineMode.CLOSED
    assert online_mode({**asked, "recording": Status.GIVEN}) is OnlineMode.STRICTER
    assert online_mode({**asked, "recording": Status.REVIEW}) is OnlineMode.STRICTER
    ended = {"recording": Status.WITHDRAWN, "livestream": Status.EXPIRED}
    assert online_mode(ended) is OnlineMode.CLOSED


@pytest.mark.parametrize(
    ("answer", "current", "expected"),
    [
        (Status.GIVEN, Status.REQUESTED, Status.GIVEN),
        (Status.GIVEN, Status.NO_ANSWER, Status.GIVEN),
        (Status.GIVEN, Status.GIVEN, None),  # the same answer again changes nothing
        (Status.GIVEN, Status.REFUSED, None),  # a yes never overrides a no
        (Status.GIVEN, Status.REVIEW, None),  # nor doubt a person still has to settle
        (Status.REFUSED, Status.REQUESTED, Status.REFUSED),
        (Status.REFUSED, Status.GIVEN, Status.REFUSED),  # a later no wins
        (Status.REFUSED, Status.REVIEW, Status.REFUSED),
        (Status.WITHDRAWN, Status.GIVEN, Status.WITHDRAWN),
        (Status.WITHDRAWN, Status.REVIEW, Status.REFUSED),  # doubt ends in a no
        (Status.WITHDRAWN, Status.REFUSED, None),  # nothing to withdraw
        (Status.GIVEN, Status.WITHDRAWN, None),  # an ended consent stays ended
        (Status.REFUSED, Status.EXPIRED, None),
    ],
)
def test_decide_online(answer: Status, current: Status, expected: Status | None) -> None:
    from formgen.rules import decide_online, transition

    outcome = decide_online(answer, current)
    assert outcome.status is expected
    if outcome.status is not None:  # every move is one the lifecycle allows
        transition(current, outcome.status)


def test_a_code_is_refused_when_expired_or_tried_too_often() -> None:
    from formgen.rules import CODE_TRIES, CODE_VALID, code_refused

    made = dt.datetime(2026, 12, 1, 12, 0)
    until = made + CODE_VALID
    assert code_refused(0, until, made) is None
    assert code_refused(CODE_TRIES - 1, until, until - dt.timedelta(seconds=1)) is None
    assert "expired" in (code_refused(0, until, until) or "")
    assert "too many" in (code_refused(CODE_TRIES, until, made) or "")


# --- The package's shape: one face, pure modules ----------------------------------------

RULES = Path(rules.__file__).parent
# What a rule may import: the standard library's pure parts, the library's refusal and
# word types, e-mail syntax (no look-up of the domain) and the other rule modules.
PURE = {"__future__", "calendar", "collections", "dataclasses", "datetime", "enum", "re"}
PURE |= {"unicodedata", "email_validator", "formgen.errors", "formgen.words", "formgen.rules"}


def rule_modules() -> list[Path]:
    return sorted(p for p in RULES.glob("*.py") if p.name != "__init__.py")


def defined_in(path: Path) -> list[str]:
    """The public names a module defines at its top level."""
    names: list[str] = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return [name for name in names if not name.startswith("_")]


def test_every_public_rule_is_exported_by_the_package() -> None:
    """Callers write ``rules.X``: a rule defined in a module but missing from the
    package's face would be reachable only through its module."""
    assert len(rule_modules()) >= 10
    exported = 0
    for path in rule_modules():
        module = importlib.import_module(f"formgen.rules.{path.stem}")
        for name in defined_in(path):
            assert name in rules.__all__, f"{path.name}: {name} is not in rules.__all__"
            assert getattr(rules, name) is getattr(module, name), name
            exported += 1
    assert exported == len(rules.__all__) == len(set(rules.__all__))


def test_the_rules_are_pure() -> None:
    """No rule reads a file, the clock or the store: everything it needs is passed in."""
    for path in [*rule_modules(), RULES / "__init__.py"]:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                roots = [node.module or ""]
            else:
                roots = []
            for name in roots:
                assert any(name == p or name.startswith(p + ".") for p in PURE), (path, name)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
                called = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
                assert called not in {"now", "today", "utcnow", "open", "read_text"}, (
                    f"{path.name}:{node.lineno} calls {called}"
                )
