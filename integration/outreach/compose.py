"""Composing outreach emails: one function per kind, each a subject, a text part and an HTML part from Jinja2.

Subjects are fixed here (the invitation's is exactly "Your Insurance Docs are needed for {Project Name}
({Procore Project Number})"); the bodies live in integration/outreach/templates as .txt and .html pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.utils import formataddr, parseaddr
from functools import cache
from pathlib import Path

from flask import current_app
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from integration.compliance.wording import day
from integration.outbox import Email
from integration.outreach.facts import Brand, PeopleGap, Scope, requirements_of
from integration.outreach.links import hub_url, unsubscribe_url

TEMPLATES = Path(__file__).resolve().parent / "templates"
HUB_CODE_MINUTES = 10


@cache
def _environment() -> Environment:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                              autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    environment.filters["long_date"] = day
    environment.filters["possessive"] = possessive
    return environment


def possessive(name: str) -> str:
    """``name``'s, or ``name``' for a name ending in s ("Redwood General Contractors' requirements")."""
    return f"{name}'" if name.endswith(("s", "S")) else f"{name}'s"


def _render(template: str, to: str, subject: str, *, brand: Brand | None, automated: bool = False,
            reply_to: str | None = None, **context) -> Email:
    """Both parts of an email from ``template``, From in the GC's name, List-Unsubscribe on automated reminders."""
    unsubscribe = unsubscribe_url(to) if automated else None
    context = {"subject": subject, "brand": brand, "unsubscribe_url": unsubscribe, "hub_url": hub_url(), **context}
    environment = _environment()
    text = environment.get_template(f"{template}.txt").render(context).strip() + "\n"
    html = environment.get_template(f"{template}.html").render(context)
    headers = {"From": _sender(brand)}
    if reply_to:
        headers["Reply-To"] = reply_to
    if unsubscribe:
        headers |= {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                    "Auto-Submitted": "auto-generated"}
    kind = "reminder" if automated and template in ("invitation", "gaps") else template
    return Email(kind, to, subject, text, html, headers)


def _sender(brand: Brand | None) -> str:
    """MAIL_DEFAULT_SENDER's address, named for the GC so the email is recognised (not taken for spam)."""
    name, address = parseaddr(current_app.config["GAPLINE"].mail_default_sender)
    return formataddr((f"{brand.name} via Gapline" if brand else (name or "Gapline"), address))


def _about(scope: Scope) -> dict:
    return {"vendor_name": scope.vendor.name, "project": scope.project, "label": scope.label}


def invitation(scope: Scope, link: str, *, reply_to: str | None = None, step: int = 0, final: bool = False,
               rejected: str | None = None) -> Email:
    """The request for documents (step 0), or one of its reminders (steps 1 and on); ``rejected`` says why a
    reviewer turned the last certificate down."""
    lines, notes = requirements_of(scope)
    subject = f"Your Insurance Docs are needed for {scope.label}"
    if step:
        subject = f"{'Final reminder' if final else 'Reminder'}: {subject}"
    return _render("invitation", scope.request.recipient_email, subject, brand=scope.brand, automated=bool(step),
                   reply_to=reply_to, link=link, lines=lines, notes=notes, reminder=bool(step), final=final,
                   rejected=rejected, **_about(scope))


def gaps(scope: Scope, found: list[PeopleGap], link: str, *, responded: bool, reply_to: str | None = None,
         step: int = 0, final: bool = False) -> Email:
    """The gaps to fix, each with its Insurance Guide link, and the upload link (or a reminder of them)."""
    if step:
        subject = f"{'Final reminder' if final else 'Reminder'}: gaps to fix in your insurance for {scope.label}"
    elif responded:
        subject = f"Still not compliant: what remains for {scope.label}"
    else:
        subject = f"Gaps to fix in your insurance documents for {scope.label}"
    return _render("gaps", scope.request.recipient_email, subject, brand=scope.brand, automated=bool(step),
                   reply_to=reply_to, link=link, gaps=found, responded=responded, reminder=bool(step), final=final,
                   **_about(scope))


def compliant(scope: Scope, expires_on: date | None) -> Email:
    """The result: the documents meet the requirements."""
    subject = f"Your insurance documents for {scope.label} are compliant"
    return _render("result", scope.request.recipient_email, subject, brand=scope.brand, expires_on=expires_on,
                   **_about(scope))


def renewal(scope: Scope, link: str, expires_on: date, today: date) -> Email:
    """A renewal reminder before the earliest expiry on file."""
    subject = f"Renewal needed: your insurance on file with {scope.brand.name} expires {expires_on:%b} {expires_on.day}"
    return _render("renewal", scope.request.recipient_email, subject, brand=scope.brand, automated=True, link=link,
                   expires_on=expires_on, days_left=(expires_on - today).days, **_about(scope))


def new_link(scope: Scope, link: str) -> Email:
    """A fresh upload link, to the address on file (whoever asked for it)."""
    subject = f"Your new link to send insurance documents for {scope.label}"
    return _render("new_link", scope.request.recipient_email, subject, brand=scope.brand, link=link, **_about(scope))


@dataclass(frozen=True)
class DigestItem:
    """One request in a digest: which GC and project, what is needed, and its upload link."""

    brand: Brand
    label: str
    vendor_name: str
    need: str
    link: str


@dataclass
class DigestGroup:
    """A GC's requests in a digest."""

    brand: Brand
    requests: list[DigestItem]


def digest(to: str, items: list[DigestItem]) -> Email:
    """One reminder for every request due to one address, grouped by GC (each with its logo when it has one)."""
    groups: dict[str, DigestGroup] = {}
    for item in items:
        groups.setdefault(item.brand.name, DigestGroup(item.brand, [])).requests.append(item)
    subject = f"Reminder: insurance documents are needed for {len(items)} projects"
    brand = next(iter(groups.values())).brand if len(groups) == 1 else None  # one GC: its name and logo on top
    return _render("digest", to, subject, brand=brand, automated=True, count=len(items), groups=list(groups.values()))


@dataclass(frozen=True)
class SilentVendor:
    """A vendor that did not answer: for the GC's notice."""

    vendor_name: str
    label: str
    recipient: str
    url: str


def non_responsive(to: str, brand: Brand, items: list[SilentVendor]) -> Email:
    """The GC is told which vendors did not answer after every reminder."""
    subject = (f"{items[0].vendor_name} did not answer the insurance request for {items[0].label}" if len(items) == 1
               else f"{len(items)} subcontractors did not answer insurance requests")
    return _render("non_responsive", to, subject, brand=brand, automated=False, items=items)


def hub_code(to: str, code: str) -> Email:
    """The Record Hub's one-time sign-in code."""
    return _render("hub_code", to, "Your Record Hub sign-in code", brand=None, code=code, minutes=HUB_CODE_MINUTES)
