"""What a health check reports: can Gapline reach its database and its queue?"""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import delete, false, select

from integration.extensions import db
from integration.models import Installation

log = logging.getLogger(__name__)

HEALTH_TIMEOUT_MS = 1000  # a health check answers quickly, even when the database does not


def health_report() -> dict:
    """Database and Redis reachability, the mode, and whether all is well."""
    settings = current_app.config["GAPLINE"]
    report = {
        "mode": "embedded" if settings.embedded else "queued",
        "env": settings.env,
        "database": _check(touch_database),
        "redis": "not configured (jobs run in-process)",
    }
    if not settings.embedded:
        from integration.queue import redis_connection

        report["redis"] = _check(lambda: redis_connection().ping())
    report["ok"] = report["database"] == "ok" and (settings.embedded or report["redis"] == "ok")
    return report


def touch_database() -> None:
    """Read a real table within a second; on SQLite also take the write lock for a moment, as every upload must."""
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    waited = connection.exec_driver_sql("PRAGMA busy_timeout").scalar() if sqlite else None
    try:
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {HEALTH_TIMEOUT_MS}" if sqlite
                                   else f"SET LOCAL statement_timeout = {HEALTH_TIMEOUT_MS}")
        connection.execute(select(Installation.id).limit(1))
        if sqlite:  # readers never wait in WAL mode; a writer that holds the lock stops every upload
            connection.execute(delete(Installation).where(false()))
    finally:
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout = {int(waited)}")
        db.session.rollback()


def _check(probe) -> str:
    try:
        probe()
    except Exception as exc:  # noqa: BLE001 - a health check reports any failure as text
        log.warning("health check failed: %s", exc)
        db.session.rollback()
        return f"error: {exc.__class__.__name__}"
    return "ok"
