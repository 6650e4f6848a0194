"""Email jobs on the ``emails`` queue: deliver outbox rows, and sweep up rows whose delivery is due again."""

from __future__ import annotations

from integration import outbox
from integration.models import utcnow
from integration.queue import Enqueued, enqueue, job_id_for
from sync_jobs.context import job

BATCH = 50  # rows per delivery job: one SMTP connection carries them all


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
