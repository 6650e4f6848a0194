"""The public Insurance Guide: one page per coverage-gap code, no login."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for

from embedded_views.procore import _same_site_path
from integration.compliance.gaps import CATALOGUE, all_gap_infos
from integration.guide_slugs import code_of, slug_of

bp = Blueprint("guide", __name__, url_prefix="/guide")


@bp.get("/")
def index() -> str:
    """Every gap code with its title."""
    return render_template("guide/index.html", gaps=all_gap_infos(), back=_same_site_path(request.args.get("back", "")),
                           guide_slug=slug_of)


@bp.get("/<code>")
def gap(code: str):
    """One gap code explained for subcontractors and brokers, at its readable address; the old address (the code
    itself, in emails already sent) redirects there, keeping the way back. ``code`` is the address's last part."""
    known = code_of(code)
    if known is None:
        if code not in CATALOGUE:
            abort(404)
        back = request.args.get("back")
        return redirect(url_for("guide.gap", code=slug_of(code), **({"back": back} if back else {})), 301)
    info = CATALOGUE[known]
    return render_template("guide/gap.html", gap=info, back=_same_site_path(request.args.get("back", "")))
