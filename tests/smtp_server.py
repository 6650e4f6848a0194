"""A real SMTP server for the tests: aiosmtpd on a free port, recording every message it accepts.

It can refuse chosen recipients (as a mail server refuses an unknown address or a full mailbox), stop
and start again on the same port (a mail server that is down, then up), and hold a conversation at
RCPT until the test lets it go (to kill a sender in the middle of a send). It keeps each message as the
bytes it received and parses them when a test reads them, so the server's loop does only SMTP's work
(parsing on receipt cost it five times the conversation, and the email bench shares this process).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.services import free_port

# aiosmtpd logs every command at INFO; the server is a stand-in, its chatter only slows the tests down.
logging.getLogger("mail.log").setLevel(logging.WARNING)


class Recorder:
    """The aiosmtpd handler: accepts, refuses or holds recipients and keeps each accepted message."""

    def __init__(self) -> None:
        self.received: list[bytes] = []  # each accepted message as it came over the wire
        self.parsed: list[EmailMessage] = []  # the first len(parsed) of them, parsed when first read
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: dict[str, str] = {}  # address -> SMTP reply, e.g. "550 5.1.1 No such user"
        self.hold: threading.Event | None = None  # set: RCPT waits until the event is set
        self.holding = threading.Event()  # set while a conversation is held at RCPT
        self.lock = threading.Lock()
        self.reading = threading.Lock()  # one reader parses at a time

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        if self.hold is not None and not self.hold.is_set():
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.hold.wait)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.received.append(envelope.content)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        """Every accepted message, parsed (each once)."""
        with self.reading:
            with self.lock:
                received = self.received[len(self.parsed):]
            self.parsed.extend(message_from_bytes(content, policy=policy.default) for content in received)
            return list(self.parsed)

    def count(self) -> int:
        """How many messages were accepted (nothing parsed)."""
        with self.lock:
            return len(self.received)


class SmtpServer:
    """A running aiosmtpd server on 127.0.0.1 and a free port."""

    def __init__(self) -> None:
        self.host, self.port = "127.0.0.1", free_port()
        self.recorder = Recorder()
        self.controller: Controller | None = None

    def start(self) -> SmtpServer:
        """Listen (again) on the same port."""
        self.controller = Controller(self.recorder, hostname=self.host, port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        """Stop listening: connections are refused until ``start``."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message accepted so far."""
        return self.recorder.messages()

    def to(self, address: str) -> list[EmailMessage]:
        """The accepted messages addressed to ``address``."""
        return [m for m in self.messages if m["To"] == address]

    def env(self) -> dict[str, str]:
        """The environment that points Gapline's MAIL_* settings at this server."""
        return {"MAIL_SERVER": self.host, "MAIL_PORT": str(self.port)}
