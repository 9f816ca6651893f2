"""Form IDs and the QR payload printed on every page.

A form ID is eight random Crockford base-32 characters plus a Luhn mod 32 check
character ("7KQ2-M9XD-4"): opaque, no personal data, and a single mistyped character
or a swap of two neighbours is caught when someone types it from the paper (all but
"0Z" and "Z0", Luhn's one blind spot: the alphabet's first and last character).

The QR payload ``FG1.<instance>.<form>.<page>.<mac>`` adds the page number, the public
tag of the formgen instance that issued it, and an HMAC over all of it with that
instance's secret, so a foreign or forged code is recognised as such.

With a public address configured the QR code is a link that opens the form online:
``{public_url}/c/FG1.<instance>.<form>.<page>.<mac>.<secret>``. The reader takes the
payload from the link's last part as before (forms printed earlier keep reading); the
secret (130 random bits, only its hash stored) is what lets a browser open the form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from formgen.words import N_, Message

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Characters people (and OCR) confuse with the alphabet's own.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
DATA_LENGTH = 8
PREFIX = "FG1"


class FormIdError(ValueError):
    pass


def check_char(data: str) -> str:
    """Luhn mod N over the alphabet."""
    factor, total, n = 2, 0, len(ALPHABET)
    for char in reversed(data):
        addend = factor * _VALUE[char]
        total += addend // n + addend % n
        factor = 1 if factor == 2 else 2
    return ALPHABET[(n - total % n) % n]


def new_form_id() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return f"{data[:4]}-{data[4:]}-{check_char(data)}"


def normalise(text: str) -> str:
    """Accept what a person types ("7kq2 m9xd 4", "7KQ2M9XD4") and return the canonical
    form, or raise if the check character does not match."""
    raw = "".join(text.split()).replace("-", "").upper().translate(_READ_AS)
    if len(raw) != DATA_LENGTH + 1 or any(c not in _VALUE for c in raw):
        raise FormIdError(Message(N_("{text!r} is not a form ID (like 7KQ2-M9XD-4)"), text=text))
    data, check = raw[:-1], raw[-1]
    if check_char(data) != check:
        raise FormIdError(Message(N_("{text!r} has a wrong check character: mistyped?"), text=text))
    return f"{data[:4]}-{data[4:]}-{check}"


@dataclass(frozen=True)
class Instance:
    """The issuing formgen installation: a secret key kept in the store."""

    secret: bytes

    @classmethod
    def create(cls) -> Instance:
        return cls(secrets.token_bytes(32))

    @property
    def tag(self) -> str:
        digest = hashlib.sha256(b"formgen-instance" + self.secret).digest()
        return "".join(ALPHABET[b % 32] for b in digest[:4])

    def _mac(self, body: str) -> str:
        digest = hmac.new(self.secret, body.encode(), hashlib.sha256).digest()
        return "".join(ALPHABET[b % 32] for b in digest[:8])

    def payload(self, form_id: str, page: int) -> str:
        body = f"{PREFIX}.{self.tag}.{form_id.replace('-', '')}.{page}"
        return f"{body}.{self._mac(body)}"

    def verify(self, payload: str) -> tuple[str, int]:
        """Return (form_id, page) or raise FormIdError saying what is wrong. A link's
        secret is not checked here: the reader needs only the form and the page."""
        form_id, page, _ = self.verify_link(payload)
        return form_id, page

    def verify_link(self, payload: str) -> tuple[str, int, str | None]:
        """(form_id, page, secret) of a payload or link (secret None: a plain payload)."""
        text = payload.strip()
        if LINK_PATH in text:
            text = text.rsplit(LINK_PATH, 1)[1]
        parts = text.split(".")
        secret = parts.pop() if len(parts) == 6 else None
        if secret is not None and not is_secret(secret):
            raise FormIdError(N_("QR code is not a formgen code"))
        if len(parts) != 5 or parts[0] != PREFIX:
            raise FormIdError(N_("QR code is not a formgen code"))
        _, tag, form, page, mac = parts
        if tag != self.tag:
            raise FormIdError(N_("QR code belongs to another formgen installation"))
        body = ".".join(parts[:4])
        if not hmac.compare_digest(mac, self._mac(body)):
            raise FormIdError(N_("QR code fails its integrity check (altered or forged)"))
        if not page.isdigit() or not 1 <= int(page) <= 99:
            raise FormIdError(N_("QR code carries an impossible page number"))
        return normalise(form), int(page), secret


# --- Links that open a form online -------------------------------------------------------

LINK_PATH = "/c/"
SECRET_LENGTH = 26  # base-32 characters: 130 bits


def new_secret() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(SECRET_LENGTH))


def is_secret(text: str) -> bool:
    return len(text) == SECRET_LENGTH and all(c in _VALUE for c in text)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(b"formgen link " + secret.encode()).hexdigest()


class Links:
    """QR payloads that are links: one new secret per form rendered, the same on each of
    its pages. ``issued`` holds them until the caller stores their hashes."""

    def __init__(self, instance: Instance, public_url: str) -> None:
        self.instance = instance
        self.base = public_url.rstrip("/")
        self.issued: dict[str, str] = {}

    def secret(self, form_id: str) -> str:
        return self.issued.setdefault(form_id, new_secret())

    def token(self, form_id: str, page: int = 1) -> str:
        return f"{self.instance.payload(form_id, page)}.{self.secret(form_id)}"

    def payload(self, form_id: str, page: int) -> str:
        return f"{self.base}{LINK_PATH}{self.token(form_id, page)}"
