"""``flask --app app sync ...``: run the Procore sync jobs from a terminal, with a progress bar."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date

import click
from flask.cli import with_appcontext

from integration.models import SyncRun


@click.group("sync")
def sync() -> None:
    """Procore sync: push statuses to vendors' Insurance tabs, reconcile, import the directory (the jobs' own code)."""


@contextmanager
def company_run(company_id: int, kind: str | None) -> Iterator[SyncRun | None]:
    """A run of ``kind`` (None: the job records its own) under the company's sync lock; a clear refusal when
    the company is not connected or another sync job holds the lock."""
    from integration.sync_lock import company_sync_lock
    from integration.sync_runs import start_run
    from integration.tenancy import installation_of

    installation = installation_of(company_id)
    if installation is None or installation.connection_state != "connected":
        raise click.ClickException(f"company {company_id} is not connected to Gapline; nothing was run")
    with company_sync_lock(company_id) as held:
        if not held:
            raise click.ClickException(f"another sync job of company {company_id} is running; try again after it")
        yield start_run(company_id, kind) if kind else None


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    """A click progress bar fed by ``(done, total)`` callbacks."""
    with click.progressbar(length=1, label=label, show_pos=True) as bar:
        def advance(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        yield advance


def summary(run: SyncRun) -> str:
    """One line on how a run went."""
    counts = run.counts
    figures = ", ".join(f"{key.replace('_', ' ')} {counts[key]}" for key in (
        "examined", "pushed", "unchanged", "failed", "write_calls", "read_calls", "http_429") if key in counts)
    return f"{run.kind} run {run.id} {run.state}: {figures}" + (f"\n{run.error}" if run.error else "")


@sync.command("push")
@click.option("--company", "company_id", type=int, required=True, help="Procore company id")
@click.option("--marked", is_flag=True, help="only vendors marked as changed (default: examine every vendor)")
@with_appcontext
def push_command(company_id: int, marked: bool) -> None:
    """Send the company's insurance records that differ from what Procore holds."""
    from sync_jobs.push import push_records

    with company_run(company_id, "push") as run, progress_bar("Pushing") as advance:
        push_records(run, full=not marked, progress=advance)
    click.echo(summary(run))
    if run.state == "failed":
        raise SystemExit(1)


@sync.command("reconcile")
@click.option("--company", "company_id", type=int, required=True, help="Procore company id")
@with_appcontext
def reconcile_command(company_id: int) -> None:
    """The nightly reconcile, now: expiries, Procore's copy of our records, the directory, the push."""
    from sync_jobs.reconcile import reconcile

    with company_run(company_id, "reconcile") as run, progress_bar("Reconciling") as advance:
        reconcile(run, date.today(), progress=advance)
    click.echo(summary(run))
    if run.state == "failed":
        raise SystemExit(1)


@sync.command("import")
@click.option("--company", "company_id", type=int, required=True, help="Procore company id")
@with_appcontext
def import_command(company_id: int) -> None:
    """Import what changed in the company's Procore directory since the last import."""
    from sync_jobs.directory_import import run_import

    with company_run(company_id, None) as _, progress_bar("Importing") as advance:
        run = run_import(company_id, progress=advance)
    counts = ", ".join(f"{key} {value}" for key, value in run.counts.items())
    click.echo(f"directory_import run {run.id} {run.state}: {counts}" + (f"\n{run.error}" if run.error else ""))
    if run.state == "failed":
        raise SystemExit(1)
