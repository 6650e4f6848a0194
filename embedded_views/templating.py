"""What templates may call besides Flask's own: the words for statuses, coverage lines and gaps."""

from __future__ import annotations

from integration.compliance.statuses import Status
from integration.compliance.wording import coverage, day, dollars
from integration.guide_slugs import slug_of


def status_label(status: str) -> str:
    """A stored status value as people read it ("nothing_received" -> "Nothing received")."""
    return Status(status).label


TEMPLATE_GLOBALS = {"status_label": status_label, "coverage_name": coverage, "day": day, "dollars": dollars,
                    "guide_slug": slug_of}


def app_home_url(company_id: int) -> str:
    """The app's home for the project in context (see embedded_views.project_table)."""
    from embedded_views.project_table import app_home_url as home

    return home(company_id)


TEMPLATE_GLOBALS["app_home_url"] = app_home_url


def about_vendor(text: str | None) -> str:
    """A gap's words, written for the subcontractor ("your ..."), told to the GC's people about the vendor."""
    from integration.insurance_standing import third_person

    return third_person(text or "")


TEMPLATE_GLOBALS["about_vendor"] = about_vendor


def nav_links(company_id: int, user):
    """The navigation's links for this page (see embedded_views.navigation)."""
    from embedded_views.navigation import nav_links as links

    return links(company_id, user)


TEMPLATE_GLOBALS["nav_links"] = nav_links


def project_label(project) -> str:
    """A project's name with its number, so two projects of the same name can be told apart in a list."""
    return f"{project.name} ({project.project_number})" if project.project_number else project.name


TEMPLATE_GLOBALS["project_label"] = project_label


def role_title(role: str) -> str:
    """A role as a label shows it ("Compliance manager")."""
    from integration.roles import titled

    return titled(role)


TEMPLATE_GLOBALS["role_title"] = role_title


def when(moment, seconds: bool = False) -> str:
    """A stored time as people read it ("December 1, 2026, 20:17 UTC"); stored times are UTC."""
    return f"{day(moment.date())}, {moment.strftime('%H:%M:%S' if seconds else '%H:%M')} UTC"


TEMPLATE_GLOBALS["when"] = when
