"""The Procore Marketplace app manifest (schema 4.1), generated from configuration."""

from __future__ import annotations

import uuid

from integration.settings import Settings

SIDEPANEL_VIEWS = ("project_directory.vendors.edit",)
# The DMSA reads the directory and writes vendor insurance records; it never needs admin rights.
PERMISSIONS = {
    "company": {"directory": "standard", "webhooks": "standard"},
    "project": {"directory": "readonly"},
}


def _stable_uuid(settings: Settings, component: str) -> str:
    """A component UUID that stays the same for the same app and host, so re-generation is harmless."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{settings.public_base_url}#{settings.procore_client_id}#{component}"))


def build_manifest(settings: Settings) -> dict:
    """The manifest: a full-screen app, a side panel on the project vendor page, the subcontractor widget, and DMSA
    permissions.

    The widget is an embedded component of its own (a subcontractor's Procore user opens it from the top right of
    any project, in a window at the bottom): like the full-screen app it names its URL, but it takes no company or
    project, since the Procore sign-in in its popup says who the subcontractor is and their requests span
    contractors.
    """
    base = settings.public_base_url
    return {
        "schema_version": "4.1",
        "post_installation_instruction": {
            "notes": "Open Gapline from a project's Apps menu and connect it with your Procore account. "
                     "Gapline then imports your Directory vendors and writes their insurance statuses back. "
                     "Subcontractors open the same app and sign in with Procore to see their own requests "
                     f"and upload certificates (the widget: {base}/procore/widget).",
            "page": {"url": f"{base}/guide/", "label": "Gapline set-up guide"},
        },
        "fullscreen": {
            "uuid": _stable_uuid(settings, "fullscreen"),
            "source_url": f"{base}/procore/companies/{{{{procore.company.id}}}}/projects/{{{{procore.project.id}}}}",
            "description": "Certificate-of-insurance compliance: vendors, coverage gaps, reviews and overrides.",
        },
        "sidepanel": {
            "uuid": _stable_uuid(settings, "sidepanel"),
            "views": list(SIDEPANEL_VIEWS),
            "source_url": f"{base}/procore/sidepanel?company_id={{{{procore.company.id}}}}"
                          f"&project_id={{{{procore.project.id}}}}",
            "description": "This vendor's insurance status and coverage gaps, with an upload for new documents.",
        },
        "widget": {
            "uuid": _stable_uuid(settings, "widget"),
            "source_url": f"{base}/procore/widget",
            "description": "Subcontractors: your insurance requests from every contractor, with their gaps, and a "
                           "COI upload for each.",
        },
        "permissions": PERMISSIONS,
    }
