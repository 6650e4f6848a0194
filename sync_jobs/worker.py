"""The RQ worker class: builds the app and imports the readers once, so each forked job starts warm.

Used by the Procfile: ``rq worker --worker-class sync_jobs.worker.GaplineWorker ...``.
"""

from __future__ import annotations

from typing import Any

from rq import Worker

from sync_jobs.context import worker_app


def preload() -> None:
    """Create the app and import the heavy readers in the parent; forks inherit them."""
    worker_app()
    import integration.reading  # noqa: F401 - pdf, image and OCR libraries load here, once


class GaplineWorker(Worker):
    """An RQ worker whose job processes start with Gapline already loaded."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        preload()
