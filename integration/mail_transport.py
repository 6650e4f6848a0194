"""How an outbox row leaves: over SMTP (MAIL_SERVER set), or into the dev mailbox page (the demo).

Both build the same multipart text + HTML message. SMTP errors become a DeliveryError that says
whether trying again can help and whether the server refused the recipient itself.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from integration.models import SentEmail
from integration.settings import Settings

SMTP_TIMEOUT = 30  # seconds for connecting and for each SMTP reply
# Headers up to SMTP's 998-character line: a long subject stays one line, exactly as written.
MESSAGE_POLICY = policy.default.clone(max_line_length=998)


class DeliveryError(Exception):
    """An email that did not go: the reason in words, whether a retry may help, whether the address was refused."""

    def __init__(self, reason: str, *, transient: bool, recipient_refused: bool = False) -> None:
        super().__init__(reason)
        self.reason, self.transient, self.recipient_refused = reason, transient, recipient_refused


def message_id(row: SentEmail, sender: str) -> str:
    """A Message-ID derived from the idempotency key: a resent copy carries the same id."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "gapline.local"
    return f"<{hashlib.sha256(row.idempotency_key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(row: SentEmail, sender: str) -> EmailMessage:
    """The MIME message for a row: text first, HTML as the alternative, with the row's extra headers."""
    message = EmailMessage(policy=MESSAGE_POLICY)
    headers = dict(row.headers or {})
    message["From"] = headers.pop("From", sender)
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(row, sender)
    for name, value in headers.items():
        message[name] = value
    message.set_content(row.body_text)
    if row.body_html:
        message.add_alternative(row.body_html, subtype="html")
    return message


class MailboxTransport:
    """The demo's transport: the row itself is the message, shown on the dev mailbox page."""

    def __enter__(self) -> MailboxTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, row: SentEmail) -> None:
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

    def send(self, row: SentEmail) -> None:
        """Send one row; DeliveryError says why not."""
        message = build_message(row, self.settings.mail_default_sender)
        try:
            self._connect().send_message(message, from_addr=parseaddr(self.settings.mail_default_sender)[1],
                                         to_addrs=[row.to_address])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise _refusal(code, text, row.to_address) from exc
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
