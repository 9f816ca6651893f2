"""Online consent in tests: a store whose QR codes are links to the service's public
address, the tokens printed in those links, the codes mailed, and a printed page signed
on paper after all."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import zxingcpp

from formgen import Formgen
from formgen.config import Config, Mail
from formgen.documents.declarations import PAGES_PER_FORM
from formgen.mail.mailbox import Mailbox

from . import test_config
from .rendering import rasterise
from .scans import Fill, fill_page, save_png

PUBLIC = "https://formgen.example.nl"


def mail_config(tmp_path: Path, port: int, public_url: str = PUBLIC) -> Config:
    """A faculty's configuration for online consent: QR codes that link to
    ``public_url``, mail through the loopback SMTP server on ``port``."""
    return test_config(
        output_dir=tmp_path / "output",
        public_url=public_url,
        mail=Mail(host="127.0.0.1", port=port, sender="formgen@example.nl"),
    )


def recording(fg: Formgen, **kw: object) -> str:
    values = {
        "title": "Rekenles groep 5",
        "student": "Sam de Vries",
        "supervisor": "Dr. A. Jansen",
        "situation": 3,
        "purpose": "assessment",
        "date": dt.date.today() + dt.timedelta(days=7),
        "livestream": True,
        **kw,
    }
    return fg.create_recording(**values).id  # type: ignore[arg-type]


def qr_links(pdf: bytes, pages: list[int] | None = None) -> list[str]:
    """The QR texts of every page (or of ``pages``), decoded from the rendered PDF at
    scanner resolution."""
    return [zxingcpp.read_barcodes(page)[0].text for page in rasterise(pdf, 150, pages)]


def token_of(link: str) -> str:
    assert link.startswith(PUBLIC + "/c/")
    return link.removeprefix(PUBLIC + "/c/")


def printed_token(fg: Formgen, rec: str, page: int = 0) -> str:
    """The token of a printed page's QR code, by its page in the recording's declarations
    (page 0: the first form's first page). Only the form that holds the page is rendered:
    the forms come in the order of the record's participants, each PAGES_PER_FORM long."""
    people = fg.status(rec).participants
    form_id = people[page // PAGES_PER_FORM].form_id
    written = fg.forms(rec, participants=[form_id], save=False)
    token = token_of(qr_links(written.data, [page % PAGES_PER_FORM])[0])
    return token


def code_in(box: Mailbox, address: str) -> str:
    found = re.search(r"\b(\d{6})\b", box.last(address).text)
    assert found
    return found.group(1)


def scan_signed_page(
    fg: Formgen, rec: str, form_id: str, marks: dict[str, list[str]], out: Path
) -> Path:
    """Page 3 of the form as printed again, filled in on paper and scanned."""
    written = fg.forms(rec, participants=[form_id], save=False)
    page = rasterise(written.data, 300, [2])[0]
    sheet = next(p for p in fg.layout(form_id)["pages"] if p["page"] == 3)
    filled = fill_page(page, sheet, Fill(marks), np.random.default_rng(7))
    return save_png(out, filled)
