"""The public Insurance Guide: one page per coverage-gap code, no login."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from embedded_views.procore import _same_site_path
from integration.compliance.gaps import CATALOGUE, all_gap_infos

bp = Blueprint("guide", __name__, url_prefix="/guide")


@bp.get("/")
def index() -> str:
    """Every gap code with its title."""
    return render_template("guide/index.html", gaps=all_gap_infos(), back=_same_site_path(request.args.get("back", "")))


@bp.get("/<code>")
def gap(code: str) -> str:
    """One gap code explained for subcontractors and brokers."""
    info = CATALOGUE.get(code)
    if info is None:
        abort(404)
    return render_template("guide/gap.html", gap=info, back=_same_site_path(request.args.get("back", "")))
