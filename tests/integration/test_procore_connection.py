"""Tokens at rest, serialized refresh (one refresh for many callers), invalid_grant, and the directory import."""

from __future__ import annotations

import threading
import time

import pytest
import responses
from flask import current_app
from sqlalchemy import func, select

from integration.models import Installation, Project, SyncRun, Vendor
from integration.procore_connection import AdvisoryLockProvider, company_key, procore_client, token_manager
from integration.procore_failures import in_words
from procore_client import ReconnectRequired, ServerError, Token
from sync_jobs.directory_import import import_directory
from tests import factories
from tests.procore_stub import BASE, COMPANY_ID, payload, stub_directory, token_body


@pytest.fixture
def app(sqlite_committed):
    """The token store saves on its own connection, so these tests' rows are really committed."""
    return sqlite_committed


def connect(db, access="old-access", refresh="old-refresh", expires_in=-60) -> Installation:
    installation = factories.installation(COMPANY_ID, "Harbor Ridge Builders", connection_state="pending")
    db.session.commit()
    token = Token(access_token=access, refresh_token=refresh, expires_at=time.time() + expires_in)
    token_manager().store.save(company_key(COMPANY_ID), token)
    return installation


def token_calls() -> list:
    return [c for c in responses.calls if c.request.url == f"{BASE}/oauth/token"]


@responses.activate
def test_an_expired_token_is_refreshed_and_the_new_pair_saved_encrypted(app):
    from integration.extensions import db

    installation = connect(db)
    responses.post(f"{BASE}/oauth/token", json=token_body("new-access", "new-refresh"))
    responses.get(f"{BASE}/rest/v1.0/me", json=payload("me"))
    assert procore_client(COMPANY_ID).me()["id"] == 7340021
    assert "refresh_token=old-refresh" in token_calls()[0].request.body
    assert responses.calls[-1].request.headers["Authorization"] == "Bearer new-access"
    db.session.refresh(installation)
    assert b"new-refresh" not in installation.refresh_token_encrypted
    assert token_manager().store.fetch(company_key(COMPANY_ID)).refresh_token == "new-refresh"


@responses.activate
def test_invalid_grant_marks_the_company_disconnected_without_looping(app):
    from integration.extensions import db

    installation = connect(db)
    responses.post(f"{BASE}/oauth/token", status=400, json={"error": "invalid_grant"})
    with pytest.raises(ReconnectRequired):
        procore_client(COMPANY_ID).me()
    with pytest.raises(ReconnectRequired):
        procore_client(COMPANY_ID).me()  # fails fast: the dead refresh token is gone
    assert len(token_calls()) == 1
    db.session.refresh(installation)
    assert installation.connection_state == "disconnected"
    assert "an admin must reconnect" in installation.disconnected_reason


@responses.activate
def test_a_failed_import_writes_nothing_but_the_failed_run(app):
    from integration.extensions import db

    connect(db, expires_in=3600)
    responses.post(f"{BASE}/oauth/token", json=token_body("service-access", None))
    responses.get(f"{BASE}/rest/v1.0/projects", json=payload("projects_page1"))
    responses.get(f"{BASE}/rest/v1.0/vendors", status=500, json={"errors": "boom"})
    with pytest.raises(ServerError):
        import_directory(COMPANY_ID)
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0
    run = db.session.scalar(select(SyncRun))
    assert run.state == "failed" and run.error == in_words(ServerError("500"))  # words, not the URL
    assert "http" not in run.error and "ServerError" not in run.error


@responses.activate
def test_import_is_safe_to_run_twice(app):
    from integration.extensions import db

    connect(db, expires_in=3600)
    stub_directory(responses.mock)
    responses.post(f"{BASE}/oauth/token", json=token_body("service-access", None))
    import_directory(COMPANY_ID)
    first = db.session.scalar(select(func.count()).select_from(Vendor))
    import_directory(COMPANY_ID)
    assert db.session.scalar(select(func.count()).select_from(Vendor)) == first > 0
    second_vendor_call = [c for c in responses.calls if "/rest/v1.0/vendors" in c.request.url][-1]
    assert "filters%5Bupdated_at%5D" in second_vendor_call.request.url  # incremental after a success


@pytest.mark.integration
@responses.activate
def test_twenty_threads_share_one_refresh_through_the_database_lock(pg_committed):
    db = pg_committed
    connect(db)
    responses.post(f"{BASE}/oauth/token", json=token_body("fresh-access", "fresh-refresh"))
    app = current_app._get_current_object()
    manager = token_manager()
    assert isinstance(manager.locks, AdvisoryLockProvider)  # spans processes, not only threads
    seen: list[str] = []
    barrier = threading.Barrier(20)

    errors: list[BaseException] = []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                seen.append(manager.access_token(company_key(COMPANY_ID)))
            except BaseException as exc:  # surfaced below, with the thread's own error
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(token_calls()) == 1
    assert seen == ["fresh-access"] * 20


@responses.activate
def test_jobs_act_as_the_service_account_by_default(app):
    from integration.extensions import db

    connect(db, access="admin-access", expires_in=3600)
    stub_directory(responses.mock)
    responses.post(f"{BASE}/oauth/token", json=token_body("service-access", None))
    import_directory(COMPANY_ID)
    assert "grant_type=client_credentials" in token_calls()[0].request.body
    api_calls = [c for c in responses.calls if "/rest/" in c.request.url]
    assert {c.request.headers["Authorization"] for c in api_calls} == {"Bearer service-access"}
    assert {c.request.headers["Procore-Company-Id"] for c in api_calls} == {str(COMPANY_ID)}
    import_directory(COMPANY_ID)
    assert len(token_calls()) == 1  # the service token is reused until it nears expiry


@responses.activate
def test_jobs_can_act_as_the_connected_admin(app):
    import dataclasses

    from integration.extensions import db

    app.config["GAPLINE"] = dataclasses.replace(app.config["GAPLINE"], procore_job_auth="company_user")
    connect(db, access="admin-access", expires_in=3600)
    stub_directory(responses.mock)
    import_directory(COMPANY_ID)
    assert token_calls() == []
    assert {c.request.headers["Authorization"] for c in responses.calls} == {"Bearer admin-access"}


@responses.activate
def test_app_disconnected_in_procore_marks_the_company_and_does_not_retry(app):
    from integration.extensions import db

    installation = connect(db, expires_in=3600)
    responses.post(f"{BASE}/oauth/token", json=token_body("service-access", None))
    responses.get(f"{BASE}/rest/v1.0/projects", status=403, json={"errors": "App is not connected to this company"})
    run = db.session.get(SyncRun, import_directory(COMPANY_ID))
    assert run.state == "failed" and "not connected" in run.error
    db.session.refresh(installation)
    assert installation.connection_state == "disconnected"
    assert "not connected to this company" in installation.disconnected_reason
