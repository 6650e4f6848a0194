"""Gapline's SQLAlchemy models, one module per aggregate; importing this registers them all."""

from integration.models.access import OneTimeToken, RateEvent
from integration.models.audit import AuditEvent
from integration.models.base import Base, utcnow
from integration.models.certificates import Certificate, CertificatePolicy
from integration.models.compliance_hub import ComplianceHubAccount, ComplianceHubMember, ComplianceHubProject
from integration.models.directory import Project, ProjectAssignment, Vendor, VendorContact
from integration.models.documents import StoredFile, Submission
from integration.models.evaluations import CoverageGap, Evaluation
from integration.models.installation import AppUser, Installation
from integration.models.outreach import EmailOptOut, OutreachRequest, SentEmail, SentEmailRequest
from integration.models.overrides import Override
from integration.models.page_generation import PageWrite
from integration.models.requirements import CarrierRating, RequirementSet
from integration.models.sync import PendingPush, PushedRecord, SyncRun
from integration.models.vendor_summary import VendorSummary
from integration.models.webhooks import WebhookEvent, WebhookHook

__all__ = [
    "AppUser", "AuditEvent", "Base", "CarrierRating", "Certificate", "CertificatePolicy", "ComplianceHubAccount",
    "ComplianceHubMember", "ComplianceHubProject", "CoverageGap", "EmailOptOut", "Evaluation", "Installation",
    "OneTimeToken", "OutreachRequest", "Override", "PageWrite", "PendingPush", "Project", "ProjectAssignment",
    "PushedRecord", "RateEvent", "RequirementSet", "SentEmail", "SentEmailRequest", "StoredFile", "Submission",
    "SyncRun", "Vendor", "VendorContact", "VendorSummary", "WebhookEvent", "WebhookHook", "utcnow",
]
