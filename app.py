"""Gapline's application factory: wiring only, no work at import. WSGI target: ``app:create_app()``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from integration.settings import Settings

ROOT = Path(__file__).resolve().parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Flask app from the environment, with ``config`` overriding for tests."""
    app = Flask(
        "gapline",
        root_path=str(ROOT),
        template_folder=str(ROOT / "embedded_views" / "templates"),
        static_folder=str(ROOT / "embedded_views" / "static"),
        instance_path=str(ROOT / "instance"),
    )
    register_config(app, config or {})
    register_extensions(app)
    register_outbox(app)
    register_blueprints(app)
    register_template_globals(app)
    register_security_headers(app)
    register_session(app)
    register_error_handlers(app)
    register_cli(app)
    register_sync(app)
    register_clock(app)
    return app


def register_config(app: Flask, overrides: Mapping[str, Any]) -> None:
    """Parse settings once (overrides may pass a ready ``GAPLINE`` Settings) and load Flask config."""
    settings = overrides.get("GAPLINE") or Settings.from_env()
    app.config.update(settings.flask_config())
    app.config.update({k: v for k, v in overrides.items() if k != "GAPLINE"})
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, CSRF protection and the token cipher to the app."""
    # (page_generation and vendor_summary keep the pages' generations and the table's rows as ORM writes commit)
    from integration import page_generation, vendor_summary  # noqa: F401
    from integration.crypto import TokenCipher
    from integration.extensions import csrf, db, migrate

    app.extensions["token_cipher"] = TokenCipher(app.config["GAPLINE"].token_encryption_key)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "integration" / "migrations"), render_as_batch=True)
    csrf.init_app(app)


def register_outbox(app: Flask) -> None:
    """Emails committed to the outbox are delivered by jobs on the ``emails`` queue."""
    from sync_jobs.emails import queue_deliveries

    app.extensions["outbox_dispatch"] = queue_deliveries


def register_blueprints(app: Flask) -> None:
    """Mount the pages and the helpers their templates share."""
    from embedded_views.admin import bp as admin_bp
    from embedded_views.compliance_hub import bp as compliance_hub_bp
    from embedded_views.compliance_hub_admin import bp as compliance_hub_admin_bp
    from embedded_views.guide import bp as guide_bp
    from embedded_views.home import bp as home_bp
    from embedded_views.hub import bp as hub_bp
    from embedded_views.mailbox import bp as mailbox_bp
    from embedded_views.outreach import bp as outreach_bp
    from embedded_views.portal import bp as portal_bp
    from embedded_views.procore import bp as procore_bp
    from embedded_views.project_table import bp as vendor_table_bp
    from embedded_views.requirements import bp as requirements_bp
    from embedded_views.review import bp as review_bp
    from embedded_views.sidepanel import bp as sidepanel_bp
    from embedded_views.sync import bp as sync_bp
    from embedded_views.table_export import bp as table_export_bp
    from embedded_views.team import bp as team_bp
    from embedded_views.templating import TEMPLATE_GLOBALS
    from embedded_views.vendors import bp as vendors_bp
    from embedded_views.webhooks import bp as webhooks_bp
    from embedded_views.widget import bp as widget_bp

    for blueprint in (home_bp, procore_bp, vendors_bp, review_bp, sidepanel_bp, guide_bp, mailbox_bp, team_bp,
                      compliance_hub_bp, compliance_hub_admin_bp, sync_bp, webhooks_bp, portal_bp, hub_bp, outreach_bp,
                      admin_bp, requirements_bp, widget_bp, vendor_table_bp, table_export_bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(TEMPLATE_GLOBALS)
    from embedded_views.navigation import keep_project

    app.url_defaults(keep_project)  # links and redirects of a page opened for a project keep that project


def register_template_globals(app: Flask) -> None:
    """Templates ask the same role rules as the views: ``can_manage(user)``, ``is_admin(user)``."""
    from integration.roles import can_manage, is_admin

    app.jinja_env.globals.update(can_manage=can_manage, is_admin=is_admin)


def register_security_headers(app: Flask) -> None:
    """Only Procore may frame Gapline; nothing is sniffed."""
    from embedded_views.security import apply_security_headers

    app.after_request(apply_security_headers)


def register_session(app: Flask) -> None:
    """Flask's signed-cookie session, with the cookie values this process verified lately remembered."""
    from embedded_views.session_cookie import RememberingSessionInterface

    app.session_interface = RememberingSessionInterface()


def register_error_handlers(app: Flask) -> None:
    """Refusals as readable pages that say what was wrong; a busy database says so and asks to try again."""
    from sqlalchemy.exc import OperationalError

    from embedded_views.errors import database_error, http_error, refused
    from integration.refusals import Refusal

    for code in (400, 401, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(code, http_error)
    app.register_error_handler(Refusal, refused)
    app.register_error_handler(OperationalError, database_error)


def register_cli(app: Flask) -> None:
    """Add the ``coi``, ``procore`` and ``sync`` command groups."""
    from integration.cli import coi
    from integration.procore_cli import procore
    from sync_jobs.cli import sync

    app.cli.add_command(coi)
    app.cli.add_command(procore)
    app.cli.add_command(sync)


def register_sync(app: Flask) -> None:
    """After a commit that changed statuses, queue the company's debounced Procore push."""
    from integration.push_state import set_push_trigger
    from sync_jobs.push import queue_push

    set_push_trigger(app, queue_push)


def register_clock(app: Flask) -> None:
    """Embedded mode has no clock process: the first request starts the same schedule in-process."""
    if not app.config["GAPLINE"].embedded or app.testing or not app.config.get("IN_PROCESS_CLOCK", True):
        return
    from sync_jobs.clock import start_in_process

    def start_clock() -> None:
        start_in_process(app)

    app.before_request(start_clock)
