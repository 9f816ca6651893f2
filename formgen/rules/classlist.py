"""A class list as pasted: one person a line, with an optional under-16 marker or a
birth date.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from formgen.errors import RecordError
from formgen.rules.checks import check_name
from formgen.words import N_, Message

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
