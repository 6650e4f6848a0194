"""Overrides as people make them: role-checked, reasoned, expiring, revocable, audited, re-evaluated at once."""

from __future__ import annotations

from datetime import date

from integration import audit, outbox
from integration.compliance.overrides import OverrideKind
from integration.evaluations import evaluate_vendors
from integration.extensions import db
from integration.models import AppUser, CoverageGap, Evaluation, Override, ProjectAssignment, Vendor, utcnow
from integration.outreach.requests import after_evaluation
from integration.push_state import mark_vendors
from integration.refusals import Refusal
from integration.roles import can_manage, in_words
from integration.tenancy import get_scoped, scoped
from integration.vendor_summary import refreshed_once


class OverrideRefused(Refusal):
    """The override was not made; the message says why (role, reason, unknown requirement...)."""

    status = 403


def expiry_date(raw: str) -> date | None:
    """An override's end date as typed (YYYY-MM-DD); None when left empty."""
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise OverrideRefused(str(exc)) from exc


def _check_actor(actor: AppUser, company_id: int, doing: str = "override gaps") -> None:
    if actor.company_id != company_id:
        raise OverrideRefused(f"You can only {doing} of your own company.")
    if not can_manage(actor):
        raise OverrideRefused(f"Only admins and compliance managers may {doing}; your role is {in_words(actor.role)}.")


def create_override(company_id: int, actor: AppUser, vendor_id: int, gap_key: str, kind: str, reason: str,
                    today: date, *, expires_on: date | None = None, assignment_id: int | None = None) -> Override:
    """Waive a gap or mark it compliant for a vendor (or one assignment), then re-evaluate at once."""
    _check_actor(actor, company_id)
    vendor = get_scoped(Vendor, vendor_id, company_id)
    if vendor is None:
        raise OverrideRefused(f"Vendor {vendor_id} is not one of this company's vendors.")
    if kind not in tuple(OverrideKind):
        raise OverrideRefused("kind must be 'waive' or 'mark_compliant'.")
    if not (reason or "").strip():
        raise OverrideRefused("A reason is required: say why this gap is accepted.")
    if expires_on is not None and expires_on <= today:
        raise OverrideRefused("The override's expiry date must be in the future.")
    if assignment_id is not None and get_scoped(ProjectAssignment, assignment_id, company_id) is None:
        raise OverrideRefused(f"Assignment {assignment_id} is not one of this company's assignments.")
    gap = _open_gap(vendor, assignment_id, gap_key)
    override = Override(company_id=company_id, vendor_id=vendor.id, assignment_id=assignment_id, gap_key=gap_key,
                        gap_label=gap_label(gap), kind=kind, reason=reason.strip(), expires_on=expires_on,
                        created_by_user_id=actor.id)
    before = vendor.status
    with refreshed_once():  # the compliance table's rows of the vendor are written once, with the new status
        db.session.add(override)
        db.session.flush()
        _reevaluate(vendor, today, "override")
        audit.record(company_id, "override.created", override, actor=actor, before={"vendor_status": before},
                     after={"gap_key": gap_key, "kind": kind, "reason": override.reason,
                            "expires_on": expires_on.isoformat() if expires_on else None,
                            "vendor_status": vendor.status})
        after_evaluation(vendor, "override", today)  # a request the override settles closes, and the vendor hears
    outbox.commit()
    return override


def _reevaluate(vendor: Vendor, today: date, trigger: str) -> None:
    """The vendor's evaluations follow the override at once, and its Procore records follow within seconds
    (marked once: the evaluation marks it when its results changed)."""
    changed = evaluate_vendors(vendor.company_id, [vendor.id], today, trigger)
    if vendor.id not in {each.id for each in changed}:
        mark_vendors(vendor.company_id, [vendor.id], trigger)


def _open_gap(vendor: Vendor, assignment_id: int | None, key: str) -> CoverageGap:
    """The gap as the vendor's current evaluations show it (any of them, unless one assignment is named)."""
    query = (scoped(CoverageGap, vendor.company_id).join(Evaluation, Evaluation.id == CoverageGap.evaluation_id)
             .where(Evaluation.vendor_id == vendor.id, Evaluation.is_current.is_(True), CoverageGap.gap_key == key,
                    CoverageGap.state == "open"))
    if assignment_id is not None:
        query = query.where(Evaluation.assignment_id == assignment_id)
    gap = db.session.scalars(query.order_by(CoverageGap.id)).first()
    if gap is None:
        raise OverrideRefused("That gap is not one of this vendor's current open gaps; reload the page and try again.")
    return gap


def gap_label(gap: CoverageGap) -> str:
    """The gap as people read it in the list of overrides."""
    return gap.to_gap().title


def revoke_override(company_id: int, actor: AppUser, override_id: int, today: date) -> Override:
    """End an override now; the gap it covered comes back on re-evaluation."""
    _check_actor(actor, company_id)
    override = get_scoped(Override, override_id, company_id)
    if override is None or override.revoked_at is not None:
        raise OverrideRefused(f"Override {override_id} is not an active override of this company.")
    vendor = get_scoped(Vendor, override.vendor_id, company_id)
    with refreshed_once():
        override.revoked_at, override.revoked_by_user_id = utcnow(), actor.id
        db.session.flush()
        _reevaluate(vendor, today, "override_revoked")
        audit.record(company_id, "override.revoked", override, actor=actor, before={"revoked": False},
                     after={"revoked": True})
    db.session.commit()
    return override


def set_outreach_muted(company_id: int, actor: AppUser, vendor_id: int, muted: bool) -> Vendor:
    """Stop (or resume) outreach emails to a vendor; admins and compliance managers only."""
    _check_actor(actor, company_id, "mute or unmute outreach to vendors")
    vendor = get_scoped(Vendor, vendor_id, company_id)
    if vendor is None:
        raise OverrideRefused(f"Vendor {vendor_id} is not one of this company's vendors.")
    audit.record(company_id, "vendor.outreach_muted" if muted else "vendor.outreach_unmuted", vendor, actor=actor,
                 before={"outreach_muted": vendor.outreach_muted}, after={"outreach_muted": muted})
    vendor.outreach_muted = muted
    db.session.commit()
    return vendor

