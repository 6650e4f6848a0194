"""``flask --app app procore ...``: the Marketplace manifest and the Procore connection."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from integration.manifest import build_manifest


@click.group("procore")
def procore() -> None:
    """Procore: the app manifest and company connections."""


@procore.command("manifest")
@with_appcontext
def manifest_command() -> None:
    """Print the Marketplace app manifest (schema 4.1) for this deployment's PUBLIC_BASE_URL."""
    click.echo(json.dumps(build_manifest(current_app.config["GAPLINE"]), indent=2))
