"""The faculty's procedure as pure functions (no I/O, no click).

Read beside the procedure (HvA FOO, *Werkwijze beeld- en geluidsopnamen*, 20 Aug 2020),
summed up in ``docs/procedure.md``.
Every rule formgen applies lives here, so a reviewer can check them against the procedure
in one sitting: situations, purposes and retention, which clauses a declaration needs,
camera advice, who must not appear, the mark decision rule and the consent lifecycle.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from formgen.errors import RecordError
from formgen.words import N_, Message, Word

# --- Situations ("Welke verschillende situaties zijn er?") -------------------------------


class Situation(StrEnum):
    PARTNER = "1"  # institution with a structural partnership and protocol
    INTERNSHIP = "2"  # other internship institution (school, childcare)
    OUTSIDE = "3"  # outside any institution


def consent_collector(situation: Situation) -> str:
    """Who asks for consent: in 1 and 2 the institution ("vraag dus niet zelf om
    toestemming"), only in 3 the student, who also archives the declarations."""
    return "student" if situation is Situation.OUTSIDE else "institution"


def may_request_from_institution(situation: Situation) -> bool:
    """Situations 1 and 2: the supervisor may ask the institution for additional
    declarations for this specific recording; in 3 there is no institution to ask."""
    return situation is not Situation.OUTSIDE


def may_invite(situation: Situation) -> bool:
    """Only in situation 3 does the student ask: in 1 and 2 the institution asks its
    people (the supervisor's request), so no invitation or online reminder goes out."""
    return situation is Situation.OUTSIDE


def reminder_required(situation: Situation) -> bool:
    """Step 3: after recording in situation 3, point participants to their right to
    withdraw."""
    return situation is Situation.OUTSIDE


def may_remind(recorded_on: dt.date, today: dt.date) -> bool:
    """Step 3 reminds "achteraf": from the day of the recording on, never before."""
    return today >= recorded_on


def signed_page_back_to(situation: Situation) -> str:
    """Who gets the signed page back: the student in situation 3; in 1 and 2 the
    institution collects its people's consent ("vraag dus niet zelf om toestemming")."""
    return "student" if situation is Situation.OUTSIDE else "institution"


# Days a person has to return a form that comes after the recording date (re-consent,
# a late form): the record is not settled until it is back.
LATE_RETURN_DAYS = 14


def return_before(recorded_on: dt.date, today: dt.date) -> dt.date:
    """The date the signed page must be back before: the recording date, so the student
    knows who may appear before filming; for a recording already made, two weeks from
    today."""
    if recorded_on > today:
        return recorded_on
    return today + dt.timedelta(days=LATE_RETURN_DAYS)


# A form that never came back: after its return date the student closes it as "not
# returned: no consent" (no_answer, never given); an unused blank form of an institution
# is discarded. The events' source says so: ``not_returned:<who marked it>``.
NOT_RETURNED = "not returned: no consent"
BLANK_UNUSED = "blank form not used: discarded"


def unreturned_clauses(
    clauses: Mapping[str, Status], return_by: dt.date, today: dt.date, form_id: str = "the form"
) -> list[str]:
    """The clauses to close as ``no_answer`` on a form that never came back: every one,
    for a form still fully requested once its return date has come. A form of which
    anything came back (a scan, an answer online, a decision) is not "not returned":
    ValueError, as for one whose return date is still ahead."""
    if today < return_by:
        raise RecordError(
            N_("form {form} is due back before {day}: mark it not returned from then on"),
            form=form_id,
            day=return_by.isoformat(),
        )
    if not clauses or any(s is not Status.REQUESTED for s in clauses.values()):
        raise RecordError(
            N_("form {form} came back or was decided: it is not unreturned"), form=form_id
        )
    return list(clauses)


def same_institution(a: str | None, b: str | None) -> bool:
    """Two spellings of one institution: case and spacing aside."""
    return " ".join((a or "").split()).casefold() == " ".join((b or "").split()).casefold()


def situation_warning(situation: Situation, institution: str | None) -> str | None:
    """Situation 3 is recording outside any institution: a recording there that names an
    institution was probably given the wrong situation (in 1 and 2 the institution, not
    the student, asks for consent)."""
    if situation is Situation.OUTSIDE and institution:
        return (
            f"the recording is in situation 3 (outside any institution) but names"
            f" {institution}: if it is made there, the institution asks for consent"
            " (situation 1 or 2)"
        )
    return None


# --- Purposes and retention (step 6) ----------------------------------------------------


class Purpose(StrEnum):
    REFLECTION = "reflection"
    ASSESSMENT = "assessment"
    FINAL_LEVEL = "final-level"


@dataclass(frozen=True)
class Period:
    """A retention period: a number of days, weeks, months or years."""

    amount: int
    unit: str  # "days" | "weeks" | "months" | "years"

    _PATTERN = re.compile(r"^\s*(\d+)\s*(d|days?|w|weeks?|m|months?|y|years?)\s*$", re.IGNORECASE)

    @classmethod
    def parse(cls, text: str) -> Period:
        match = cls._PATTERN.match(text)
        if not match:
            raise ValueError(f"retention {text!r} is not like '4 weeks', '1 year' or '7y'")
        unit = {"d": "days", "w": "weeks", "m": "months", "y": "years"}[match.group(2)[0].lower()]
        return cls(int(match.group(1)), unit)

    def after(self, start: dt.date) -> dt.date:
        if self.unit in ("days", "weeks"):
            try:
                return start + dt.timedelta(**{self.unit: self.amount})
            except OverflowError:  # a date past 9999 is a misconfiguration, not a crash
                raise ValueError(
                    f"{self} after {start.isoformat()} falls after the year {dt.MAXYEAR}"
                ) from None
        months = self.amount * (12 if self.unit == "years" else 1)
        try:
            return add_months(start, months)
        except ValueError:
            raise ValueError(
                f"{self} after {start.isoformat()} falls after the year {dt.MAXYEAR}"
            ) from None

    def __str__(self) -> str:
        return f"{self.amount} {self.unit}"


# The procedure, step 6: 4 weeks for reflection, 1 year as direct evidence in an assessment,
# 7 years as direct evidence of reaching the programme's final level.
DEFAULT_RETENTION: Mapping[Purpose, Period] = {
    Purpose.REFLECTION: Period(4, "weeks"),
    Purpose.ASSESSMENT: Period(1, "years"),
    Purpose.FINAL_LEVEL: Period(7, "years"),
}
# How long the consent record is kept as proof after the recording is destroyed
# (``[retention] proof_after_destruction``); then everything personal in it is erased.
DEFAULT_PROOF_AFTER = Period(1, "years")
PROOF_KEY = "proof_after_destruction"


def add_months(start: dt.date, months: int) -> dt.date:
    """Calendar months; a day that the target month lacks (31 Jan + 1 month, 29 Feb +
    1 year) becomes that month's last day, so retention never runs past its term."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ValueError(
            f"{months} months after {start.isoformat()} falls outside the years"
            f" {dt.MINYEAR} to {dt.MAXYEAR}"
        )
    return dt.date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def delete_by(
    recorded_on: dt.date,
    purpose: Purpose,
    retention: Mapping[Purpose, Period] = DEFAULT_RETENTION,
) -> dt.date:
    """Retention runs "na registratie": from the date of the recording. A deletion date
    past the calendar's end (an absurd period) is a ValueError, never an OverflowError."""
    return retention[purpose].after(recorded_on)


# Who may see the recording, per purpose (step 5: "uitsluitend en alleen met personen die
# toegang nodig hebben voor het vooraf vastgestelde doel"): reflection needs no assessors.
ACCESS: Mapping[Purpose, tuple[str, ...]] = {
    Purpose.REFLECTION: ("student", "supervisor"),
    Purpose.ASSESSMENT: ("student", "supervisor", "assessors"),
    Purpose.FINAL_LEVEL: ("student", "supervisor", "assessors"),
}


def period_between(start: dt.date, end: dt.date) -> tuple[int, str]:
    """The retention a deletion date amounts to, in the largest whole unit that reaches
    it exactly (years, months, weeks, else days): what a form prints beside the date, so
    an extension to 18 months reads "18 months", never the purpose's "1 year"."""
    if end <= start:
        return ((end - start).days, "days")
    months = (end.year - start.year) * 12 + end.month - start.month
    for amount, unit in ((months // 12, "years"), (months, "months")):
        span = amount * (12 if unit == "years" else 1)
        if amount and span == months and add_months(start, span) == end:
            return amount, unit
    days = (end - start).days
    if days % 7 == 0:
        return days // 7, "weeks"
    return days, "days"


def check_extension(
    extend_to: dt.date,
    recorded_on: dt.date,
    purpose: Purpose,
    retention: Mapping[Purpose, Period] = DEFAULT_RETENTION,
) -> dt.date:
    """An extension stays within the purpose's retention from the recording date: the
    procedure sets how long a recording for a purpose may be kept, and consent cannot
    stretch it."""
    cap = delete_by(recorded_on, purpose, retention)
    if extend_to > cap:
        raise ValueError(
            f"the new deletion date {extend_to.isoformat()} is later than {cap.isoformat()}:"
            f" a recording for {purpose} is kept at most {retention[purpose]} from its date"
            f" {recorded_on.isoformat()}"
        )
    return extend_to


def reconsent_reason(
    old: Purpose, old_until: dt.date, new: Purpose, new_until: dt.date
) -> str | None:
    """Step 7: a new purpose, or keeping the recording longer than the declarations
    say, needs new consent; the reason is recorded on every consent it ends. Keeping it
    for less time under the same purpose needs none (None)."""
    if new is not old:
        return f"purpose changed from {old} to {new}: new consent needed"
    if new_until > old_until:
        return (
            f"retention extended from {old_until.isoformat()} to {new_until.isoformat()}:"
            " new consent needed"
        )
    return None


# --- Clauses: one yes/no per purpose and per processing ---------------------------------


class Media(StrEnum):
    VIDEO = "video"  # image only
    AUDIO = "audio"  # sound only
    BOTH = "both"  # image and sound


class Clause(StrEnum):
    RECORDING = "recording"  # recording for the stated purpose
    LIVESTREAM = "livestream"  # live streaming (says whether the stream is stored)
    VIEW360 = "360"  # 360-degree recording of the whole room


@dataclass(frozen=True)
class Plan:
    """What a recording will do, as far as consent is concerned."""

    purpose: Purpose
    media: Media = Media.BOTH
    livestream: bool = False
    livestream_stored: bool = False
    view360: bool = False

    def __post_init__(self) -> None:
        if self.livestream_stored and not self.livestream:
            raise RecordError(N_("a stream can only be stored when the recording is live-streamed"))
        if self.view360 and self.media is Media.AUDIO:
            raise RecordError(N_("a 360-degree recording records images; media cannot be audio"))


def clauses_for(plan: Plan) -> list[Clause]:
    """The yes/no pairs a declaration needs, in the order printed: recording for its
    purpose always; live streaming only when streamed ("ook toestemming benodigd");
    360 degrees only when planned, as it captures everyone present."""
    clauses = [Clause.RECORDING]
    if plan.livestream:
        clauses.append(Clause.LIVESTREAM)
    if plan.view360:
        clauses.append(Clause.VIEW360)
    return clauses


# --- Consent lifecycle (docs/contract.md) -------------------------------------------------


class Status(StrEnum):
    REQUESTED = "requested"
    GIVEN = "given"
    REFUSED = "refused"
    NO_ANSWER = "no_answer"
    REVIEW = "review"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    INVALIDATED = "invalidated"


DECIDED = frozenset({Status.GIVEN, Status.REFUSED, Status.NO_ANSWER, Status.REVIEW})
FINAL = frozenset({Status.WITHDRAWN, Status.EXPIRED, Status.INVALIDATED})

# Allowed moves. A decision may be corrected (a later scan, a reviewer) until the
# consent ends; only a given consent can be withdrawn; expiry and invalidation end
# any consent that has not ended. Nothing leaves a final status: new consent needs a
# new form.
TRANSITIONS: Mapping[Status, frozenset[Status]] = {
    Status.REQUESTED: DECIDED | {Status.EXPIRED, Status.INVALIDATED},
    **{s: DECIDED | {Status.EXPIRED, Status.INVALIDATED} for s in DECIDED - {Status.GIVEN}},
    Status.GIVEN: DECIDED | FINAL,
    # An unclear withdrawal form puts a given consent in review; the reviewer may then
    # record the withdrawal (records.set_consent checks it was given before).
    Status.REVIEW: DECIDED | {Status.EXPIRED, Status.INVALIDATED, Status.WITHDRAWN},
    **{s: frozenset() for s in FINAL},
}


class TransitionError(ValueError):
    pass


def transition(current: Status, new: Status) -> Status:
    if new not in TRANSITIONS[current]:
        raise TransitionError(f"consent cannot go from {current} to {new}")
    return new


# --- Camera set-up (step 2) and checking footage (step 3) -------------------------------


class Advice(StrEnum):
    ALL = "all"  # everyone consented: no restriction, ideal set-up, 360 allowed
    MOST = "most"  # most consented: position the others out of frame
    FEW = "few"  # only a few: set up so that only you are in frame
    NONE = "none"  # no one (or no one known yet): only you in frame


@dataclass(frozen=True)
class CameraAdvice:
    level: Advice
    allow_360: bool
    consented: int
    present: int


def camera_advice(consented: int, present: int, everyone_360: bool | None = None) -> CameraAdvice:
    """Procedure step 2. "Het merendeel" is read as a strict majority: exactly half is not
    most. With no participants known, nobody is known to have consented: advice NONE.
    360 degrees only when everyone present consented to it (``everyone_360``, counted
    apart from the recording: ``allow_360``); unknown, when everyone consented."""
    if not 0 <= consented <= present:
        raise ValueError("consented must be between 0 and the number present")
    if present and consented == present:
        level = Advice.ALL
    elif consented * 2 > present:
        level = Advice.MOST
    elif consented:
        level = Advice.FEW
    else:
        level = Advice.NONE
    wide = level is Advice.ALL if everyone_360 is None else bool(present) and everyone_360
    return CameraAdvice(level, wide, consented, present)


# Step 2 in words: the set-up each advice asks of the student.
SETUP: Mapping[Advice, str] = {
    Advice.ALL: N_("everyone consented: no restriction, 360 degrees allowed"),
    Advice.MOST: N_("most consented: position the others out of frame (e.g. at the back)"),
    Advice.FEW: N_("few consented: set up so that only you are in frame"),
    Advice.NONE: N_("no one consented: set up so that only you are in frame"),
}


def needs_reminder(statuses: Mapping[str, Status]) -> bool:
    """Step 3, situation 3: only who gave consent can be in the footage and has
    something to withdraw."""
    return Status.GIVEN in statuses.values()


def given_clauses(statuses: Mapping[str, Status]) -> list[str]:
    """The clauses a reminder names and its withdrawal form asks about: only those
    answered yes (nothing else can be withdrawn)."""
    return [clause for clause, status in statuses.items() if status is Status.GIVEN]


def may_appear_in(statuses: Mapping[str, Status], signed: bool | None) -> dict[str, bool]:
    """Each activity its own choice (GDPR art. 7): a person may be in an activity (the
    recording, the live stream, the 360-degree camera) only with that clause given on a
    signed form; a no to one keeps them out of that one only. Silence, doubt and
    withdrawal keep them out ("wie zwijgt, stemt toe" does not apply)."""
    return {
        clause: signed is not False and status is Status.GIVEN
        for clause, status in statuses.items()
    }


def may_appear(statuses: Mapping[str, Status], signed: bool | None) -> bool:
    """In every activity of the recording: what a participant list's "may appear"
    column means."""
    allowed = may_appear_in(statuses, signed)
    return bool(allowed) and all(allowed.values())


def kept_out_of(statuses: Mapping[str, Status], signed: bool | None) -> list[str]:
    """The activities a person must be kept out of, in the clauses' order."""
    return [clause for clause, ok in may_appear_in(statuses, signed).items() if not ok]


def allow_360(appear: Sequence[Mapping[str, bool]]) -> bool:
    """The 360-degree camera records the whole room: only when everyone registered said
    yes to it. The student does not tell anyone who said no."""
    return bool(appear) and all(
        a.get(Clause.VIEW360, a.get(Clause.RECORDING, False)) for a in appear
    )


def blocking_clauses(statuses: Mapping[str, Status], signed: bool | None) -> list[str]:
    """Why a person must not appear: the clauses not given (or 'signature')."""
    reasons = [f"{k}: {s}" for k, s in statuses.items() if s is not Status.GIVEN]
    if signed is False:
        reasons.insert(0, N_("not signed"))
    return reasons


# --- Reading marks (docs/contract.md) -----------------------------------------------------


class Mark(StrEnum):
    EMPTY = "empty"
    MARKED = "marked"
    UNSURE = "unsure"


@dataclass(frozen=True)
class Thresholds:
    """Ink cover of a box's interior (0..1). Below ``empty`` a box is blank, above
    ``marked`` it is ticked; in between the reader is not sure and a person decides.
    The rest is for ``read_box``: what else people mark with (a short dash, a firm dot,
    a loop round the answer) and what makes a box doubtful."""

    empty: float = 0.035
    marked: float = 0.09
    dash_mm: float = 1.8  # a stroke this long inside the box is a mark, however thin
    blob_mm2: float = 1.0  # a blot this large is a mark (a firm dot for a tick)
    speck_mm: float = 1.2  # shorter and smaller than this (and below ``empty``): specks
    speck_mm2: float = 0.5
    foreign_mm2: float = 0.5  # this much ink of another box's stroke makes a box doubtful
    ring: float = 0.75  # a loop this far round the answer (0..1) circles it
    ring_unsure: float = 0.5  # from here: a loop part of the way round, a person looks
    struck: float = 0.4  # this much of the answer's word written over: struck out
    heavy: float = 0.35  # cover of a box filled in or scribbled over


def classify_mark(ink: float, thresholds: Thresholds = Thresholds()) -> Mark:
    if ink < thresholds.empty:
        return Mark.EMPTY
    if ink > thresholds.marked:
        return Mark.MARKED
    return Mark.UNSURE


@dataclass(frozen=True)
class Decision:
    status: Status
    reason: str | None = None


def decide_pair(yes: Mark, no: Mark, signed: bool | None) -> Decision:
    """Only yes → given; only no → refused; neither → no_answer; both → review; any
    uncertainty → review. No signature → no consent for the whole form: review."""
    if Mark.UNSURE in (yes, no):
        return Decision(Status.REVIEW, N_("a box is faintly marked"))
    if yes is Mark.MARKED and no is Mark.MARKED:
        return Decision(Status.REVIEW, N_("both yes and no are marked"))
    if signed is not True:
        return Decision(
            Status.REVIEW, N_("not signed") if signed is False else N_("signature unclear")
        )
    if yes is Mark.MARKED:
        return Decision(Status.GIVEN)
    if no is Mark.MARKED:
        return Decision(Status.REFUSED)
    return Decision(Status.NO_ANSWER)


@dataclass(frozen=True)
class BoxInk:
    """What the reader measured at one box (``scan.BoxReading.evidence()``): the cover
    of its inside by its own strokes, its longest and largest piece of ink, ink of a
    stroke whose bulk is in another box, and a loop round the answer."""

    ink: float = 0.0
    stroke_mm: float = 0.0
    blob_mm2: float = 0.0
    foreign_mm2: float = 0.0
    ring: float = 0.0  # how far round the answer (its word, its box, or both) 0..1
    ring_struck: float = 0.0  # share of the answer's printed word written over


def read_box(box: BoxInk, thresholds: Thresholds = Thresholds()) -> tuple[Mark, str | None]:
    """One answer: marked (ticked, crossed, filled, a short dash or a firm dot in the
    box, or the answer circled), empty, or unsure with the reason. Specks are nothing;
    a stroke that belongs to another box, a loop part of the way round, or an answer
    written over is for a person."""
    t = thresholds
    by_ink = classify_mark(box.ink, t)
    if by_ink is Mark.MARKED or box.stroke_mm >= t.dash_mm or box.blob_mm2 >= t.blob_mm2:
        return Mark.MARKED, None
    if box.ring >= t.ring:
        if box.ring_struck >= t.struck:
            return Mark.UNSURE, "the answer is circled and written over"
        return Mark.MARKED, "circled"
    if box.ring >= t.ring_unsure:
        return Mark.UNSURE, f"a loop {box.ring:.0%} of the way round the answer"
    if by_ink is Mark.UNSURE or box.stroke_mm >= t.speck_mm or box.blob_mm2 >= t.speck_mm2:
        return Mark.UNSURE, "a small or faint mark in the box"
    if box.foreign_mm2 >= t.foreign_mm2:
        return Mark.UNSURE, "a stroke from another box runs into it"
    if box.ring_struck >= t.struck:
        return Mark.UNSURE, "the answer's word is written over"
    return Mark.EMPTY, None


def decide_answers(
    yes: BoxInk,
    no: BoxInk,
    signed: bool | None,
    *,
    pencil_lost: bool = False,
    thresholds: Thresholds = Thresholds(),
) -> Decision:
    """A clause's box pair read with ``read_box`` and decided by ``decide_pair``, with
    the reason a person needs: which box is unsure and why; both marked with one of
    them filled in or scribbled over (a correction: which answer counts is not for the
    reader to guess). ``pencil_lost``: a black-and-white page with no mark anywhere,
    where light pencil can vanish: nothing read is no proof of no answer."""
    (yes_mark, yes_note), (no_mark, no_note) = read_box(yes, thresholds), read_box(no, thresholds)
    decision = decide_pair(yes_mark, no_mark, signed)
    if decision.status is Status.REVIEW:
        notes = [
            f"{answer}: {note}"
            for answer, mark, note in (("yes", yes_mark, yes_note), ("no", no_mark, no_note))
            if mark is Mark.UNSURE and note
        ]
        if notes:
            return Decision(Status.REVIEW, "; ".join(notes))
        if yes_mark is Mark.MARKED and no_mark is Mark.MARKED:
            heavy = [a for a, b in (("yes", yes), ("no", no)) if b.ink >= thresholds.heavy]
            if len(heavy) == 1:
                return Decision(
                    Status.REVIEW,
                    f"both yes and no are marked, the {heavy[0]} box filled in or scribbled"
                    " over: a correction? a person decides which answer counts",
                )
        return decision
    if decision.status is Status.NO_ANSWER and pencil_lost:
        return Decision(
            Status.REVIEW,
            "nothing marked on a black-and-white scan, where light pencil can vanish:"
            " check the paper",
        )
    return decision


# The parental form's box for a child of 12 or older who does not want to appear: one
# box (answer "yes"), not a consent clause. Ticked, it is a refusal of every clause.
CHILD_REFUSES = "child_refuses"


def child_box_decision(mark: Mark, note: str | None) -> Decision | None:
    """What the child's box says about every clause of the form: ticked, a refusal;
    unclear, doubt (a person looks, and no clause can become given meanwhile); empty,
    nothing (None). A refusal needs no signature: it can only keep someone out."""
    if mark is Mark.MARKED:
        return Decision(Status.REFUSED, N_("the child (12 or older) does not want to appear"))
    if mark is Mark.UNSURE:
        why = f" ({note})" if note else ""
        return Decision(
            Status.REVIEW, f"the box 'my child does not want to appear' is unclear{why}"
        )
    return None


def with_child_box(read: Decision, child: Decision | None) -> Decision:
    """A clause's own reading, overruled by the child's box: a refusal wins over
    anything; doubt about it turns a yes into review (never into consent)."""
    if child is None:
        return read
    if child.status is Status.REFUSED:
        return child
    if read.status is Status.GIVEN or read.status is Status.REVIEW:
        reason = f"{read.reason}; {child.reason}" if read.status is Status.REVIEW else child.reason
        return Decision(Status.REVIEW, reason)
    return read


def pencil_may_be_lost(bilevel: bool, marks: Sequence[Mark]) -> bool:
    """A 1-bit page (fax, black-and-white scan) on which no box is clearly marked:
    pencil below the scanner's threshold leaves no pixel (or a faint trace), so an
    empty pair there proves no answer."""
    return bilevel and not any(m is Mark.MARKED for m in marks)


@dataclass(frozen=True)
class SignatureThresholds:
    """Strokes in the signature field (after the printed frame is taken out), in mm:
    a stroke of ``signed_mm`` is writing, however short the signature; several strokes
    of ``unsigned_mm`` or more that add up to ``length_mm`` are too (small initials);
    below ``unsigned_mm`` there are only dust, speckle and noise. Between: a person."""

    signed_mm: float = 3.0
    unsigned_mm: float = 1.5
    length_mm: float = 6.0


def classify_signature(
    longest_mm: float, length_mm: float, thresholds: SignatureThresholds = SignatureThresholds()
) -> tuple[bool | None, str | None]:
    """Signed (True), not signed (False), or not sure (None, with the reason)."""
    t = thresholds
    if longest_mm >= t.signed_mm or (longest_mm >= t.unsigned_mm and length_mm >= t.length_mm):
        return True, None
    if longest_mm < t.unsigned_mm:
        return False, None
    return None, f"only a mark of {longest_mm:.1f} mm in the signature field"


def decide_withdrawal(read: Decision, current: Status | None) -> Decision | None:
    """A withdrawal sheet is read with ``decide_pair`` ("yes" = I withdraw). A clear
    yes ends a given consent; a clear no or nothing keeps it; doubt (a faint mark, both
    boxes, no signature) about a given consent sends it to review, which keeps the
    person out of frame until someone has looked. A consent that was not given has
    nothing to withdraw: None, nothing changes."""
    if current is not Status.GIVEN:
        return None
    if read.status is Status.GIVEN:
        return Decision(Status.WITHDRAWN, N_("withdrawn on the withdrawal form"))
    if read.status is Status.REVIEW:
        return Decision(Status.REVIEW, f"{UNCLEAR_WITHDRAWAL} ({read.reason})")
    return None


def review_confirms_signature(decision: Status, signed: bool | None) -> bool:
    """A reviewer who decides "given" looked at the page: consent needs a signature, so
    that decision says the signature is there, even where the reader saw none (a short
    one, a faint pen). Any other decision says nothing about the signature."""
    return decision is Status.GIVEN and signed is not True


@dataclass(frozen=True)
class ScanOutcome:
    """What one clause read from a scanned page does to the record: append ``status``
    (None: nothing), and whether the page needs a person's look although nothing is
    appended (an ended consent the paper tries to change)."""

    status: Status | None
    reason: str | None = None
    flag: bool = False


def decide_scanned(
    read: Decision, current: Status | None, *, withdrawal: bool, named: bool
) -> ScanOutcome:
    """The reading of a declaration's (or withdrawal sheet's) box pair against the
    clause's current status. A name written by hand is typed in by a person, so a yes on
    a blank form waits for review; an ended consent stays ended; a scan that disagrees
    with an earlier decision never overrides it: a person decides."""
    status, reason = read.status, read.reason
    if withdrawal:
        outcome = decide_withdrawal(read, current)
        if outcome is None:
            return ScanOutcome(None, f"{current}; the withdrawal form changes nothing")
        status, reason = outcome.status, outcome.reason
    elif status is Status.GIVEN and not named:
        status, reason = Status.REVIEW, N_("name written by hand: type it when resolving")
    if current in FINAL:
        return ScanOutcome(None, f"already {current}; this scan changes nothing", flag=True)
    if current in (Status.GIVEN, Status.REFUSED, Status.NO_ANSWER) and status not in (
        current,
        Status.REVIEW,
        Status.WITHDRAWN,
    ):
        status, reason = Status.REVIEW, f"conflicts with the earlier decision ({current})"
    return ScanOutcome(status, reason)


def review_decisions(history: Sequence[Status]) -> tuple[Status, ...]:
    """What a reviewer chooses from for a clause in review, given its statuses oldest
    first. Consent that was given before the doubt (an unclear withdrawal form, or a
    later page that disagrees with it) is either withdrawn or kept given, the only
    case in which a withdrawal can be recorded; otherwise the reviewer reads the boxes
    as the reader would have: given, refused or no answer."""
    before = [s for s in history if s is not Status.REVIEW]
    if history and history[-1] is Status.REVIEW and before and before[-1] is Status.GIVEN:
        return (Status.WITHDRAWN, Status.GIVEN)
    return (Status.GIVEN, Status.REFUSED, Status.NO_ANSWER)


def reviewable_after_unreadable(current: Status | None, *, withdrawal: bool) -> bool:
    """A page that could not be read puts a clause in review only if it could still
    change: an ended consent stays ended, and a withdrawal sheet only threatens a given
    consent."""
    if withdrawal:
        return current is Status.GIVEN
    return current not in FINAL


# --- Consent online, beside paper ------------------------------------------------------


class OnlineMode(StrEnum):
    ANSWER = "answer"  # nothing decided yet: yes or no per clause, as on paper
    STRICTER = "stricter"  # answered before: only a given consent can still be taken back
    CLOSED = "closed"  # nothing left to answer or withdraw


# What a "no" online can still take back: a yes, or doubt about one (decide_online).
TAKE_BACK = frozenset({Status.GIVEN, Status.REVIEW})


def online_mode(statuses: Mapping[str, Status]) -> OnlineMode:
    """What a person who opens a form online may do. Once anything is decided (on paper
    or online), the form no longer asks afresh: a second answer could only disagree, and
    disagreement is for a person to settle (review). Then the link lets anyone holding the
    form (the person, the other parent) make it stricter: any "no" wins."""
    if all(s is Status.REQUESTED for s in statuses.values()):
        return OnlineMode.ANSWER
    if any(s in TAKE_BACK for s in statuses.values()):
        return OnlineMode.STRICTER
    return OnlineMode.CLOSED


def decide_online(answer: Status, current: Status | None, *, named: bool = True) -> ScanOutcome:
    """One clause answered online (confirmed by an e-mail code) against its current
    status. A refusal or withdrawal always wins over an earlier yes, or over doubt; a yes
    never overrides a decision already made (paper that said no stays no); an ended
    consent stays ended. ``answer`` is GIVEN, REFUSED or WITHDRAWN (taking a yes back)."""
    if current in FINAL:
        return ScanOutcome(None, f"already {current}; the online answer changes nothing")
    if answer is Status.WITHDRAWN:
        if current is Status.GIVEN:
            return ScanOutcome(Status.WITHDRAWN, "withdrawn online")
        if current is Status.REVIEW:  # not known to be given: a no, which ends the doubt
            return ScanOutcome(Status.REFUSED, "said no online while in review")
        return ScanOutcome(None, f"{current}: nothing to withdraw")
    if answer is Status.REFUSED:
        if current is Status.REFUSED:
            return ScanOutcome(None, "refused before")
        return ScanOutcome(Status.REFUSED, "refused online")
    if current in (None, Status.REQUESTED, Status.NO_ANSWER):
        return ScanOutcome(Status.GIVEN, "given online")
    if current is Status.GIVEN:
        return ScanOutcome(None, "given before")
    return ScanOutcome(None, f"{current} before; a yes online does not change it", flag=True)


# Confirming online: a code by e-mail, valid for a short while, with a few tries, and a
# limit on how many codes one form or one address can ask for.
CODE_VALID = dt.timedelta(minutes=15)
CODE_TRIES = 5
CODES_PER_HOUR = 5


def code_refused(tries: int, expires_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why a confirmation code can no longer be used (None: it can)."""
    if now >= expires_at:
        return N_("the code has expired: ask for a new one")
    if tries >= CODE_TRIES:
        return N_("too many wrong codes: ask for a new one")
    return None


def link_open(delete_by: dt.date, today: dt.date, destroyed: bool) -> bool:
    """A form's link works until the recording is destroyed or its deletion date comes:
    withdrawing must stay possible as long as the recording exists."""
    return not destroyed and today < delete_by


# --- Names and dates as typed ----------------------------------------------------------

MAX_NAME = 120
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


# The words a refusal names as its parameters (``Word``: what was typed, the role, what
# it may not do, the purpose): in the service's catalogue, so a page translates them.
REFUSAL_WORDS = (
    *(N_("name"), N_("title"), N_("institution"), N_("contact"), N_("reason")),
    *(N_("student"), N_("supervisor"), N_("officer")),
    *(N_("see"), N_("change"), N_("review"), N_("destroy"), N_("export")),
    *(N_("reflection"), N_("assessment"), N_("final-level")),
)


# "withdrawal form unclear (both yes and no are marked)": a page translates both parts
# (formgen/words.py, reason).
UNCLEAR_WITHDRAWAL = N_("withdrawal form unclear")


def check_name(name: str, what: str = "name") -> str:
    """Names are stored as typed ('t Hooft, Çelik, even <b>); only what can only be a
    mistake or an attack is refused: control characters, absurd lengths, invisible format
    characters (Unicode category Cf: a bidi override U+202E makes a printed name read
    differently from the stored one; zero-width characters and BOMs make two names that
    look the same differ) and lone surrogates (how Python carries bytes that are not
    UTF-8, e.g. from a terminal in another encoding)."""
    if _SURROGATE.search(name):
        raise RecordError(N_("{what} is not valid text (UTF-8)"), what=Word(what))
    stripped = name.strip()
    if not stripped:
        raise RecordError(N_("{what} is empty"), what=Word(what))
    if _CONTROL.search(stripped):
        raise RecordError(N_("{what} contains control characters"), what=Word(what))
    for char in stripped:
        if unicodedata.category(char) == "Cf":
            label = unicodedata.name(char, "format character")
            raise RecordError(
                N_(
                    "{what} contains an invisible formatting character ({char}); retype it"
                    " without that character"
                ),
                what=Word(what),
                char=f"U+{ord(char):04X} {label}",
            )
    if len(stripped) > MAX_NAME:
        raise RecordError(N_("{what} is longer than {n} characters"), what=Word(what), n=MAX_NAME)
    return stripped


def check_email(address: str, what: str = "e-mail address") -> str:
    """One address a letter can be sent to, parsed (email-validator: syntax and
    normalisation, no look-up of the domain): no display name, no list, no quoting, no
    characters that would end a mail header. Returned in ASCII (a domain in other
    scripts as its IDNA form), so every mail server can carry it."""
    from email_validator import EmailNotValidError, validate_email

    stripped = address.strip()
    try:
        if len(stripped) > MAX_NAME:
            raise EmailNotValidError("too long")
        parsed = validate_email(stripped, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        raise RecordError(
            N_("{what} {address} is not an e-mail address"), what=Word(what), address=repr(stripped)
        ) from None
    assert parsed.ascii_email is not None  # allow_smtputf8=False: ASCII or refused
    return parsed.ascii_email


# A recording date outside this window is a typing mistake (0001-01-01, 2206-01-01) and
# would put the deletion date centuries away or past the calendar's end.
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2100, 12, 31)


def check_recording_date(day: dt.date) -> dt.date:
    if not FIRST_DATE <= day <= LAST_DATE:
        raise RecordError(
            N_("recording date {day} is not between {first} and {last}"),
            day=day.isoformat(),
            first=FIRST_DATE.isoformat(),
            last=LAST_DATE.isoformat(),
        )
    return day


# --- Consent before the fact ------------------------------------------------------------
# Consent cannot make a recording already made lawful: it is asked before the recording
# date, and a recording is registered no later than on the day it is made.


def check_new_recording_date(day: dt.date, today: dt.date) -> dt.date:
    """A recording is registered, and its consent asked, before it is made: a date
    before today is refused (today itself is fine)."""
    check_recording_date(day)
    if day < today:
        raise RecordError(
            N_(
                "recording date {day} has passed: consent cannot be asked for a recording"
                " already made"
            ),
            day=day.isoformat(),
        )
    return day


def check_deletion_date(day: dt.date, today: dt.date) -> dt.date:
    """A deletion date that is today or earlier leaves nothing to consent to."""
    if day <= today:
        raise RecordError(N_("the deletion date {day} is not after today"), day=day.isoformat())
    return day


def may_ask_consent(recorded_on: dt.date, today: dt.date, round_: int) -> bool:
    """A declaration, an invitation or an online answer asks for consent: until the day
    of the recording, or later only in a re-consent round (``round_`` 2 and up) for a
    recording made with consent, which asks about a new purpose or a longer retention."""
    return today <= recorded_on or round_ > 1


def asks_again_after_the_fact(statuses: Mapping[str, Status]) -> bool:
    """Who a re-consent round after the recording date asks again: only a person who
    consented to something. Whoever did not was kept out of the recording; asking them
    now would be consent after the fact."""
    return any(s is Status.GIVEN for s in statuses.values())


def too_late(recording_id: str, recorded_on: dt.date) -> str:
    """The refusal for asking consent after the fact."""
    return (
        f"recording {recording_id} was made on {recorded_on.isoformat()}: consent cannot be"
        " asked after the fact (only a re-consent round can ask again)"
    )


# --- The seven steps ("Maar hoe pak ik dit concreet aan?") ------------------------------

# A person's consent is not settled while a clause of their current form is still
# requested or waits for review; refused, no answer and withdrawn are settled: the
# person stays out of frame.
UNSETTLED = frozenset({Status.REQUESTED, Status.REVIEW})


@dataclass(frozen=True)
class Step:
    key: str
    procedure_step: int  # the step's number in the procedure's "stappenplan"
    title: str
    by_person: bool  # only a person can confirm it; otherwise formgen derives it


# In the procedure's order. Step 3 has two parts: checking the footage, and (situation 3
# only) reminding participants afterwards of their right to withdraw.
STEPS: tuple[Step, ...] = (
    Step("consent", 1, N_("Check or obtain written consent"), False),
    Step("camera", 2, N_("Choose a camera set-up that fits the consents"), False),
    Step("footage_checked", 3, N_("Check the footage: no one without consent appears"), True),
    Step("reminded", 3, N_("Remind participants of their right to withdraw"), False),
    Step("transport", 4, N_("Move the footage to secure storage, destroy the local copy"), True),
    Step(
        "stored",
        5,
        N_("Store it on the video platform: strict settings, description, automatic deletion"),
        True,
    ),
    Step("destroyed", 6, N_("Destroy the recording on time"), False),
    Step("reconsent", 7, N_("Ask again for consent when the purpose or retention changes"), False),
)


def step_word(key: str) -> Word:
    """A step in a refusal: its key in the English line, its title on a page."""
    return Word(key, next((s.title for s in STEPS if s.key == key), key))


def footage_check_needed(situation: Situation, advice: CameraAdvice) -> bool:
    """Step 3: check the footage unless everyone present consented. Only in situation 3
    does the record hold every declaration; in 1 and 2 the institution's generic ones
    are not in it, so formgen cannot know that everyone consented."""
    return situation is not Situation.OUTSIDE or advice.level is not Advice.ALL


# --- Who may do what in the service (docs/contract.md) -------------------------------------


class Role(StrEnum):
    STUDENT = "student"  # makes recordings and collects consent for them
    SUPERVISOR = "supervisor"  # supervises students' recordings, asks institutions
    OFFICER = "officer"  # the privacy officer: sees everything, keeps the users


class Act(StrEnum):
    """What a person can do to a recording (or its forms)."""

    SEE = "see"  # status, documents, checklist, description
    CHANGE = "change"  # participants, printing, scans, withdrawals, checklist, re-consent
    REQUEST = "request"  # ask an institution for declarations (situations 1 and 2)
    REVIEW = "review"  # decide what the scan reader was unsure about
    DESTROY = "destroy"
    EXPORT = "export"


@dataclass(frozen=True)
class Relation:
    """How a person stands to a recording."""

    role: Role
    owns: bool  # the student who makes it
    supervises: bool  # the supervisor named on it


def may(act: Act, who: Relation) -> bool:
    """The student of a recording does everything for it but ask institutions and
    resolve reviews; its supervisor does everything the procedure gives supervisors
    (and may destroy it on time); the officer may do anything, and alone exports.
    Anyone else may not even know it exists."""
    if who.role is Role.OFFICER:
        return True
    if act is Act.EXPORT:
        return False
    if who.owns and who.role is Role.STUDENT:
        return act in (Act.SEE, Act.CHANGE, Act.DESTROY)
    return who.supervises and who.role is Role.SUPERVISOR


def may_list_due(role: Role) -> bool:
    return role in (Role.SUPERVISOR, Role.OFFICER)


def may_manage_users(role: Role) -> bool:
    return role is Role.OFFICER


def may_create_recordings(role: Role) -> bool:
    """A recording is made by a student; the service names the signed-in student on it."""
    return role is Role.STUDENT


# Sign-in throttling: this many failures for one address (or from one client) within the
# window lock it out until the window has passed.
SIGN_IN_FAILURES = 5
SIGN_IN_WINDOW = dt.timedelta(minutes=15)


def sign_in_blocked(failures: Sequence[dt.datetime], now: dt.datetime) -> dt.datetime | None:
    """Until when sign-in is refused after these failures, or None."""
    recent = sorted(t for t in failures if t > now - SIGN_IN_WINDOW)
    if len(recent) < SIGN_IN_FAILURES:
        return None
    return recent[-SIGN_IN_FAILURES] + SIGN_IN_WINDOW


# --- A recording's consent in one word (the service's list of recordings) ---------------


class Summary(StrEnum):
    DESTROYED = "destroyed"
    DUE = "due"  # the deletion date has come and the recording was not destroyed
    EMPTY = "empty"  # no participants registered (yet)
    OPEN = "open"  # someone's consent is not settled: requested or to review
    PARTIAL = "partial"  # settled, but someone must not appear
    COMPLETE = "complete"  # everyone registered may appear


def consent_summary(
    people: Sequence[tuple[Mapping[str, Status], bool | None]],
    *,
    destroyed: bool,
    delete_by: dt.date,
    today: dt.date,
) -> Summary:
    """One word for a recording's consent (each person's clause statuses and signature):
    what needs doing first (destroy it: due on the deletion date itself, as the due
    list says; settle consent), then whether everyone may appear."""
    if destroyed:
        return Summary.DESTROYED
    if delete_by <= today:
        return Summary.DUE
    if not people:
        return Summary.EMPTY
    if any(s in UNSETTLED for statuses, _ in people for s in statuses.values()):
        return Summary.OPEN
    if all(may_appear(statuses, signed) for statuses, signed in people):
        return Summary.COMPLETE
    return Summary.PARTIAL


# --- Correcting mistakes ---------------------------------------------------------------


def removable_outright(statuses: Sequence[Status], *, scanned: bool, online: bool) -> bool:
    """A participant added by mistake leaves no trace only while nothing came back for
    their form: every event so far is the request, no page of it was scanned and no
    answer was started online. After that the form is voided (``invalidated``) with a
    reason and its history stays: it is proof of what happened."""
    return not scanned and not online and all(s is Status.REQUESTED for s in statuses)


def edit_reconsent_reason(
    old_date: dt.date,
    old_plan: Plan,
    old_until: dt.date,
    new_date: dt.date,
    new_plan: Plan,
    new_until: dt.date,
) -> str | None:
    """Whether changing a recording's date or live stream needs new consent (step 7),
    and the reason recorded on every consent it ends. The declarations name the date
    and whether the recording is streamed and the stream kept: consent given for one
    does not cover another. Streaming less, or keeping it for less time, needs none."""
    if new_date != old_date:
        return (
            f"recording date changed from {old_date.isoformat()} to {new_date.isoformat()}:"
            " new consent needed"
        )
    if new_plan.livestream and not old_plan.livestream:
        return "live streaming added: new consent needed"
    if new_plan.livestream_stored and not old_plan.livestream_stored:
        return "the live stream is now stored: new consent needed"
    return reconsent_reason(old_plan.purpose, old_until, new_plan.purpose, new_until)


def undoable_review(history: Sequence[tuple[Status, str | None]]) -> bool:
    """Whether a clause's last event (status, reason), oldest first, is a review
    decision that can be taken back to review: a withdrawal ends consent and is final
    (new consent needs a new form)."""
    last = history[-1][1] if history else None
    # "review resolved", or "review resolved: <the reviewer's reason>"
    if len(history) < 2 or not (
        last == REVIEW_RESOLVED or (last or "").startswith(REVIEW_RESOLVED + ": ")
    ):
        return False
    return history[-1][0] is not Status.WITHDRAWN and Status.REVIEW in TRANSITIONS[history[-1][0]]


REVIEW_RESOLVED = "review resolved"  # the reason of a reviewer's decision
REVIEW_UNDONE = "review decision undone"


def too_early(step: str, recorded_on: dt.date, today: dt.date) -> bool:
    """Step 3 checks footage that exists only from the recording date on."""
    return step == "footage_checked" and today < recorded_on


def destroy_needs_second_ask(recorded_on: dt.date, today: dt.date) -> bool:
    """Destroying before the recording date is most likely a slip: ask once more."""
    return today < recorded_on


# --- A class list as pasted -------------------------------------------------------------

_NUMBERED = re.compile(r"^\s*\d{1,4}\s*[.):]?\s+(?=\S)")
_YES = frozenset({"ja", "j", "yes", "y", "x", "onder 16", "under 16"})
_NO = frozenset({"nee", "n", "no", ""})
_HEADERS = frozenset(
    {
        "naam",
        "namen",
        "name",
        "names",
        "full name",
        "volledige naam",
        "leerling",
        "leerlingen",
        "student",
        "students",
        "deelnemer",
        "deelnemers",
        "participant",
        "participants",
    }
)
_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%y", "%d/%m/%y")


@dataclass(frozen=True)
class ListedPerson:
    line: int  # 1-based, as pasted
    name: str
    under_16: bool | None  # None: no marker on the line (the form's default applies)


@dataclass(frozen=True)
class ClassList:
    people: list[ListedPerson]
    errors: list[tuple[int, str]]  # (line, what is wrong with it)
    duplicates: list[str]  # names that occur more than once (a warning)


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _marker(cell: str, recorded_on: dt.date) -> bool | None:
    """``ja``/``nee`` (or yes/no), or a birth date; raises ValueError otherwise."""
    word = cell.strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return None if not word else False
    for fmt in _DATE_FORMATS:
        try:
            born = dt.datetime.strptime(word, fmt).date()
        except ValueError:
            continue
        if born > recorded_on:
            raise RecordError(
                N_("birth date {day} is after the recording date"), day=born.isoformat()
            )
        return age_on(born, recorded_on) < 16
    raise RecordError(
        N_("{value} is not ja/nee (yes/no) or a birth date (dd-mm-yyyy)"), value=repr(cell.strip())
    )


def _cells(line: str, recorded_on: dt.date) -> list[str]:
    """A spreadsheet's row (tabs or semicolons); a comma separates a column only before
    a marker ("Piet Jansen, ja"), as a name may hold one ("Jansen, Piet")."""
    for separator in ("\t", ";"):
        if separator in line:
            cells = [c.strip() for c in line.split(separator)]
            while cells and not cells[-1]:
                cells.pop()
            return cells
    if "," in line:
        name, _, last = line.rpartition(",")
        try:
            _marker(last, recorded_on)
        except ValueError:
            return [line.strip()]
        return [name.strip(), last.strip()]
    return [line.strip()]


def parse_class_list(text: str, recorded_on: dt.date) -> ClassList:
    """A pasted class list: one person a line, from a spreadsheet (tabs, semicolons or
    commas), numbered or not, with or without a header row; a second column says per
    person whether they are under 16 (ja/nee, yes/no) or gives a birth date, from which
    the age on the recording date follows. Each wrong line is named; nothing is
    guessed."""
    people: list[ListedPerson] = []
    errors: list[tuple[int, str]] = []
    first = True
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        cells = _cells(_NUMBERED.sub("", raw), recorded_on)
        if cells and re.fullmatch(r"\d{1,4}[.):]?", cells[0]) and len(cells) > 1:
            cells = cells[1:]  # a spreadsheet's row number in its own column
        # A header row names the name column ("Nr; Naam; Onder 16", "Name,Under 16").
        words = {w.strip().casefold() for w in re.split(r"[\t;,]", raw)}
        header, first = first and bool(words & _HEADERS), False
        if header:
            continue
        if len(cells) > 2:
            errors.append(
                (number, N_("more than two columns: a name and, if you like, under 16 (ja/nee)"))
            )
            continue
        try:
            name = check_name(cells[0])
            under_16 = _marker(cells[1], recorded_on) if len(cells) == 2 else None
        except RecordError as exc:  # the English line, its message ID kept for a page
            errors.append((number, Message(exc.message_id, **exc.params)))
            continue
        people.append(ListedPerson(number, name, under_16))
    seen: dict[str, int] = {}
    for person in people:
        key = " ".join(person.name.casefold().split())
        seen[key] = seen.get(key, 0) + 1
    duplicates = []
    for person in people:
        key = " ".join(person.name.casefold().split())
        if seen[key] > 1 and person.name not in duplicates:
            duplicates.append(person.name)
            seen[key] = 0
    return ClassList(people, errors, duplicates)
