"""Who may use the Compliance Hub: accounts a GC admin lets in, their projects, their members, and revoking.

A GC admin invites a person for chosen projects (a new account) or into an existing account. A member
may invite teammates: they join the member's account, so they see the same projects and no more, and
lose them with it. Every invite, revocation and change of access is audited.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from integration import audit
from integration.compliance_hub.links import send_link
from integration.extensions import db
from integration.models import (
    AppUser,
    ComplianceHubAccount,
    ComplianceHubMember,
    ComplianceHubProject,
    Project,
    utcnow,
)
from integration.outbox import commit
from integration.rate_limits import RateLimit
from integration.refusals import Refusal
from integration.roles import in_words, is_admin
from integration.tenancy import get_scoped, scoped

TEAM_INVITES = RateLimit("compliance_hub_team_invites", 20, timedelta(hours=1))
ADDRESS = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")


class AccessRefused(Refusal):
    """Hub access not changed; the message says why (role, address, project, already a member)."""

    status = 403


@dataclass(frozen=True)
class Invitee:
    """Who is being invited: an email address and, optionally, a name."""

    email: str
    name: str = ""

    @classmethod
    def typed(cls, email: str, name: str = "") -> Invitee:
        """The invitee as typed in a form; AccessRefused names a malformed address."""
        address = (email or "").strip().lower()
        if len(address) > 320 or not ADDRESS.match(address):
            raise AccessRefused(f"email {email.strip()!r} is not an email address.", status=400)
        return cls(address, (name or "").strip()[:255])


@dataclass(frozen=True)
class AccountAccess:
    """An account as admins see it: its projects and its members (active and revoked)."""

    account: ComplianceHubAccount
    projects: list[Project]
    members: list[ComplianceHubMember]


def invite_to_new_account(company_id: int, actor: AppUser, invitee: Invitee, account_name: str,
                          project_ids: list[int]) -> ComplianceHubMember:
    """Open an account for chosen projects with ``invitee`` as its first member, and email their link."""
    _check_admin(company_id, actor)
    projects = _projects(company_id, project_ids)
    if not (account_name or "").strip():
        raise AccessRefused("account name is required: the organization this person is from.", status=400)
    account = ComplianceHubAccount(company_id=company_id, name=account_name.strip()[:255],
                                   created_by_user_id=actor.id)
    db.session.add(account)
    db.session.flush()
    db.session.add_all(ComplianceHubProject(company_id=company_id, account_id=account.id, project_id=p.id)
                       for p in projects)
    audit.record(company_id, "compliance_hub.account_opened", account, actor=actor,
                 after={"name": account.name, "projects": [p.id for p in projects]})
    return _invite(account, invitee, actor=actor)


def invite_to_account(company_id: int, actor: AppUser, invitee: Invitee, account_id: int) -> ComplianceHubMember:
    """A GC admin adds ``invitee`` to an existing account (its projects, no others), and emails their link."""
    _check_admin(company_id, actor)
    return _invite(_account(company_id, account_id), invitee, actor=actor)


def invite_teammate(member: ComplianceHubMember, invitee: Invitee) -> ComplianceHubMember:
    """A member invites a teammate into their own account: the same projects and no more.

    RateLimited past TEAM_INVITES an hour, so that nobody mails strangers through the hub.
    """
    if not member.active:
        raise AccessRefused("Your access to the Compliance Hub was revoked.")
    TEAM_INVITES.hit(f"member:{member.id}")
    account = db.session.get(ComplianceHubAccount, member.account_id)
    return _invite(account, invitee, inviter=member)


def _invite(account: ComplianceHubAccount, invitee: Invitee, *, actor: AppUser | None = None,
            inviter: ComplianceHubMember | None = None) -> ComplianceHubMember:
    member = db.session.scalar(scoped(ComplianceHubMember, account.company_id)
                               .where(ComplianceHubMember.email == invitee.email))
    if member is not None and member.active:
        raise AccessRefused(f"{invitee.email} already has access to this GC's Compliance Hub.", status=400)
    if member is None:
        member = ComplianceHubMember(company_id=account.company_id, email=invitee.email)
        db.session.add(member)
    member.account_id, member.name = account.id, invitee.name or member.name or ""
    member.revoked_at, member.session_generation = None, (member.session_generation or 0) + 1
    member.invited_by_user_id = actor.id if actor else None
    member.invited_by_member_id = inviter.id if inviter else None
    db.session.flush()
    send_link(member, invited_by=(actor.name or actor.email) if actor else (inviter.name or inviter.email))
    audit.record(account.company_id, "compliance_hub.member_invited", member, actor=actor,
                 actor_label=inviter.email if inviter else None,
                 after={"email": member.email, "account": account.name, "by_member": bool(inviter)})
    commit()
    return member


def revoke(company_id: int, actor: AppUser, member_id: int) -> ComplianceHubMember:
    """End a member's access now: their link stops working and any signed-in browser is signed out."""
    _check_admin(company_id, actor)
    member = get_scoped(ComplianceHubMember, member_id, company_id)
    if member is None:
        raise AccessRefused(f"Member {member_id} is not one of this company's hub members.", status=404)
    if member.active:
        member.revoked_at, member.session_generation = utcnow(), member.session_generation + 1
        audit.record(company_id, "compliance_hub.member_revoked", member, actor=actor, after={"email": member.email})
        db.session.commit()
    return member


def set_bulk_download(company_id: int, actor: AppUser, account_id: int, enabled: bool) -> ComplianceHubAccount:
    """Let an account's members download the filtered certificates as one ZIP (or stop them)."""
    _check_admin(company_id, actor)
    account = _account(company_id, account_id)
    if account.bulk_download != enabled:
        audit.record(company_id, "compliance_hub.bulk_download_changed", account, actor=actor,
                     before={"bulk_download": account.bulk_download}, after={"bulk_download": enabled})
        account.bulk_download = enabled
        db.session.commit()
    return account


def set_projects(company_id: int, actor: AppUser, account_id: int, project_ids: list[int]) -> ComplianceHubAccount:
    """Change which projects an account (every member of it) may see."""
    _check_admin(company_id, actor)
    account, projects = _account(company_id, account_id), _projects(company_id, project_ids)
    current = {row.project_id: row for row in db.session.scalars(
        scoped(ComplianceHubProject, company_id).where(ComplianceHubProject.account_id == account.id))}
    wanted = {p.id for p in projects}
    for project_id in set(current) - wanted:
        db.session.delete(current[project_id])
    db.session.add_all(ComplianceHubProject(company_id=company_id, account_id=account.id, project_id=project_id)
                       for project_id in wanted - set(current))
    audit.record(company_id, "compliance_hub.projects_changed", account, actor=actor,
                 before={"projects": sorted(current)}, after={"projects": sorted(wanted)})
    db.session.commit()
    return account


def projects_of(member: ComplianceHubMember) -> list[Project]:
    """The projects a member may see, by name (none once revoked)."""
    if not member.active:
        return []
    return list(db.session.scalars(
        scoped(Project, member.company_id)
        .join(ComplianceHubProject, ComplianceHubProject.project_id == Project.id)
        .where(ComplianceHubProject.company_id == member.company_id,
               ComplianceHubProject.account_id == member.account_id)
        .order_by(Project.name, Project.id)))


def project_for(member: ComplianceHubMember, project_id: int) -> Project | None:
    """The project if this member may see it; None for any other id (another GC's, another account's, none)."""
    return next((p for p in projects_of(member) if p.id == project_id), None)


def account_of(member: ComplianceHubMember) -> ComplianceHubAccount:
    """The member's account (its name, whether bulk download is on)."""
    return get_scoped(ComplianceHubAccount, member.account_id, member.company_id)


def teammates(member: ComplianceHubMember) -> list[ComplianceHubMember]:
    """The active members of the member's account, by address."""
    return list(db.session.scalars(scoped(ComplianceHubMember, member.company_id).where(
        ComplianceHubMember.account_id == member.account_id, ComplianceHubMember.revoked_at.is_(None))
        .order_by(ComplianceHubMember.email)))


def accounts(company_id: int) -> list[AccountAccess]:
    """Every account of the company with its projects and members, for the admin page."""
    found = db.session.scalars(scoped(ComplianceHubAccount, company_id).order_by(ComplianceHubAccount.name)).all()
    projects = db.session.execute(
        scoped(ComplianceHubProject, company_id).with_only_columns(ComplianceHubProject.account_id, Project)
        .join(Project, Project.id == ComplianceHubProject.project_id).order_by(Project.name)).all()
    members = db.session.scalars(scoped(ComplianceHubMember, company_id).order_by(ComplianceHubMember.email)).all()
    return [AccountAccess(a, [p for account_id, p in projects if account_id == a.id],
                          [m for m in members if m.account_id == a.id]) for a in found]


def _check_admin(company_id: int, actor: AppUser) -> None:
    if actor.company_id != company_id or not is_admin(actor):
        raise AccessRefused(f"Only admins manage Compliance Hub access; your role is {in_words(actor.role)}.")


def _account(company_id: int, account_id: int) -> ComplianceHubAccount:
    account = get_scoped(ComplianceHubAccount, account_id, company_id)
    if account is None:
        raise AccessRefused(f"Account {account_id} is not one of this company's hub accounts.", status=404)
    return account


def _projects(company_id: int, project_ids: list[int]) -> list[Project]:
    if not project_ids:
        raise AccessRefused("Choose at least one project.", status=400)
    projects = [get_scoped(Project, project_id, company_id) for project_id in dict.fromkeys(project_ids)]
    missing = [str(pid) for pid, p in zip(dict.fromkeys(project_ids), projects, strict=True) if p is None]
    if missing:
        raise AccessRefused(f"Project {', '.join(missing)} is not one of this company's projects.", status=400)
    return projects
