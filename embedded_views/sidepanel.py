"""The side panel on Procore's project vendor page: the vendor's Insurance view, 400 px wide."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request

from embedded_views.auth import requires_user, sign_in_page, signed_in_user
from embedded_views.insurance_view import insurance_context, project_in_context
from embedded_views.security import procore_origins
from integration.vendor_view import procore_vendor_page

bp = Blueprint("sidepanel", __name__, url_prefix="/procore")


@bp.get("/sidepanel")
def panel():
    """The panel's shell: it asks Procore for the view's context, then shows the vendor it names."""
    company_id = request.args.get("company_id", type=int)
    if not company_id:
        abort(400, description="company_id is required (Procore fills it in from the app's source URL).")
    if signed_in_user(company_id) is None:
        return sign_in_page(company_id)
    return render_template("sidepanel/shell.html", company_id=company_id, origins=procore_origins())


@bp.get("/companies/<int:company_id>/sidepanel/vendors/<int:procore_vendor_id>")
@requires_user()
def vendor(company_id: int, procore_vendor_id: int):
    """The vendor Procore is showing (by its Procore id), for this company only."""
    page, project = procore_vendor_page(company_id, procore_vendor_id), project_in_context(company_id)
    if page is None:
        return render_template("sidepanel/vendor.html", page=None, company_id=company_id, user=g.user)
    return render_template("sidepanel/vendor.html", **insurance_context(page, project, compact=True))
