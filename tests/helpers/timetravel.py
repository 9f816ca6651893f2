"""Dates relative to today, and time passing for a recording.

formgen refuses a recording dated before today (consent is never asked after the fact),
so a test that needs a recording already made registers it in the future, asks and
records consent as a person would, then lets the days pass: ``backdate`` moves the
recording's dates (recording, deletion, every form's deletion date) the same number of
days into the past. Nothing else changes, exactly as if
the test ran that many days later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, select, update

from formgen import config as config_module
from formgen.record import records
from formgen.record.schema import forms, participants, recordings
from formgen.record.store import open_store

from . import test_config


def today() -> dt.date:
    """Today as formgen sees it (the default organisation's time zone)."""
    return config_module.today(test_config())


def days_from_today(days: int) -> dt.date:
    return today() + dt.timedelta(days=days)


def backdate(recording_id: str, days: int, engine: Engine | None = None) -> None:
    """Let ``days`` pass for ``recording_id``: its dates move ``days`` into the past. The
    store is ``engine``, else the one ``FORMGEN_DB`` names (as the CLI opens it)."""
    shift = dt.timedelta(days=days)
    own = engine is None
    engine = engine or open_store()
    try:
        with engine.begin() as conn:
            row = conn.execute(
                select(
                    recordings.c.recorded_on, recordings.c.delete_by, recordings.c.created_at
                ).where(recordings.c.id == recording_id)
            ).one()
            conn.execute(
                update(recordings)
                .where(recordings.c.id == recording_id)
                .values(
                    recorded_on=row.recorded_on - shift,
                    delete_by=row.delete_by - shift,
                )
            )
            people = select(participants.c.id).where(participants.c.recording_id == recording_id)
            for form_id, until in conn.execute(
                select(forms.c.id, forms.c.delete_by).where(forms.c.participant_id.in_(people))
            ):
                if until is not None:
                    conn.execute(
                        update(forms).where(forms.c.id == form_id).values(delete_by=until - shift)
                    )
    finally:
        if own:
            engine.dispose()


def backdate_to(recording_id: str, day: dt.date, engine: Engine | None = None) -> None:
    """Let time pass until ``recording_id`` was made on ``day``."""
    own = engine is None
    engine = engine or open_store()
    try:
        with engine.connect() as conn:
            made = conn.execute(
                select(recordings.c.recorded_on).where(recordings.c.id == recording_id)
            ).scalar_one()
        backdate(recording_id, (made - day).days, engine)
    finally:
        if own:
            engine.dispose()


@contextmanager
def clock(at: dt.datetime) -> Iterator[None]:
    """formgen's clock shows ``at`` (UTC) inside: what it records there, it records as
    happening then (a destruction "13 months ago"). The event logs are append-only, so
    their times cannot be moved afterwards as ``backdate`` moves a recording's dates."""
    saved = records.now
    records.now = lambda: at.replace(microsecond=0)  # type: ignore[assignment]
    try:
        yield
    finally:
        records.now = saved  # type: ignore[assignment]


def utc_days_ago(days: int) -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=days)


def local_day(utc: dt.datetime) -> dt.date:
    """The day a stored (UTC) time falls on in the organisation's time zone: what formgen
    counts from (between 22:00 and 24:00 UTC, Amsterdam is a day further)."""
    return config_module.local(test_config(), utc).date()
