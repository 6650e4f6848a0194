"""Webhooks over HTTP both ways: the hook made on connect, events delivered by the emulator (retried, repeated,
out of order) to Gapline's receiver, a vendor created in Procore reaching Procore's Insurance tab, the hook
removed on disconnect."""

from __future__ import annotations

import json
import threading
import time

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from integration.connections import disconnect
from integration.deferred import in_process_jobs
from integration.extensions import db
from integration.insurance_records import origin_id
from integration.models import SyncRun, Vendor, WebhookEvent, WebhookHook
from integration.requirement_sets import save_set
from integration.webhooks import RECEIVER_PATH, TRIGGERS
from sync_jobs.directory_import import import_directory
from sync_jobs.webhooks import set_up_webhooks
from tests import factories
from tests.fixtures.sandbox_helpers import COMPANY_A, bearer, sign_in
from tests.sync_jobs.conftest import SAMPLES
from tests.sync_jobs.emulator import point_at, start_emulator
from tests.sync_jobs.test_push import full_push


class Gapline:
    """The Gapline app served over HTTP on one port, which can be stopped and started again."""

    def __init__(self, app) -> None:
        self.app, self.port, self._server = app, 0, None

    def start(self) -> str:
        self._server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self._server.server_port
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def world(sqlite_committed):
    """Company A connected and imported; Gapline served over HTTP where the emulator's hook will deliver."""
    emulator, stop_emulator = start_emulator(WEBHOOK_RETRY_BASE=0.3)
    gapline = Gapline(sqlite_committed)
    base_url = gapline.start()
    point_at(sqlite_committed, emulator, public_base_url=base_url)
    factories.installation(COMPANY_A, "Redwood General Contractors")
    admin = factories.user(COMPANY_A, "admin")
    save_set(COMPANY_A, json.loads((SAMPLES / "requirements_standard.json").read_text()), None)
    db.session.commit()
    import_directory(COMPANY_A)
    full_push()
    set_up_webhooks(COMPANY_A)
    emulator.reset_log()
    yield emulator, gapline, admin
    gapline.stop()
    stop_emulator()


def procore_user(emulator) -> dict:
    return bearer(sign_in(emulator.app.test_client()), COMPANY_A)


def delivered(emulator, count: int, seconds: float = 30) -> None:
    """Wait (polling, no timing asserted) until the emulator has no delivery left and ``count`` events are kept."""
    from fixtures.procore_sandbox.runtime import EXTENSION_KEY

    deliverer = emulator.app.extensions[EXTENSION_KEY].webhooks
    deadline = time.monotonic() + seconds
    while deliverer.pending() or _events() < count:
        assert time.monotonic() < deadline, f"{_events()} events kept, {deliverer.pending()} deliveries waiting"
        time.sleep(0.1)


def _events() -> int:
    db.session.remove()
    return db.session.scalar(select(func.count()).select_from(WebhookEvent))


def run_jobs() -> None:
    """Run what the deliveries queued (event processing), then what that queued (the push)."""
    jobs = in_process_jobs()
    while jobs.run_due(everything=True):
        pass


def test_the_hook_is_made_with_our_secret_and_triggers_on_vendors_and_projects(world):
    emulator, _, _ = world
    set_up_webhooks(COMPANY_A)  # again: the earlier hook is replaced, not doubled
    hooks = list(emulator.store.hooks.values())
    row = db.session.scalar(select(WebhookHook))
    assert len(hooks) == 1 and hooks[0]["id"] == row.procore_hook_id
    assert hooks[0]["destination_url"].endswith(RECEIVER_PATH) and hooks[0]["namespace"] == "gapline"
    secret = hooks[0]["destination_headers"]["Authorization"].removeprefix("Bearer ")
    assert len(secret) >= 32 and secret not in json.dumps([row.secret_sha256, row.destination_url])
    triggers = {(t["resource_name"], t["event_type"]) for t in emulator.store.triggers.values()
                if t["webhook_hook_id"] == hooks[0]["id"]}
    assert triggers == set(TRIGGERS)


def test_a_vendor_created_in_procore_appears_through_the_webhook_and_gets_its_records(world):
    emulator, _, _ = world
    created = requests.post(f"{emulator.url}/rest/v1.0/vendors", headers=procore_user(emulator), timeout=5,
                            json={"company_id": COMPANY_A, "vendor": {"name": "Brand New Roofing LLC"}}).json()
    delivered(emulator, 1)
    run_jobs()
    vendor = db.session.scalar(select(Vendor).where(Vendor.procore_vendor_id == created["id"]))
    assert vendor is not None and vendor.name == "Brand New Roofing LLC"
    for line in ("general_liability", "automobile_liability", "umbrella_liability", "workers_compensation"):
        assert emulator.record(origin_id(created["id"], line))["status"] == "non_compliant"
    assert db.session.scalar(select(SyncRun.state).where(SyncRun.kind == "webhook_events")) == "succeeded"


def test_repeated_and_out_of_order_events_end_as_procore_is(world):
    emulator, _, _ = world
    emulator.configure(WEBHOOK_DISORDER_SECONDS=0.6, WEBHOOK_DUPLICATE_RATE=0.5)
    headers, base = procore_user(emulator), f"{emulator.url}/rest/v1.0/vendors"
    kept = requests.post(base, headers=headers, json={"company_id": COMPANY_A, "vendor": {"name": "First name"}},
                         timeout=5).json()
    for name in ("Second name", "Final name"):
        requests.patch(f"{base}/{kept['id']}", headers=headers, timeout=5,
                       json={"company_id": COMPANY_A, "vendor": {"name": name}})
    dropped = requests.post(base, headers=headers, json={"company_id": COMPANY_A, "vendor": {"name": "Short-lived"}},
                            timeout=5).json()
    requests.delete(f"{emulator.url}/_emulator/companies/{COMPANY_A}/vendors/{dropped['id']}", timeout=5)
    delivered(emulator, 5)
    run_jobs()
    assert db.session.scalar(select(Vendor.name).where(Vendor.procore_vendor_id == kept["id"])) == "Final name"
    gone = db.session.scalar(select(Vendor).where(Vendor.procore_vendor_id == dropped["id"]))
    assert gone is None or gone.active is False
    deliveries = emulator.app.extensions["procore_sandbox"].webhooks.deliveries
    assert len(deliveries) > _events() == 5  # repeats were delivered, and kept once
    assert [e["event"]["id"] for e in deliveries] != sorted(e["event"]["id"] for e in deliveries)  # out of order


def test_deliveries_are_retried_until_gapline_answers(world):
    emulator, gapline, _ = world
    gapline.stop()
    requests.post(f"{emulator.url}/rest/v1.0/vendors", headers=procore_user(emulator), timeout=5,
                  json={"company_id": COMPANY_A, "vendor": {"name": "Patient Plumbing"}})
    deliveries = emulator.app.extensions["procore_sandbox"].webhooks.deliveries
    deadline = time.monotonic() + 30
    while not any(d["outcome"] == "retried" for d in deliveries):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    gapline.start()  # the same address again
    delivered(emulator, 1)
    assert [d["outcome"] for d in deliveries][-1] == "ok" and deliveries[0]["response_error"]


def test_a_delivery_without_our_secret_is_refused_and_nothing_is_kept(world):
    emulator, gapline, _ = world
    event = {"id": 1, "ulid": "01J0000000000000000000000", "company_id": COMPANY_A, "resource_name": "Company Vendors",
             "resource_id": 5_000_001, "event_type": "update"}
    url = f"http://127.0.0.1:{gapline.port}{RECEIVER_PATH}"
    wrong = requests.post(url, json=event, headers={"Authorization": "Bearer guessed"}, timeout=5)
    missing = requests.post(url, json=event, timeout=5)
    malformed = requests.post(url, json={**event, "resource_id": "x"}, headers={"Authorization": "Bearer guessed"},
                              timeout=5)
    assert (wrong.status_code, missing.status_code, malformed.status_code) == (401, 401, 400)
    assert "resource_id" in malformed.json()["error"] and _events() == 0


def test_disconnecting_deletes_the_hook(world):
    emulator, _, admin = world
    disconnect(COMPANY_A, db.session.merge(admin))
    assert emulator.store.hooks == {} and emulator.store.triggers == {}
    assert db.session.scalar(select(func.count()).select_from(WebhookHook)) == 0
