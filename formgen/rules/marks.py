"""Reading marks (docs/contract.md): a box's ink measured into a mark, a pair of boxes
into a decision (the mark decision rule), the child's box and the signature field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from formgen.rules.status import Status
from formgen.words import N_


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
    # ink this large on a fold's crease through the box (touching its bare line), and no
    # mark by itself: a tick along the crease, or the crease's crumbs? A person looks.
    # (0.16, the dust limit, let a dot-tick the crease took nearly all of read as empty:
    # creased-boxes corpus, 9 seeds, 810 decisions: 0 misread, 2.5 % needless reviews)
    crease_mm2: float = 0.05
    # this share of a box's ink faint, and dark enough only with the printed box it
    # touches: the other side shining through over the outline, or light pencil drawn
    # up to it? A person looks (it was read as a mark: a parental form's child box so
    # refused every clause, show-through corpus, seed 4).
    faint: float = 0.5


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
    stroke whose bulk is in another box, a loop round the answer, and ink that touches
    a fold's crease through the box (the crease itself is not ink: a crease only adds)."""

    ink: float = 0.0
    stroke_mm: float = 0.0
    blob_mm2: float = 0.0
    foreign_mm2: float = 0.0
    ring: float = 0.0  # how far round the answer (its word, its box, or both) 0..1
    ring_struck: float = 0.0  # share of the answer's printed word written over
    crease_mm2: float = 0.0  # ink on a fold's crease through the box (the crease not in ink)
    faint: float = 0.0  # share of the ink that is dark enough only with the print it touches


def read_box(box: BoxInk, thresholds: Thresholds = Thresholds()) -> tuple[Mark, str | None]:
    """One answer: marked (ticked, crossed, filled, a short dash or a firm dot in the
    box, or the answer circled), empty, or unsure with the reason. Specks are nothing;
    a stroke that belongs to another box, a loop part of the way round, an answer
    written over, ink that is no mark by itself where a crease runs through the box, or
    faint ink that is dark enough only with the printed box it touches is for a person."""
    t = thresholds
    by_ink = classify_mark(box.ink, t)
    marked = by_ink is Mark.MARKED or box.stroke_mm >= t.dash_mm or box.blob_mm2 >= t.blob_mm2
    if box.faint >= t.faint and (marked or by_ink is Mark.UNSURE):
        return Mark.UNSURE, N_("faint ink against the box: the other side showing through?")
    if marked:
        return Mark.MARKED, None
    if box.crease_mm2 >= t.crease_mm2:  # never a guess: a crease and what else?
        return Mark.UNSURE, N_("a crease or a straight bar (a staple?) runs through the box")
    if box.ring >= t.ring:
        if box.ring_struck >= t.struck:
            return Mark.UNSURE, N_("the answer is circled and written over")
        return Mark.MARKED, "circled"
    if box.ring >= t.ring_unsure:
        # words.REASON_TEMPLATES: "a loop {share} of the way round the answer"
        return Mark.UNSURE, f"a loop {box.ring:.0%} of the way round the answer"
    if by_ink is Mark.UNSURE or box.stroke_mm >= t.speck_mm or box.blob_mm2 >= t.speck_mm2:
        return Mark.UNSURE, N_("a small or faint mark in the box")
    if box.foreign_mm2 >= t.foreign_mm2:
        return Mark.UNSURE, N_("a stroke from another box runs into it")
    if box.ring_struck >= t.struck:
        return Mark.UNSURE, N_("the answer's word is written over")
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
            N_(
                "nothing marked on a black-and-white scan, where light pencil can vanish:"
                " check the paper"
            ),
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
        unclear = N_("the box 'my child does not want to appear' is unclear")
        return Decision(Status.REVIEW, f"{unclear} ({note})" if note else unclear)
    return None


def with_child_box(read: Decision, child: Decision | None) -> Decision:
    """A clause's own reading, overruled by the child's box: a refusal wins over
    anything; doubt about it turns a yes into review (never into consent), and no
    answer too (the child may have refused it: not a clause to ask about again)."""
    if child is None:
        return read
    if child.status is Status.REFUSED:
        return child
    if read.status in (Status.GIVEN, Status.REVIEW, Status.NO_ANSWER):
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
    longest_mm: float,
    length_mm: float,
    faint_mm: float = 0.0,
    thresholds: SignatureThresholds = SignatureThresholds(),
) -> tuple[bool | None, str | None]:
    """Signed (True), not signed (False), or not sure (None, with the reason).
    ``faint_mm``: the largest stroke that is ink only by touching the frame line or a
    speck, far lighter than the page's print (the other side's writing shining through,
    or very light pencil): never a signature by itself, nor proof of none; and where it
    is longer than the longest stroke, that stroke may be a darker spot of it (a felt
    pen's start shining through, 8 mm beside 48 mm of faint writing): a person looks."""
    t = thresholds
    faint = N_("faint writing in the signature field: the other side showing through?")
    if faint_mm >= t.unsigned_mm and faint_mm > longest_mm:
        return None, faint
    if longest_mm >= t.signed_mm or (longest_mm >= t.unsigned_mm and length_mm >= t.length_mm):
        return True, None
    if faint_mm >= t.unsigned_mm:
        return None, faint
    if longest_mm < t.unsigned_mm:
        return False, None
    # words.REASON_TEMPLATES: "only a mark of {mm} mm in the signature field"
    return None, f"only a mark of {longest_mm:.1f} mm in the signature field"
