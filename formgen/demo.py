"""The example a newcomer looks at first: a recording of a maths lesson with three
participants (one under 16, one English), for ``formgen sample`` (``Formgen.sample``),
the demo accounts of ``formgen serve --demo`` (``Formgen.demo``) and the benchmarks,
which start from the same recording. Everything here is made up."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from formgen import config as config_module
from formgen.errors import NotFound
from formgen.record import accounts
from formgen.values import NewRecording, Sample

if TYPE_CHECKING:
    from formgen.access import PersonalFormgen
    from formgen.api import Formgen
    from formgen.record.accounts import User

# The demo's accounts, one per role: (role, e-mail, name).
ACCOUNTS = (
    ("student", "sam@example.org", "Sam de Vries"),
    ("supervisor", "jansen@example.org", "Dr. A. Jansen"),
    ("officer", "privacy@example.org", "P. Vermeer"),
)
# The sample's participants: (name, add_participant's keywords).
PEOPLE: tuple[tuple[str, dict[str, Any]], ...] = (
    ("Noor Bakker", {}),
    ("Daan 't Hooft", {"under_16": True}),
    ("Alex Çelik", {"lang": "en"}),
)


def recording(today: dt.date, **changes: Any) -> NewRecording:
    """The example recording, a week after ``today`` (consent is asked before it);
    ``changes`` replace any of its values (a benchmark's title, a 360° camera)."""
    example = NewRecording(
        title="Voorbeeld: rekenles groep 5",
        student="Sam de Vries",
        supervisor="Dr. A. Jansen",
        situation=3,
        purpose="assessment",
        date=today + dt.timedelta(days=7),
        livestream=True,
    )
    return dataclasses.replace(example, **changes)


def add_people(lib: Formgen | PersonalFormgen, recording_id: str) -> None:
    for name, options in PEOPLE:
        lib.add_participant(recording_id, name, **options)


def sample(lib: Formgen, today: dt.date | None = None) -> Sample:
    """The sample recording, its participants and their declarations. Printed with an
    example DPO contact where the faculty has not set its own."""
    lib.config = config_module.with_example_dpo(lib.config)
    made = lib.create_recording(recording(today or dt.date.today()))
    add_people(lib, made.id)
    return Sample(made, lib.forms(made.id))


def demo(lib: Formgen, today: dt.date | None = None) -> list[tuple[User, str]]:
    """The demo accounts, each with a new random password (returned, to be shown once),
    and the sample recording as the student's, supervised by the supervisor (made once).
    The demo prints with an example DPO contact where the faculty has not set its own."""
    lib.config = config_module.with_example_dpo(lib.config)
    made = []
    for role, email, name in ACCOUNTS:
        password = secrets.token_urlsafe(9)
        try:
            account = accounts.by_email(lib.engine, email)
            accounts.set_password(lib.engine, account.id, password)
        except NotFound:
            account = lib.add_user(email, name=name, role=role, password=password)
        made.append((account, password))
    student = lib.as_user(made[0][0])
    if not student.recordings():
        example = recording(today or dt.date.today(), supervisor=made[1][0].email)
        add_people(student, student.create_recording(example).id)
    return made
