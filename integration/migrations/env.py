"""Alembic environment: migrate the database bound to the Flask app's SQLAlchemy extension."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

import integration.models  # noqa: F401 - registers every table on the metadata

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)
log = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
metadata = db.metadata


def skip_empty_autogenerate(ctx, revision, directives) -> None:
    """Write no revision file when autogenerate finds no change."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected.")


def render_item(type_, obj, autogen_context):
    """Write our column types as plain SQLAlchemy types, so migrations never import app code."""
    from integration.models.base import UTCDateTime

    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_offline() -> None:
    """Emit SQL for the configured URL without connecting."""
    context.configure(url=db.engine.url.render_as_string(hide_password=False), target_metadata=metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run migrations on a live connection."""
    options = dict(current_app.extensions["migrate"].configure_args)
    options.setdefault("process_revision_directives", skip_empty_autogenerate)
    options.setdefault("render_item", render_item)
    with db.engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, **options)
        with context.begin_transaction():
            context.run_migrations()


run_offline() if context.is_offline_mode() else run_online()
