"""The company's account settings: the logo its emails carry, the certificate holder's name, whether gaps go
automatically, and the reminder cadence."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from integration import audit
from integration.extensions import db
from integration.models import AppUser
from integration.models.installation import GAP_EMAIL_MODES
from integration.refusals import Refusal
from integration.requirement_sets import default_set, save_set
from integration.roles import is_admin
from integration.tenancy import installation_of

DEFAULT_REMINDER_DAYS = (2, 5, 8)  # business days after a request: its three reminders
MAX_REMINDER_DAY = 20


class SettingsRefused(Refusal):
    """A setting was not saved; the message names the field and what it expects."""


@dataclass(frozen=True)
class SavedSettings:
    """What a save changed that others must act on: a new certificate holder means re-evaluating every vendor."""

    holder_changed: bool


def reminder_days(company_id: int) -> tuple[int, ...]:
    """The business days after a request on which its reminders go (the company's, else 2, 5 and 8)."""
    installation = installation_of(company_id)
    days = (installation.settings or {}).get("reminder_days") if installation else None
    return tuple(days) if days else DEFAULT_REMINDER_DAYS


def certificate_holder(company_id: int) -> str | None:
    """The certificate holder the company default asks for (None: the GC's legal name as Procore has it)."""
    return default_set(company_id)[1].certificate_holder


def save_outreach_settings(company_id: int, actor: AppUser, logo_url: str, gap_email_mode: str, *,
                           holder: str | None = None, cadence: str | None = None) -> SavedSettings:
    """Save the settings (``holder`` and ``cadence`` None: left as they are); all or nothing, audited."""
    if actor.company_id != company_id or not is_admin(actor):
        raise SettingsRefused(is_admin.refusal(actor), status=403)
    problems = []  # every field's problem at once, so one correction is enough
    logo_url = (logo_url or "").strip()
    if logo_url and (urlsplit(logo_url).scheme != "https" or not urlsplit(logo_url).netloc or len(logo_url) > 1024):
        problems.append("Logo URL: give an https:// address of an image (at most 1,024 characters), or leave it "
                        "empty to show the company name alone.")
    if gap_email_mode not in GAP_EMAIL_MODES:
        problems.append("Gaps emails: choose automatic or manual.")
    days: tuple[int, ...] = ()
    try:
        days = parse_cadence(cadence) if cadence is not None else reminder_days(company_id)
    except SettingsRefused as refused:
        problems.append(refused.message)
    holder = " ".join(holder.split()) or None if holder is not None else certificate_holder(company_id)
    if holder and len(holder) > 255:
        problems.append("Certificate holder: at most 255 characters, or empty for your legal name in Procore.")
    if problems:
        raise SettingsRefused(" ".join(problems))
    installation = installation_of(company_id)
    before = _shown(installation, company_id)
    holder_changed = holder != before["certificate_holder"]
    installation.logo_url, installation.gap_email_mode = logo_url or None, gap_email_mode
    installation.settings = {**(installation.settings or {}), "reminder_days": list(days)}
    if holder_changed:
        save_set(company_id, {**default_set(company_id)[1].to_dict(), "certificate_holder": holder}, actor)
    audit.record(company_id, "outreach.settings_saved", installation, actor=actor, before=before,
                 after=_shown(installation, company_id, holder))
    db.session.commit()
    return SavedSettings(holder_changed)


def _shown(installation, company_id: int, holder: str | None = ...) -> dict:
    return {"logo_url": installation.logo_url, "gap_email_mode": installation.gap_email_mode,
            "reminder_days": list(reminder_days(company_id)),
            "certificate_holder": certificate_holder(company_id) if holder is ... else holder}


def parse_cadence(raw: str) -> tuple[int, ...]:
    """"2, 5, 8" as (2, 5, 8): one to three business days, increasing, from 1 to 20; SettingsRefused otherwise."""
    parts = [part for part in re.split(r"[,\s]+", raw or "") if part]
    days = tuple(int(part) for part in parts if part.isdigit())
    if not 1 <= len(parts) <= 3 or len(days) != len(parts) or not all(1 <= d <= MAX_REMINDER_DAY for d in days) \
            or list(days) != sorted(set(days)):
        raise SettingsRefused(f"Reminder cadence: give one to three business days after the request, increasing, "
                              f"from 1 to {MAX_REMINDER_DAY}, such as 2, 5, 8; got {raw.strip()!r}.")
    return days
