"""The one list of periodic jobs: (job, trigger, trigger arguments). The clock only enqueues them.

Each job is a ``@job`` function taking no arguments; it fans out per company itself. The clock
process and, in embedded mode, the app's own in-process clock read this same list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from integration.settings import Settings


@dataclass(frozen=True)
class Periodic:
    """A job the clock enqueues on a schedule (APScheduler trigger name and its arguments)."""

    func: Callable[[], Any]
    trigger: str
    trigger_args: dict = field(default_factory=dict)
    queue: str = "low"

    @property
    def name(self) -> str:
        """A stable name, also the RQ job id, so a slow run is never doubled."""
        from integration.queue import job_id_for

        return job_id_for("periodic", self.func.__module__, self.func.__name__)


def periodic_jobs(settings: Settings | None = None) -> list[Periodic]:
    """Everything that runs on a schedule (the reconcile's time and timezone come from the settings)."""
    from sync_jobs import compliance, emails, maintenance, reading, reconcile

    settings = settings or Settings()
    hour, minute = (int(part) for part in settings.reconcile_at.split(":"))
    return [
        # Each connected company's reconcile with Procore, at night where the GC works.
        Periodic(reconcile.reconcile_all_companies, "cron",
                 {"hour": hour, "minute": minute, "timezone": settings.reconcile_timezone}),
        # Just after midnight UTC, so a policy that expired yesterday shows expired today.
        Periodic(compliance.reevaluate_all_companies, "cron", {"hour": 0, "minute": 5}),
        Periodic(maintenance.prune_spent_secrets, "cron", {"hour": 3, "minute": 15}),
        # Retries whose backoff is over, and emails whose delivery job was lost (Redis down, a killed worker).
        Periodic(emails.sweep_outbox, "interval", {"minutes": 1}, queue="emails"),
        # Readings whose worker died (killed, out of memory, the machine gone) are queued again or failed, saying why.
        Periodic(reading.reap_stuck_readings, "interval", {"minutes": 5}, queue="high"),
        # Reminders on business days, mid-morning on the US east coast (14:00 UTC).
        Periodic(emails.send_reminders, "cron", {"day_of_week": "mon-fri", "hour": 14, "minute": 0}, queue="emails"),
    ]
