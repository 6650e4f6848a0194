"""The one navigation of the pages inside Procore, and the project they keep in context.

Every in-Procore page shows the same links (base.html's ``app_nav``), each filtered through its rule from
integration.roles. The project a page was opened for (``?project=``, checked by ``requires_user``) is added
to every link and form Gapline builds for the same company (``keep_project``, Flask's ``url_defaults``), so
buttons and redirects after a POST come back to that project.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request, url_for

from integration.roles import Permission, can_manage, is_admin


@dataclass(frozen=True)
class NavLink:
    """One link of the navigation: where it goes, its words, who sees it, and the endpoints it stands for."""

    endpoint: str
    label: str
    allowed: Permission | None
    covers: tuple[str, ...] = ()

    def current(self, here: str | None) -> str:
        """The link's aria-current: "page" on the page it leads to, "true" on one of the pages it stands for, else
        ""."""
        return "page" if here == self.endpoint else "true" if here in self.covers else ""


# The admin area's screens, shown on each of them.
ADMIN = (
    NavLink("admin.connection", "Procore connection", is_admin, ("admin.confirm_disconnect",)),
    NavLink("requirements.index", "Requirements", is_admin, ("requirements.tier", "requirements.project")),
    NavLink("outreach.settings", "Account settings", is_admin),
    NavLink("team.index", "Team", is_admin),
    NavLink("sync.index", "Sync", is_admin),
    NavLink("compliance_hub_admin.index", "Compliance Hub access", is_admin),
    NavLink("compliance_hub_admin.work_windows", "Work windows", is_admin,
            ("compliance_hub_admin.project_work_windows",)),
)
ADMIN_PAGES = {"admin.index"} | {e for link in ADMIN for e in (link.endpoint, *link.covers)}
MAIN = (
    NavLink("procore.app_home", "All vendors", None),
    NavLink("review.index", "Review queue", can_manage, ("review.edit",)),
    NavLink("admin.index", "Admin", is_admin, tuple(sorted(ADMIN_PAGES - {"admin.index"}))),  # lit on every screen
)


@dataclass(frozen=True)
class Shown:
    """A link as the page shows it."""

    href: str
    label: str
    current: str  # aria-current: "page", "true" (a page of the link's area), or ""


def nav_links(company_id: int, user) -> dict[str, list[Shown]]:
    """The links ``user`` may follow from this page: the main ones, and the admin area's on its screens."""
    from embedded_views.project_table import app_home_url

    here = request.endpoint

    def shown(links) -> list[Shown]:
        return [Shown(app_home_url(company_id) if link.endpoint == "procore.app_home"
                      else url_for(link.endpoint, company_id=company_id), link.label, link.current(here))
                for link in links if link.allowed is None or link.allowed(user)]

    return {"main": shown(MAIN), "admin": shown(ADMIN) if here in ADMIN_PAGES else []}


# Links that must not carry the project: the app's home (and its CSV) names it in its path (or is the company-wide
# table on purpose), and files, page images and the progress poll are the same whatever the project.
NOT_KEPT = {"procore.app_home", "table_export.project_csv", "table_export.company_csv", "vendors.download",
            "vendors.page_preview", "review.page_image", "vendors.reading", "procore.sign_out_user"}


def keep_project(endpoint: str | None, values: dict) -> None:
    """Add ``project`` (the Procore project in context) to a URL of the same company, unless it names one itself."""
    project = g.get("project")
    if project is None or endpoint in NOT_KEPT or "project" in values:
        return
    if values.get("company_id") == project.company_id:
        values["project"] = project.procore_project_id
