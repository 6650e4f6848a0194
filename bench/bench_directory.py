"""Directory import at scale: 10,000 vendors from the Procore emulator over HTTP into PostgreSQL.

Size: BENCH_VENDORS (default 10000). Services: the PostgreSQL of TEST_DATABASE_URL, as in tests.
"""

from __future__ import annotations

import os
import resource
import tempfile
import time


def directory_import():
    """Yield one line: vendors imported, seconds, Procore calls made, and peak memory of this process."""
    import requests

    from fixtures.procore_sandbox import create_sandbox_app, serve_in_thread
    from fixtures.procore_sandbox.seedgen import generate_seed
    from integration.extensions import db
    from integration.models import Installation
    from integration.procore_connection import company_key, token_manager
    from procore_client import Token
    from sync_jobs.directory_import import import_directory
    from tests.conftest import build_app, make_settings
    from tests.fixtures.sandbox_helpers import sign_in
    from tests.services import PostgresDatabase

    vendors = int(os.environ.get("BENCH_VENDORS", "10000"))
    seed = generate_seed(companies=1, vendors_per_company=vendors, projects_per_company=8, seed=7)
    company_id = seed["companies"][0]["id"]
    sandbox = create_sandbox_app({"SEED_DATA": seed, "RATE_LIMIT_HOURLY": 0, "RATE_LIMIT_SPIKE": 0})
    pair = sign_in(sandbox.test_client())
    base_url, stop = serve_in_thread(app=sandbox)
    database = PostgresDatabase.create()
    try:
        app = build_app(make_settings(database_url=database.url, storage_path=tempfile.mkdtemp(),
                                      procore_api_base=base_url, procore_login_base=base_url))
        with app.app_context():
            db.session.add(Installation(company_id=company_id, company_name="Bench GC", connection_state="connected"))
            db.session.commit()
            token_manager().store.save(company_key(company_id), Token(pair["access_token"], time.time() + 5000,
                                                                      pair["refresh_token"]))
            requests.post(f"{base_url}/_emulator/reset", timeout=5)
            started = time.perf_counter()
            run_id = import_directory(company_id)
            seconds = time.perf_counter() - started
            from integration.models import SyncRun

            counts = db.session.get(SyncRun, run_id).counts
            db.engine.dispose()
        calls = requests.get(f"{base_url}/_emulator/requests", timeout=5).json()["count"]
    finally:
        stop()
        database.drop()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    yield {"vendors": counts["vendors"], "contacts": counts["contacts"], "assignments": counts["assignments"],
           "seconds": round(seconds, 2), "procore_calls": calls, "peak_rss_mb": round(peak_mb, 1)}


BENCHMARKS = [("directory_import", directory_import)]
