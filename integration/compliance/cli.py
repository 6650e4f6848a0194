"""``flask --app app coi evaluate CERT.json --requirements REQ.json``: gaps and status as JSON."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click

from integration.certificate import CertificateFormatError, ExtractedCertificate
from integration.compliance.carriers import CarrierCsvError, CarrierTable, parse_carriers_csv
from integration.compliance.context import Assignment, Vendor
from integration.compliance.evaluate import evaluate
from integration.compliance.overrides import Override, OverrideError
from integration.compliance.requirements import RequirementSet, RequirementSetError
from integration.compliance.tiers import TIERS, starting_point

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_DAY = click.DateTime(formats=["%Y-%m-%d"])


def load_certificates(text: str) -> list[ExtractedCertificate]:
    """Certificates from one JSON object, a JSON list, or JSON Lines; ValueError names the certificate and field."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = [_json_line(line, number) for number, line in enumerate(text.splitlines(), 1) if line.strip()]
    items = data if isinstance(data, list) else [data]
    certificates = []
    for number, item in enumerate(items, 1):
        try:
            certificates.append(ExtractedCertificate.from_dict(item))
        except CertificateFormatError as exc:
            raise ValueError(f"certificate {number}: {'; '.join(exc.errors)}") from None
    return certificates


def _json_line(line: str, number: int) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"line {number}: not valid JSON ({exc.msg} at column {exc.colno})") from None


def _requirements(path: Path | None, tier: str) -> RequirementSet:
    if path is None:
        return starting_point(tier)
    try:
        return RequirementSet.from_json(path.read_text(encoding="utf-8"))
    except RequirementSetError as exc:
        raise click.BadParameter(str(exc), param_hint="--requirements") from None


def _carriers(path: Path | None) -> CarrierTable | None:
    try:
        return parse_carriers_csv(path.read_text(encoding="utf-8")) if path else None
    except CarrierCsvError as exc:
        raise click.BadParameter(str(exc), param_hint="--carriers") from None


def _overrides(path: Path | None) -> list[Override]:
    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [Override.from_dict(item) for item in (data if isinstance(data, list) else [data])]
    except (json.JSONDecodeError, OverrideError, AttributeError) as exc:
        raise click.BadParameter(f"invalid overrides: {exc}", param_hint="--overrides") from None


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


@click.command("evaluate")
@click.argument("certificates", type=_FILE)
@click.option("--requirements", "requirements_path", type=_FILE, help="Requirement set JSON (schema version 1).")
@click.option(
    "--tier",
    type=click.Choice(sorted(TIERS)),
    default="standard",
    show_default=True,
    help="Shipped starting point to use when --requirements is not given.",
)
@click.option("--today", type=_DAY, help="Evaluate as of this day (default: today).")
@click.option("--vendor-name", help="The vendor's legal name, to compare with the named insured.")
@click.option("--vendor-dba", multiple=True, help="A name the vendor does business as (repeatable).")
@click.option("--vendor-id", help="The vendor's id (matched against overrides).")
@click.option("--assignment-id", help="The assignment's id (matched against overrides).")
@click.option("--work-start", type=_DAY, help="First day of work on the project.")
@click.option("--work-end", type=_DAY, help="Last day of work on the project.")
@click.option("--carriers", "carriers_path", type=_FILE, help="Carrier CSV: naic, am_best_rating[, name, ...].")
@click.option("--overrides", "overrides_path", type=_FILE, help="JSON list of overrides.")
def evaluate_command(
    certificates: Path,
    requirements_path: Path | None,
    tier: str,
    today: datetime | None,
    vendor_name: str | None,
    vendor_dba: tuple[str, ...],
    vendor_id: str | None,
    assignment_id: str | None,
    work_start: datetime | None,
    work_end: datetime | None,
    carriers_path: Path | None,
    overrides_path: Path | None,
) -> None:
    """Check extracted certificate(s) in CERTIFICATES against a requirement set; print gaps and status."""
    try:
        documents = load_certificates(certificates.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="CERTIFICATES") from None
    assignment = Assignment(vendor_id, assignment_id, None, _day(work_start), _day(work_end))
    vendor = Vendor(vendor_name, tuple(vendor_dba)) if vendor_name else None
    evaluation = evaluate(
        documents,
        _requirements(requirements_path, tier),
        assignment,
        _day(today) or date.today(),
        vendor=vendor,
        carriers=_carriers(carriers_path),
        overrides=_overrides(overrides_path),
    )
    click.echo(json.dumps(evaluation.to_dict(), indent=2))
