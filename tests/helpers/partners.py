"""Situations 1 and 2 for tests of more than one module: a student and a supervisor
with accounts, and a recording at a partner institution."""

from __future__ import annotations

from typing import Any

from formgen import Formgen

from .timetravel import days_from_today


def people(fg: Formgen) -> tuple[Any, Any]:
    student = fg.add_user("sam@example.org", name="Sam de Vries", role="student", password=None)
    supervisor = fg.add_user(
        "jansen@example.org", name="Dr. A. Jansen", role="supervisor", password=None
    )
    return student, supervisor


def partner_recording(fg: Formgen, student: Any, situation: int = 2, **kw: Any) -> str:
    values: dict[str, Any] = {
        "title": "Rekenles groep 5",
        "supervisor": "jansen@example.org",
        "situation": situation,
        "purpose": "assessment",
        "date": days_from_today(10),
        "institution": "OBS De Regenboog",
        **kw,
    }
    return str(fg.as_user(student).create_recording(**values).id)
