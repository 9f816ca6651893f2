"""A real SMTP server on loopback that keeps what it receives, in memory: the demo's
mail (``formgen serve --demo`` shows it on a page) and the tests'. Never for production:
it accepts mail from anyone who can reach 127.0.0.1 and forwards nothing."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any


@dataclass(frozen=True)
class Received:
    to: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        body = self.message.get_body(preferencelist=("plain",))
        return body.get_content() if body is not None else ""

    def attachments(self) -> list[tuple[str, bytes]]:
        return [
            (part.get_filename() or "", part.get_content())
            for part in self.message.iter_attachments()
        ]


class Mailbox:
    """``with Mailbox() as box:`` an SMTP server on ``box.port`` until the block ends."""

    def __init__(self, port: int = 0) -> None:
        self.port = port or _free_port()
        self.received: list[Received] = []
        self._lock = threading.Lock()
        self._controller: Any = None

    def start(self) -> Mailbox:
        from aiosmtpd.controller import Controller

        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Mailbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def keep(self, to: list[str], data: bytes) -> None:
        message = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(Received(to, message))

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [m for m in self.received if address.lower() in (a.lower() for a in m.to)]

    def last(self, address: str) -> Received:
        found = self.to(address)
        if not found:
            raise LookupError("no mail to that address")
        return found[-1]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.box.keep(list(envelope.rcpt_tos), bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
