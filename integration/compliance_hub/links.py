"""Magic links into the Compliance Hub: single use, expiring, no password; emailed through the outbox.

An invitation's link lasts a week; a link asked for on the sign-in page lasts 30 minutes. Either works
once. The secrets are kept by integration.tokens (only their keyed hash is stored).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import select

from integration import audit, outbox, tokens
from integration.extensions import db
from integration.models import ComplianceHubMember, utcnow
from integration.rate_limits import RateLimit
from integration.refusals import Refusal
from integration.tenancy import installation_of

PURPOSE = "compliance-hub"
INVITATION_AGE = timedelta(days=7)
SIGN_IN_AGE = timedelta(minutes=30)
LINK_PATH = "/compliance-hub/sign-in/"
PER_ADDRESS = RateLimit("compliance_hub_link_address", 5, timedelta(minutes=15))
PER_IP = RateLimit("compliance_hub_link_ip", 30, timedelta(minutes=15))


class LinkRefused(Refusal):
    """A sign-in link that does not open the hub; ``reason`` is the token rule it broke (or ``revoked``)."""

    status = 403

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def send_link(member: ComplianceHubMember, *, invited_by: str | None = None) -> None:
    """Write the email carrying a fresh link for ``member`` to the outbox (the caller commits it)."""
    age = INVITATION_AGE if invited_by else SIGN_IN_AGE
    token = tokens.issue_token(PURPOSE, f"member:{member.id}", age)
    installation = installation_of(member.company_id)
    gc = installation.company_name if installation else "Your general contractor"
    context = {"member": member, "gc": gc, "invited_by": invited_by, "link": link_url(token),
               "expires_in": f"{age.days} days" if age.days else f"{age.seconds // 60} minutes"}
    subject = (f"{gc} invites you to its Compliance Hub" if invited_by
               else f"Your sign-in link to {gc}'s Compliance Hub")
    email = outbox.Email("compliance_link", member.email, subject,
                         render_template("compliance_hub/email/link.txt", **context).strip() + "\n",
                         render_template("compliance_hub/email/link.html", subject=subject, **context))
    outbox.add(email, f"compliance-hub-link-{hashlib.sha256(token.encode()).hexdigest()[:32]}",
               company_id=member.company_id)


def link_url(token: str) -> str:
    """The absolute sign-in link for a token."""
    return f"{current_app.config['GAPLINE'].public_base_url}{LINK_PATH}{token}"


def request_links(address: str, ip: str) -> int:
    """Email a fresh sign-in link for each active membership of ``address``; returns how many (never shown).

    RateLimited when the address or the IP asked too often. The answer to the person is the same
    whether or not the address has access.
    """
    PER_IP.hit(ip or "unknown")
    PER_ADDRESS.hit(address)
    members = members_at(address)
    for member in members:
        send_link(member)
    outbox.commit()
    return len(members)


def members_at(address: str) -> list[ComplianceHubMember]:
    """The active memberships of an address at every GC (the person asking for a link names no company)."""
    query = select(ComplianceHubMember).where(ComplianceHubMember.email == address.strip().lower(),
                                              ComplianceHubMember.revoked_at.is_(None))
    return list(db.session.scalars(query))


def redeem(token: str, ip: str = "") -> ComplianceHubMember:
    """Use up a sign-in link and return its member, recording the sign-in; LinkRefused otherwise."""
    try:
        used = tokens.redeem_token(PURPOSE, token)
    except tokens.TokenRefused as exc:
        raise LinkRefused(exc.reason, exc.message) from exc
    member = db.session.get(ComplianceHubMember, int(used.subject.removeprefix("member:")))
    if member is None or not member.active:
        raise LinkRefused("revoked", "Your access to this Compliance Hub was revoked. Ask the GC if you still "
                                     "need it.")
    member.last_signed_in_at = utcnow()
    audit.record(member.company_id, "compliance_hub.signed_in", member, actor_label=member.email,
                 after={"ip": ip} if ip else None)
    db.session.commit()
    return member
