"""The addresses outreach emails point at, built in one place from PUBLIC_BASE_URL, and the signed upload link.

The upload link is signed, never stored: it names the company, the vendor and the request, and works
(for any number of uploads, by whoever holds it) until the request closes or the link is too old.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app

from integration import tokens
from integration.guide_slugs import slug_of
from integration.models import OutreachRequest

UPLOAD = "upload-link"
UNSUBSCRIBE = "unsubscribe"
UPLOAD_LINK_AGE = timedelta(days=60)  # every email carries a fresh one, so only a long-forgotten link expires
UNSUBSCRIBE_AGE = timedelta(days=365)


@dataclass(frozen=True)
class LinkTarget:
    """What a verified upload link names."""

    company_id: int
    vendor_id: int
    request_id: int


def public_url(path: str) -> str:
    """An absolute URL on Gapline's public address."""
    return f"{current_app.config['GAPLINE'].public_base_url}{path}"


def upload_link(request: OutreachRequest) -> str:
    """The "Submit Docs" link for a request."""
    token = tokens.sign(UPLOAD, {"c": request.company_id, "v": request.vendor_id, "r": request.id})
    return public_url(f"/upload/{token}")


def read_upload_token(token: str) -> LinkTarget:
    """What an upload token names; TokenRefused (tampered, expired) otherwise. The request is not checked here."""
    return _target(tokens.verify(UPLOAD, token, UPLOAD_LINK_AGE))


def expired_target(refusal: tokens.TokenRefused) -> LinkTarget | None:
    """What an expired upload link named (its signature was good), so a fresh one can go to the address on file."""
    try:
        return _target(refusal.data) if refusal.reason == "expired" else None
    except tokens.TokenRefused:
        return None


def _target(data: object) -> LinkTarget:
    if not (isinstance(data, dict) and all(isinstance(data.get(k), int) for k in ("c", "v", "r"))):
        raise tokens.TokenRefused("tampered", "This link is not valid: it was changed or cut short.")
    return LinkTarget(data["c"], data["v"], data["r"])


def hub_url() -> str:
    """The Record Hub's sign-in page."""
    return public_url("/hub")


def guide_url(code: str) -> str:
    """The Insurance Guide's page for a gap code."""
    return public_url(f"/guide/{slug_of(code)}")


def unsubscribe_url(address: str) -> str:
    """The one-click link that stops reminders to ``address`` (List-Unsubscribe)."""
    return public_url(f"/unsubscribe/{tokens.sign(UNSUBSCRIBE, address)}")


def read_unsubscribe_token(token: str) -> str:
    """The address an unsubscribe token was made for; TokenRefused otherwise."""
    address = tokens.verify(UNSUBSCRIBE, token, UNSUBSCRIBE_AGE)
    if not isinstance(address, str):
        raise tokens.TokenRefused("tampered", "This link is not valid: it was changed or cut short.")
    return address


def vendor_page_url(company_id: int, vendor_id: int) -> str:
    """The GC's page for a vendor inside Gapline."""
    return public_url(f"/procore/companies/{company_id}/vendors/{vendor_id}")
