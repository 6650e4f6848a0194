"""Email throughput: outbox rows written in one transaction, delivered by 2 real RQ worker processes to a real
SMTP server (aiosmtpd), on real PostgreSQL and Redis.

Timed from the first ``outbox.add`` until the SMTP server has accepted every message and every row is
``sent``. The run also checks the exactly-once promise: each idempotency key reached the server once.
Count: BENCH_EMAILS (default 2000). Services: TEST_DATABASE_URL / TEST_REDIS_URL as in tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2


def _start_workers(settings, smtp) -> list[subprocess.Popen]:
    """The workers, started and warm (each has built the app) before the clock starts."""
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
           "STORAGE_PATH": settings.storage_path, "GAPLINE_ENV": "test", **smtp.env()}
    command = [sys.executable, "-m", "rq.cli", "worker", "--url", settings.redis_url,
               "--worker-class", "sync_jobs.worker.GaplineWorker", "emails"]
    return [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for _ in range(WORKERS)]


def _wait_until_listening(redis_url: str, count: int, timeout: float = 120.0) -> None:
    from redis import Redis
    from rq import Worker

    connection, deadline = Redis.from_url(redis_url), time.monotonic() + timeout
    while len(Worker.all(connection=connection)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {count} workers registered after {timeout}s")
        time.sleep(0.05)


def _write(count: int) -> None:
    """The outbox rows, as a cadence run writes them: one transaction, then handed to the ``emails`` queue."""
    from integration import outbox

    for n in range(count):
        email = outbox.Email("reminder", f"sub{n}@bench.test", f"Reminder: Your Insurance Docs are needed ({n})",
                             f"Plain words for {n}.\n", f"<p>Plain words for {n}.</p>",
                             {"List-Unsubscribe": f"<https://gapline.test/unsubscribe/{n}>"})
        outbox.add(email, f"bench:{n}", company_id=None)
    outbox.commit()


def _wait_for_delivery(db, smtp, count: int, timeout: float = 600.0) -> None:
    """Until the server holds every message and every row says ``sent`` (looking at the database only then)."""
    from sqlalchemy import func, select

    from integration.models import SentEmail

    deadline = time.monotonic() + timeout
    while len(smtp.recorder.messages) < count or db.session.scalar(
            select(func.count(SentEmail.id)).where(SentEmail.state != "sent")):
        db.session.rollback()
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(smtp.recorder.messages)} of {count} emails delivered after {timeout}s")
        time.sleep(0.02)


def _check_once(smtp, count: int) -> None:
    """Every email reached the server exactly once (Message-ID is derived from the idempotency key)."""
    ids = Counter(message["Message-ID"] for message in smtp.messages)
    if len(ids) != count or max(ids.values()) != 1:
        raise AssertionError(f"{len(smtp.messages)} messages for {count} emails, {len(ids)} distinct")


def email_throughput():
    """Yield one line: emails delivered per second through the outbox, RQ and SMTP."""
    from redis import Redis

    from integration.extensions import db
    from tests.conftest import build_app, make_settings
    from tests.services import PostgresDatabase, RedisService
    from tests.smtp_server import SmtpServer

    count = int(os.environ.get("BENCH_EMAILS", "2000"))
    database, redis, smtp = PostgresDatabase.create(), RedisService.obtain(), SmtpServer().start()
    redis_url = redis.url.rsplit("/", 1)[0] + "/12"  # its own Redis db, flushed before and after
    Redis.from_url(redis_url).flushdb()
    settings = make_settings(database_url=database.url, redis_url=redis_url, storage_path=tempfile.mkdtemp(),
                             mail_server=smtp.host, mail_port=smtp.port)
    app = build_app(settings)
    workers = _start_workers(settings, smtp)
    try:
        _wait_until_listening(redis_url, WORKERS)
        with app.app_context():
            started = time.perf_counter()
            _write(count)
            _wait_for_delivery(db, smtp, count)
            elapsed = time.perf_counter() - started
            db.engine.dispose()
        _check_once(smtp, count)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
        smtp.stop()
        Redis.from_url(redis_url).flushdb()
        database.drop()
        redis.stop()
    yield {"workers": WORKERS, "emails": count, "emails_per_s": round(count / elapsed, 1)}


BENCHMARKS = [("email_throughput", email_throughput)]
