"""Single-use refresh tokens across worker processes: three processes, five threads each, one refresh."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
import requests

from fixtures.procore_sandbox import create_sandbox_app, serve_in_thread
from integration.models import Installation
from integration.procore_connection import company_key, token_manager
from procore_client import Token
from tests import factories
from tests.conftest import ROOT
from tests.fixtures.sandbox_helpers import COMPANY_A, sign_in

pytestmark = pytest.mark.integration

WORKER = textwrap.dedent("""
    import json, sys, threading, time
    from app import create_app
    from integration.procore_connection import procore_client
    app = create_app()
    results = []
    def call():
        with app.app_context():
            time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # every thread of every process starts together
            try:
                results.append(procore_client(int(sys.argv[1])).me()["id"])
            except Exception as exc:
                results.append(f"{type(exc).__name__}: {exc}")
    threads = [threading.Thread(target=call) for _ in range(5)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    print(json.dumps(results))
""")


def test_three_processes_share_one_refresh(pg_committed, pg_settings):
    db = pg_committed
    sandbox = create_sandbox_app()
    pair = sign_in(sandbox.test_client())  # a real token pair from the emulator's consent flow
    sandbox.test_client().post("/_emulator/reset")  # count only what the workers do
    base_url, stop = serve_in_thread(app=sandbox)
    try:
        factories.installation(COMPANY_A)
        db.session.commit()
        stale = Token(access_token=pair["access_token"], refresh_token=pair["refresh_token"],
                      expires_at=time.time() - 60)  # we believe it expired: every caller wants a refresh
        token_manager().store.save(company_key(COMPANY_A), stale)
        env = {**os.environ, "DATABASE_URL": pg_settings.database_url, "PROCORE_API_BASE": base_url,
               "PROCORE_LOGIN_BASE": base_url, "GAPLINE_ENV": "test"}
        env.pop("REDIS_URL", None)
        start_at = str(time.time() + 4)
        workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(COMPANY_A), start_at], cwd=ROOT, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
        outputs = [w.communicate(timeout=120) for w in workers]
        results = [r for out, err in outputs for r in json.loads(out.strip().splitlines()[-1] if out else "[]")]
        log = requests.get(f"{base_url}/_emulator/requests", timeout=5).json()
    finally:
        stop()
    assert len(results) == 15 and all(isinstance(r, int) for r in results), (results, [e for _, e in outputs])
    assert log["counts"].get("POST /oauth/token") == 1  # exactly one refresh, whoever won the lock
    db.session.expire_all()
    installation = db.session.query(Installation).filter_by(company_id=COMPANY_A).one()
    assert installation.connection_state == "connected"
