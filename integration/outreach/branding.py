"""The company's outreach settings: the logo its emails carry, and whether gaps go automatically."""

from __future__ import annotations

from urllib.parse import urlsplit

from integration import audit
from integration.extensions import db
from integration.models import AppUser
from integration.models.installation import GAP_EMAIL_MODES
from integration.refusals import Refusal
from integration.roles import is_admin
from integration.tenancy import installation_of


class SettingsRefused(Refusal):
    """A setting was not saved; the message names the field and what it expects."""


def save_outreach_settings(company_id: int, actor: AppUser, logo_url: str, gap_email_mode: str) -> None:
    """Save the logo URL (https, or empty for the name alone) and the gaps mode (automatic or manual)."""
    if actor.company_id != company_id or not is_admin(actor):
        raise SettingsRefused(is_admin.refusal(actor), status=403)
    logo_url = (logo_url or "").strip()
    if logo_url and (urlsplit(logo_url).scheme != "https" or not urlsplit(logo_url).netloc or len(logo_url) > 1024):
        raise SettingsRefused("Logo URL: give an https:// address of an image (at most 1,024 characters), or leave "
                              "it empty to show the company name alone.")
    if gap_email_mode not in GAP_EMAIL_MODES:
        raise SettingsRefused("Gaps emails: choose automatic or manual.")
    installation = installation_of(company_id)
    before = {"logo_url": installation.logo_url, "gap_email_mode": installation.gap_email_mode}
    installation.logo_url, installation.gap_email_mode = logo_url or None, gap_email_mode
    audit.record(company_id, "outreach.settings_saved", installation, actor=actor, before=before,
                 after={"logo_url": installation.logo_url, "gap_email_mode": gap_email_mode})
    db.session.commit()
