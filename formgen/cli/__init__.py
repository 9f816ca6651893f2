"""``formgen``: a thin click layer over the library (docs/contract.md is its contract).

Every reporting command takes ``--json`` and then prints exactly one JSON document on
stdout. Every refusal is one line on stderr and a non-zero exit code.

The commands live in modules by area (recordings, consent, documents, scans, service);
``common`` holds what they share. This module only assembles the group.
"""

from __future__ import annotations

import gc

import click

from formgen.cli import common
from formgen.cli.common import LANGS, PURPOSES, Formgen, _hint

__all__ = ["LANGS", "PURPOSES", "_hint", "cli", "main"]


# Each command's module is imported when the command runs (or --help lists them all):
# `formgen scan import` loads only what it needs.
COMMANDS = {
    "recording": "recordings.recording",
    "participant": "recordings.participant",
    "sample": "recordings.sample_command",
    "status": "consent.status_command",
    "consent": "consent.consent",
    "withdraw": "consent.withdraw_command",
    "not-returned": "consent.not_returned_command",
    "due": "consent.due_command",
    "destroy": "consent.destroy_command",
    "describe": "consent.describe_command",
    "checklist": "consent.checklist_command",
    "export": "consent.export_command",
    "forms": "documents.forms_command",
    "layout": "documents.layout_command",
    "request": "documents.request_command",
    "withdrawal-form": "documents.withdrawal_form_command",
    "remind": "documents.remind_command",
    "scan": "scans.scan",
    "review": "scans.review",
    "user": "service.user",
    "serve": "service.serve_command",
    "worker": "service.worker_command",
    "store": "service.store_group",
}


@click.group(
    cls=Formgen,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="formgen")
def cli() -> None:
    """Consent declarations for recordings in educational practice: generate them,
    read the signed scans back, and keep each recording's consent record.

    The store is FORMGEN_DB (a database URL or an SQLite file path), by default
    output/formgen.db in the current directory.
    """


def main() -> None:
    common.pause_collector()
    common._process_began = common._process_started()
    try:
        cli()
    finally:
        # The command is done and its library closed (click's context): what is left
        # is freed by the exit itself, not searched by one last collection first
        # (the interpreter's own at exit: a twentieth of a one-page import).
        gc.freeze()
