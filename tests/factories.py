"""Rows for tests, with sensible defaults: name only what the test is about.

Each builder adds its row to the session and flushes (so it has an id); the test commits when the
code under test must see committed rows. Procore ids count up per run, so two rows never clash.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from integration.certificate import ExtractedCertificate
from integration.extensions import db
from integration.models import (
    AppUser,
    Certificate,
    ComplianceHubAccount,
    ComplianceHubMember,
    ComplianceHubProject,
    Installation,
    OutreachRequest,
    Project,
    ProjectAssignment,
    StoredFile,
    Submission,
    SyncRun,
    Vendor,
    utcnow,
)
from integration.reading import replace_policies

ROLES = ("admin", "compliance_manager", "viewer")
_procore_ids = itertools.count(900_000_001)  # far from the small ids tests write out


def procore_id() -> int:
    """A Procore id not used by any other row of this run."""
    return next(_procore_ids)


def _saved(row):
    db.session.add(row)
    db.session.flush()
    return row


def installation(company_id: int, company_name: str = "GC", connection_state: str = "connected",
                 **fields: Any) -> Installation:
    """A GC's connected Procore company."""
    return _saved(Installation(company_id=company_id, company_name=company_name, connection_state=connection_state,
                               **fields))


def vendor(company_id: int, name: str = "Sub", **fields: Any) -> Vendor:
    """A subcontractor of the company."""
    fields.setdefault("procore_vendor_id", procore_id())
    return _saved(Vendor(company_id=company_id, name=name, **fields))


def user(company_id: int, role: str = "viewer", **fields: Any) -> AppUser:
    """A Procore user of the company, signed in to Gapline with ``role``."""
    fields.setdefault("procore_user_id", procore_id())
    fields.setdefault("email", f"{role}@gc.test")
    return _saved(AppUser(company_id=company_id, role=role, **fields))


def imported(company_id: int) -> SyncRun:
    """A finished directory import of the company: a project not in Gapline now is not one of the company's."""
    return _saved(SyncRun(company_id=company_id, kind="directory_import", state="succeeded", started_at=utcnow(),
                          finished_at=utcnow()))


def project(company_id: int, name: str = "Riverside Clinic", **fields: Any) -> Project:
    """A project of the company."""
    fields.setdefault("procore_project_id", procore_id())
    return _saved(Project(company_id=company_id, name=name, **fields))


def assignment(project_row: Project, vendor_row: Vendor, **fields: Any) -> ProjectAssignment:
    """The vendor working on the project."""
    return _saved(ProjectAssignment(company_id=vendor_row.company_id, project_id=project_row.id,
                                    vendor_id=vendor_row.id, **fields))


def outreach_request(vendor_row: Vendor, **fields: Any) -> OutreachRequest:
    """An invitation to send documents, to the vendor."""
    fields.setdefault("kind", "invitation")
    fields.setdefault("recipient_email", "office@sub.test")
    return _saved(OutreachRequest(company_id=vendor_row.company_id, vendor_id=vendor_row.id, **fields))


def certificate(vendor_row: Vendor, data: dict, channel: str = "upload_link", submission: dict | None = None,
                **fields: Any) -> Certificate:
    """A certificate already read for the vendor: its submission (``submission`` fields; evaluated unless they say
    otherwise), file, reading, policies."""
    submission_row = _saved(Submission(company_id=vendor_row.company_id, vendor_id=vendor_row.id, channel=channel,
                                       **{"state": "evaluated", **(submission or {})}))
    stored = _saved(StoredFile(company_id=vendor_row.company_id, submission_id=submission_row.id,
                               filename=data.get("file") or "certificate.pdf", content_type="application/pdf",
                               size_bytes=1, sha256="0" * 64, storage_key="k"))
    content = ExtractedCertificate.from_dict(data)
    fields.setdefault("covers_from", (content.coverage_period() or (None, None))[0])
    fields.setdefault("covers_to", (content.coverage_period() or (None, None))[1])
    row = _saved(Certificate(company_id=vendor_row.company_id, stored_file_id=stored.id, vendor_id=vendor_row.id,
                             ok=bool(data.get("ok")), needs_review=bool(data.get("needs_review")), content=content,
                             **fields))
    replace_policies(row)
    db.session.flush()
    return row


def hub_account(company_id: int, projects: list[Project], name: str = "Riverside Health",
                **fields: Any) -> ComplianceHubAccount:
    """An outside organisation with access to ``projects`` of the company."""
    account = _saved(ComplianceHubAccount(company_id=company_id, name=name, **fields))
    for project_row in projects:
        _saved(ComplianceHubProject(company_id=company_id, account_id=account.id, project_id=project_row.id))
    return account


def hub_member(account: ComplianceHubAccount, email: str = "owner@health.test",
               **fields: Any) -> ComplianceHubMember:
    """A person of the account who may sign in to the hub."""
    return _saved(ComplianceHubMember(company_id=account.company_id, account_id=account.id, email=email, **fields))


@dataclass
class Company:
    """A connected company with one vendor and a user of each role."""

    installation: Installation
    vendor: Vendor
    users: dict[str, AppUser]

    def __getitem__(self, role: str) -> AppUser:
        return self.users[role]


def company(company_id: int, company_name: str = "GC", vendor_name: str = "Sub", **vendor_fields: Any) -> Company:
    """A connected company, its vendor, and an admin, a compliance manager and a viewer."""
    row = installation(company_id, company_name)
    return Company(row, vendor(company_id, vendor_name, **vendor_fields),
                   {role: user(company_id, role) for role in ROLES})
