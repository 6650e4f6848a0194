"""What a health check reports: can Gapline reach its database and its queue?"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import text

from integration.extensions import db


def health_report() -> dict:
    """Database and Redis reachability, the mode, and whether all is well."""
    settings = current_app.config["GAPLINE"]
    report = {
        "mode": "embedded" if settings.embedded else "queued",
        "env": settings.env,
        "database": _check(lambda: db.session.execute(text("SELECT 1"))),
        "redis": "not configured (jobs run in-process)",
    }
    if not settings.embedded:
        from integration.queue import redis_connection

        report["redis"] = _check(lambda: redis_connection().ping())
    report["ok"] = report["database"] == "ok" and (settings.embedded or report["redis"] == "ok")
    return report


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure as text
        return f"error: {exc.__class__.__name__}"
    return "ok"
