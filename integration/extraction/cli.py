"""`flask coi extract FILE...` prints what certificates say; `flask coi score DIR` measures that against the truth."""

from __future__ import annotations

import json
from pathlib import Path

import click

from integration.extraction.budget import Budget
from integration.extraction.pipeline import extract
from integration.extraction.scoring import Score, documents_in, score, truth_beside

_SECONDS = click.option("--seconds", type=click.FloatRange(min=1), default=Budget.seconds, show_default=True,
                        help="time budget per file; a file needing more comes back ok:false")


@click.command("extract")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@_SECONDS
def extract_command(files: tuple[str, ...], seconds: float) -> None:
    """Read certificate files (PDF, JPEG, PNG) and print what they say, one JSON object per line."""
    budget = Budget(seconds=seconds)
    for path in files:
        click.echo(json.dumps(extract(path, budget=budget).to_dict(), ensure_ascii=False))


@click.command("score")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_SECONDS
def score_command(folder: Path, seconds: float) -> None:
    """Read every certificate in FOLDER and score it against the NAME.truth.json beside it."""
    total = Score()
    budget = Budget(seconds=seconds)
    for document in documents_in(folder):
        got = extract(document, budget=budget).to_dict()
        truth = truth_beside(document)
        if truth is None:
            click.echo(f"{document.name}: no truth file; read {_summary(got)}")
            continue
        result = score(got, truth)
        total.add(result)
        click.echo(f"{document.name}: {result.correct}/{result.total} correct ({result.accuracy:.1%}), "
                   f"{len(result.flagged)} wrong but flagged, {len(result.silent)} silent misreads; {_summary(got)}")
        for label, wrong in (("flagged", result.flagged), ("SILENT", result.silent)):
            for path, value, expected in wrong:
                click.echo(f"    {label} {path}: read {value!r}, true {expected!r}")
    click.echo("per field:")
    for path, (right, seen) in sorted(total.per_field.items()):
        click.echo(f"    {path}: {right}/{seen}")
    click.echo(f"total: {total.correct}/{total.total} deciding values correct ({total.accuracy:.1%}), "
               f"{len(total.flagged)} wrong but flagged, {len(total.silent)} silent misreads")


def _summary(doc: dict) -> str:
    """One line on how a document was read."""
    if not doc["ok"]:
        return f"refused: {doc['error']}"
    return (f"{doc['method']}, {doc['edition'] or 'edition unknown'}, {len(doc['policies'])} policies, "
            f"needs_review={str(doc['needs_review']).lower()}")
