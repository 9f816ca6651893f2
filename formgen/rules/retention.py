"""Purposes and retention (step 6): how long a recording is kept for its purpose, who
may see it, and when a change needs new consent (step 7).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from formgen.words import N_, Message, Word


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
            raise ValueError(
                Message(N_("retention {text!r} is not like '4 weeks', '1 year' or '7y'"), text=text)
            )
        unit = {"d": "days", "w": "weeks", "m": "months", "y": "years"}[match.group(2)[0].lower()]
        return cls(int(match.group(1)), unit)

    def after(self, start: dt.date) -> dt.date:
        if self.unit in ("days", "weeks"):
            try:
                return start + dt.timedelta(**{self.unit: self.amount})
            except OverflowError:  # a date past 9999 is a misconfiguration, not a crash
                raise ValueError(
                    Message(
                        N_("{period} after {start} falls after the year {year}"),
                        period=str(self),
                        start=start.isoformat(),
                        year=dt.MAXYEAR,
                    )
                ) from None
        months = self.amount * (12 if self.unit == "years" else 1)
        try:
            return add_months(start, months)
        except ValueError:
            raise ValueError(
                Message(
                    N_("{period} after {start} falls after the year {year}"),
                    period=str(self),
                    start=start.isoformat(),
                    year=dt.MAXYEAR,
                )
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
            Message(
                N_("{months} months after {start} falls outside the years {first} to {last}"),
                months=months,
                start=start.isoformat(),
                first=dt.MINYEAR,
                last=dt.MAXYEAR,
            )
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
            Message(
                N_(
                    "the new deletion date {extend_to} is later than {cap}: a recording for"
                    " {purpose} is kept at most {period} from its date {recorded_on}"
                ),
                extend_to=extend_to.isoformat(),
                cap=cap.isoformat(),
                purpose=Word(str(purpose)),  # "reflection": a word of the catalogue
                period=str(retention[purpose]),
                recorded_on=recorded_on.isoformat(),
            )
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
