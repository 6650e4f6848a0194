"""Upload to status through a real RQ worker on real PostgreSQL and Redis (fillable certificates).

Each upload is timed from ``receive()`` until its submission has a status (evaluated or needs
review). Count: BENCH_UPLOADS (default 20). Services: TEST_DATABASE_URL / TEST_REDIS_URL as in tests.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _start_worker(settings) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "REDIS_URL": settings.redis_url,
           "STORAGE_PATH": settings.storage_path, "GAPLINE_ENV": "test"}
    return subprocess.Popen([sys.executable, "-m", "rq.cli", "worker", "--url", settings.redis_url,
                             "--worker-class", "sync_jobs.worker.GaplineWorker", "high"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_for_status(db, submission_id: int, timeout: float = 60.0) -> None:
    from integration.models import Submission

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        if db.session.get(Submission, submission_id).state in {"evaluated", "needs_review"}:
            return
        time.sleep(0.01)
    raise TimeoutError(f"submission {submission_id} had no status after {timeout}s")


def upload_to_status():
    """Yield one line: p50 and p95 seconds from upload to status for fillable certificates."""
    from redis import Redis

    from fixtures.certgen import generate
    from integration.extensions import db
    from integration.extraction.intake import IncomingFile
    from integration.models import Installation, Vendor
    from integration.submissions import receive
    from sync_jobs.reading import queue_reading
    from tests.conftest import build_app, make_settings
    from tests.services import PostgresDatabase, RedisService

    count = int(os.environ.get("BENCH_UPLOADS", "20"))
    database, redis = PostgresDatabase.create(), RedisService.obtain()
    redis_url = redis.url.rsplit("/", 1)[0] + "/13"  # its own Redis db, flushed before and after
    Redis.from_url(redis_url).flushdb()
    settings = make_settings(database_url=database.url, redis_url=redis_url, storage_path=tempfile.mkdtemp())
    app = build_app(settings)
    documents = [generate(seed, "fillable") for seed in range(count)]
    worker = _start_worker(dataclasses.replace(settings))
    timings: list[float] = []
    try:
        with app.app_context():
            db.session.add(Installation(company_id=1, company_name="Bench GC", connection_state="connected"))
            db.session.flush()
            vendor = Vendor(company_id=1, procore_vendor_id=1, name="Bench Sub")
            db.session.add(vendor)
            db.session.commit()
            for document in documents:
                started = time.perf_counter()
                received = receive(1, vendor.id, [IncomingFile(document.filename, document.data)], "staff_upload")
                queue_reading(1, received.submission.id)
                _wait_for_status(db, received.submission.id)
                timings.append(time.perf_counter() - started)
            db.engine.dispose()
    finally:
        worker.terminate()
        worker.wait(20)
        Redis.from_url(redis_url).flushdb()
        database.drop()
        redis.stop()
    yield {"variant": "fillable", "uploads": count, "p50_s": round(statistics.median(timings), 3),
           "p95_s": round(_percentile(timings, 0.95), 3), "max_s": round(max(timings), 3)}


def upload_response():
    """Yield one line: p50 and p95 seconds for the demo (SQLite, jobs on the worker thread) to answer a 6-file upload.

    Target: under 1 s; the reading happens after the answer. Count: BENCH_UPLOADS (default 10).
    """
    import io

    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    from fixtures.certgen import generate
    from integration.deferred import in_process_jobs
    from integration.extensions import db
    from integration.models import AppUser, Installation, Vendor
    from tests.conftest import build_app, make_settings, signed_in

    count = int(os.environ.get("BENCH_UPLOADS", "10"))
    folder = Path(tempfile.mkdtemp())
    app = build_app(make_settings(database_url=f"sqlite:///{folder / 'demo.db'}", storage_path=str(folder / "files")),
                    JOBS_IN_PROCESS="thread")
    timings: list[float] = []
    with app.app_context():
        db.session.add(Installation(company_id=1, company_name="Bench GC", connection_state="connected"))
        db.session.flush()
        vendor = Vendor(company_id=1, procore_vendor_id=1, name="Bench Sub")
        admin = AppUser(company_id=1, procore_user_id=1, email="admin@bench.test", role="admin")
        db.session.add_all([vendor, admin])
        db.session.commit()
        client, url = signed_in(app, admin), f"/procore/companies/1/vendors/{vendor.id}/documents"
        for round_ in range(count):
            files = [generate(round_ * 6 + seed, "fillable") for seed in range(6)]
            form = MultiDict([("files", FileStorage(io.BytesIO(f.data), filename=f.filename)) for f in files])
            boundary, body = encode_multipart(form)
            started = time.perf_counter()
            answer = client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")
            timings.append(time.perf_counter() - started)
            assert answer.status_code == 303, answer.status_code
            in_process_jobs(app).wait_idle(300)  # the next upload starts with the reader idle (not timed)
        in_process_jobs(app).stop()
        db.engine.dispose()
    yield {"files": 6, "uploads": count, "p50_s": round(statistics.median(timings), 3),
           "p95_s": round(_percentile(timings, 0.95), 3), "max_s": round(max(timings), 3), "target_s": 1.0}


BENCHMARKS = [("upload_to_status", upload_to_status), ("upload_response", upload_response)]
