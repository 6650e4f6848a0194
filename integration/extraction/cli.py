"""`flask coi extract FILE...`: print one certificate object per file as JSON Lines, in input order."""

from __future__ import annotations

import json

import click

from integration.extraction.budget import Budget
from integration.extraction.pipeline import extract


@click.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--seconds", type=click.FloatRange(min=1), default=Budget.seconds, show_default=True,
              help="time budget per file; a file needing more comes back ok:false")
def extract_command(files: tuple[str, ...], seconds: float) -> None:
    """Read certificate files (PDF, JPEG, PNG) and print what they say, one JSON object per line."""
    budget = Budget(seconds=seconds)
    for path in files:
        click.echo(json.dumps(extract(path, budget=budget).to_dict(), ensure_ascii=False))
