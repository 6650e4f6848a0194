"""The landing page, the health check and the favicon."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, send_from_directory

from integration.health import health_report

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    """Say what is running: demo (embedded) or production mode."""
    settings = current_app.config["GAPLINE"]
    return render_template("home/index.html", settings=settings, health=health_report())


@bp.get("/healthz")
def healthz():
    """Machine-readable health: database and, when configured, Redis."""
    report = health_report()
    return jsonify(report), (200 if report["ok"] else 503)


@bp.get("/favicon.ico")
def favicon():
    """Gapline's own icon (drawn by scripts/favicon.py), where browsers look for it without being told."""
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)
