"""``formgen``: a thin click layer over the library (docs/contract.md is its contract).

Every reporting command takes ``--json`` and then prints exactly one JSON document on
stdout. Every refusal is one line on stderr and a non-zero exit code.

The commands live in modules by area (recordings, consent, documents, scans, service);
``common`` holds what they share. This module only assembles the group.
"""

from __future__ import annotations

import click

from formgen.cli import common
from formgen.cli.common import LANGS, PURPOSES, Formgen, _hint

__all__ = ["LANGS", "PURPOSES", "_hint", "cli", "main"]


@click.group(cls=Formgen, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="formgen")
def cli() -> None:
    """Consent declarations for recordings in educational practice: generate them,
    read the signed scans back, and keep each recording's consent record.

    The store is FORMGEN_DB (a database URL or an SQLite file path), by default
    output/formgen.db in the current directory.
    """


def main() -> None:
    common._process_began = common._process_started()
    cli()


from formgen.cli import consent, documents, recordings, scans, service  # noqa: E402

for command in (
    recordings.recording,
    recordings.participant,
    recordings.sample_command,
    consent.status_command,
    consent.consent,
    consent.withdraw_command,
    consent.not_returned_command,
    consent.due_command,
    consent.destroy_command,
    consent.describe_command,
    consent.checklist_command,
    consent.export_command,
    documents.forms_command,
    documents.layout_command,
    documents.request_command,
    documents.withdrawal_form_command,
    documents.remind_command,
    scans.scan,
    scans.review,
    service.user,
    service.serve_command,
    service.worker_command,
    service.store_group,
):
    cli.add_command(command)
