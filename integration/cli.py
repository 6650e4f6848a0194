"""Gapline's command line: ``flask --app app coi ...`` for certificates, requirements and carriers."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from integration.compliance.carriers import CarrierCsvError
from integration.compliance.cli import evaluate_command
from integration.compliance.requirements import RequirementSetError
from integration.extraction.cli import extract_command, score_command


@click.group("coi")
def coi() -> None:
    """Certificates of insurance: read them, check them, and manage what the GC requires."""


coi.add_command(evaluate_command)
coi.add_command(extract_command)
coi.add_command(score_command)


@coi.group("requirements")
def requirements() -> None:
    """Import and export a company's requirement sets as JSON."""


@requirements.command("export")
@click.option("--company", "company_id", type=int, required=True, help="Procore company id")
@with_appcontext
def export_requirements(company_id: int) -> None:
    """Print the company's default, tier and project sets as one JSON document."""
    from integration.requirement_sets import export_sets

    click.echo(json.dumps(export_sets(company_id), indent=2, sort_keys=True))


@requirements.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--company", "company_id", type=int, required=True, help="Procore company id")
@click.option("--project", "project_id", type=int, default=None, help="Gapline project id (for a project override)")
@click.option("--tier", default=None, help="light, standard or high_risk (for a tier patch)")
@with_appcontext
def import_requirements(path: Path, company_id: int, project_id: int | None, tier: str | None) -> None:
    """Validate and store a set (or a tier/project patch); every vendor is then re-evaluated."""
    from integration.extensions import db
    from integration.requirement_sets import save_set
    from sync_jobs.compliance import queue_reevaluation

    try:
        row = save_set(company_id, json.loads(path.read_text()), None, project_id=project_id, tier=tier)
        db.session.commit()
    except (RequirementSetError, LookupError, json.JSONDecodeError) as exc:
        db.session.rollback()
        raise click.ClickException(f"{path}: nothing was saved:\n{exc}") from exc
    queue_reevaluation(company_id, "requirements_changed")
    click.echo(f"saved requirement set {row.id} version {row.version}; re-evaluation queued")


@coi.group("carriers")
def carriers() -> None:
    """The carrier table: NAIC numbers and AM Best ratings."""


@carriers.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--company", "company_id", type=int, required=True, help="Procore company id")
@with_appcontext
def import_carriers(path: Path, company_id: int) -> None:
    """Replace the company's carrier table from a CSV (naic, am_best_rating[, name, financial_size_class])."""
    from integration.extensions import db
    from integration.requirement_sets import replace_carriers
    from sync_jobs.compliance import queue_reevaluation

    try:
        count = replace_carriers(company_id, path.read_text(), None)
        db.session.commit()
    except CarrierCsvError as exc:
        db.session.rollback()
        raise click.ClickException(f"{path}: nothing was saved:\n{exc}") from exc
    queue_reevaluation(company_id, "carriers_changed")
    click.echo(f"saved {count} carriers; re-evaluation queued")


@coi.command("reminders")
@click.option("--date", "day", default=None, help="run as this day (YYYY-MM-DD); default: today")
@with_appcontext
def reminders(day: str | None) -> None:
    """Send the reminders, renewals and digests due (the clock does this every business day at 14:00 UTC)."""
    from sync_jobs.emails import send_reminders

    click.echo(json.dumps(send_reminders(day), sort_keys=True))
