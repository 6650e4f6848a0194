"""How an outbox row leaves: over SMTP (MAIL_SERVER set), or into the dev mailbox page (the demo).

Both build the same multipart text + HTML message. SMTP errors become a DeliveryError that says
whether trying again can help and whether the server refused the recipient itself.
"""

from __future__ import annotations

import hashlib
import secrets
import smtplib
import ssl
import threading
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from email import charset, policy
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr

from integration.models import SentEmail
from integration.settings import Settings

SMTP_TIMEOUT = 30  # seconds for connecting and for each SMTP reply
CONNECTIONS = 8  # SMTP connections one delivery job keeps open at most: its sends overlap while each waits


class WirePolicy(policy.Compat32):
    """compat32 that writes a header already in its wire form (ASCII, one line, within SMTP's 998 characters)
    as it is: every header is encoded here before it is set, so folding it again only cost CPU."""

    def _fold(self, name: str, value: object, sanitize: bool) -> str:
        if (isinstance(value, str) and value.isascii() and "\n" not in value and "\r" not in value
                and len(name) + 2 + len(value) <= self.max_line_length):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)


# The classic MIME classes build a message in a third of the time the modern EmailMessage takes (which
# parses every header it is given); headers go out encoded here, up to SMTP's 998-character line, so a
# long subject stays one line, exactly as written.
MESSAGE_POLICY = WirePolicy(max_line_length=998)
ADDRESS_HEADERS = frozenset({"From", "To", "Reply-To"})
UTF8_TEXT = charset.Charset("utf-8")
UTF8_TEXT.body_encoding = charset.QP  # text stays readable on the wire (and to spam filters), not base64


class DeliveryError(Exception):
    """An email that did not go: the reason in words, whether a retry may help, whether the address was refused."""

    def __init__(self, reason: str, *, transient: bool, recipient_refused: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.transient, self.recipient_refused = reason, transient, recipient_refused


def message_id(row: SentEmail, sender: str) -> str:
    """A Message-ID derived from the idempotency key: a resent copy carries the same id."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "gapline.local"
    return f"<{hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(row: SentEmail, sender: str) -> Message:
    """The MIME message for a row: text first, HTML as the alternative, with the row's extra headers."""
    headers = dict(row.headers or {})
    fields = {"From": headers.pop("From", sender), "To": row.to_address, "Subject": row.subject,
              "Date": formatdate(localtime=False), "Message-ID": message_id(row, sender), **headers}
    parts = [MIMEText(row.body_text, "plain", UTF8_TEXT, policy=MESSAGE_POLICY)]
    if row.body_html:
        parts.append(MIMEText(row.body_html, "html", UTF8_TEXT, policy=MESSAGE_POLICY))
    message = (MIMEMultipart("alternative", boundary=_boundary(), policy=MESSAGE_POLICY) if len(parts) > 1
               else parts[0])
    for name, value in fields.items():
        message[name] = _header(name, value)
    if len(parts) > 1:
        for part in parts:
            message.attach(part)
    return message


def _boundary() -> str:
    """A random MIME boundary, set before the message is written (the writer otherwise makes one and compiles a
    pattern to search both parts for it). A quoted-printable part cannot hold it: its "=" would read "=3D"."""
    return f"=_{secrets.token_hex(16)}"


def _header(name: str, value: str) -> str:
    """A header value as it goes on the wire: plain ASCII as is, anything else RFC 2047-encoded."""
    if value.isascii():
        return value
    if name in ADDRESS_HEADERS:
        return formataddr(parseaddr(value))  # the display name is encoded, the address kept readable
    return Header(value, "utf-8", maxlinelen=998).encode()


class MailboxTransport:
    """The demo's transport: the row itself is the message, shown on the dev mailbox page."""

    def __enter__(self) -> MailboxTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, message: Message, to: str) -> None:
        """Nothing to do: marking the row sent puts it in the mailbox."""


class SmtpTransport:
    """One SMTP connection for a batch of rows, reopened if the server drops it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self._close()

    def send(self, message: Message, to: str) -> None:
        """Send one message to ``to``; DeliveryError says why not."""
        try:
            self._connect().send_message(message, from_addr=parseaddr(self.settings.mail_default_sender)[1],
                                         to_addrs=[to])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _refusal(code, text, to) from exc
        except smtplib.SMTPResponseException as exc:
            self._close()
            raise DeliveryError(f"the mail server answered {exc.smtp_code} {_text(exc.smtp_error)}",
                                transient=400 <= exc.smtp_code < 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._close()
            raise DeliveryError(f"could not reach the mail server {self.settings.mail_server}:"
                                f"{self.settings.mail_port} ({_describe(exc)})", transient=True) from exc

    def _connect(self) -> smtplib.SMTP:
        if self.connection is None:
            settings = self.settings
            connection = smtplib.SMTP(settings.mail_server, settings.mail_port, timeout=SMTP_TIMEOUT)
            if settings.mail_use_tls:
                connection.starttls(context=ssl.create_default_context())
            if settings.mail_username:
                connection.login(settings.mail_username, settings.mail_password)
            self.connection = connection
        return self.connection

    def _close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                connection.close()


def _refusal(code: int, text: bytes | str, address: str) -> DeliveryError:
    """A refused recipient: 5xx is final (unknown address, mailbox full for good), 4xx may clear up."""
    reason = f"the mail server refused {address}: {code} {_text(text)}"
    return DeliveryError(reason, transient=400 <= code < 500, recipient_refused=code >= 500)


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _describe(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def transport_for(settings: Settings) -> MailboxTransport | SmtpTransport:
    """SMTP when MAIL_SERVER is set; otherwise the dev mailbox."""
    return SmtpTransport(settings) if settings.mail_server else MailboxTransport()


class Senders:
    """Up to CONNECTIONS transports for one batch, each kept by one thread, so sends overlap while each waits
    on the server; results come back as the server answers them."""

    def __init__(self, settings: Settings, connections: int = CONNECTIONS) -> None:
        self.settings, self.connections = settings, connections
        self.local = threading.local()
        self.opened: list[MailboxTransport | SmtpTransport] = []
        self.lock = threading.Lock()

    def __enter__(self) -> Senders:
        return self

    def __exit__(self, *exc: object) -> None:
        for transport in self.opened:
            transport.__exit__(None, None, None)

    def send(self, outgoing: dict[int, tuple[str, Message]]) -> Iterator[list[tuple[int, DeliveryError | None]]]:
        """Send each ``{id: (to, message)}``; yields (id, error or None) pairs as soon as each is answered."""
        if not outgoing:
            return
        with ThreadPoolExecutor(max_workers=min(self.connections, len(outgoing))) as pool:
            pending = {pool.submit(self._send_one, message, to): email_id
                       for email_id, (to, message) in outgoing.items()}
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                yield [(pending.pop(future), future.result()) for future in done]

    def _send_one(self, message: Message, to: str) -> DeliveryError | None:
        transport = getattr(self.local, "transport", None)
        if transport is None:
            transport = self.local.transport = transport_for(self.settings)
            with self.lock:
                self.opened.append(transport)
        try:
            transport.send(message, to)
        except DeliveryError as exc:
            return exc
        return None
