"""Email jobs on the ``emails`` queue: deliver outbox rows, sweep up rows due again, run the reminder cadence."""

from __future__ import annotations

from datetime import date

from integration import outbox
from integration.models import utcnow
from integration.outreach.cadence import run_cadence
from integration.queue import Enqueued, enqueue, job_id_for
from sync_jobs.context import job

BATCH = 200  # rows per delivery job: its few SMTP connections carry them all (a job costs a fork, so not fewer)


@job
def deliver_emails(email_ids: list[int]) -> dict[str, int]:
    """Send these outbox rows (safe to run twice: a row already sent or being sent is skipped)."""
    return outbox.deliver(email_ids)


def queue_deliveries(email_ids: list[int]) -> list[Enqueued]:
    """Queue the delivery of outbox rows on the ``emails`` queue, in batches."""
    batches = [email_ids[i:i + BATCH] for i in range(0, len(email_ids), BATCH)]
    return [enqueue(deliver_emails, batch, queue="emails", job_id=job_id_for("email", batch[0], len(batch)))
            for batch in batches]


@job
def sweep_outbox() -> int:
    """Hand the sender every row that is due again (retries, stranded or abandoned sends); returns how many."""
    ids = outbox.due_for_sweep(utcnow())
    if ids:
        queue_deliveries(ids)
    return len(ids)


@job
def send_reminders(today: str | None = None) -> dict[str, int]:
    """The business day's reminders, renewals, digests and non-responsive notices; safe to run twice a day."""
    run = run_cadence(date.fromisoformat(today) if today else date.today())
    return {"emails": run.emails, "digests": run.digests, "reminded": run.reminded,
            "non_responsive": run.non_responsive, "closed": run.closed}
