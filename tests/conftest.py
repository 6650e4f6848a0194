"""Shared fixtures: the app on SQLite for unit tests, real PostgreSQL + Redis + RQ for the integration tier."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask_sqlalchemy.session import Session as FlaskSession
from redis import Redis

from integration.settings import Settings
from tests.services import PostgresDatabase, RedisService

ROOT = Path(__file__).resolve().parent.parent

_services: dict[str, object] = {}
_used: list[str] = []


def make_settings(**overrides) -> Settings:
    """Demo settings with ``overrides`` applied (no environment is read)."""
    return dataclasses.replace(Settings.from_env({}), **overrides)


def build_app(settings: Settings, **config):
    """A migrated app for ``settings``."""
    from flask_migrate import upgrade

    from app import create_app

    # Procore retries back off without really sleeping, so refusal tests stay fast.
    options = {"sleep": lambda seconds: None}
    # Embedded jobs run inline in the test's own thread and session, and jobs queued for later wait until a
    # test runs them (integration.deferred): no worker thread. Tests of the thread pass JOBS_IN_PROCESS="thread".
    app = create_app({"GAPLINE": settings, "TESTING": True, "WTF_CSRF_ENABLED": False, "JOBS_IN_PROCESS": "inline",
                      "PROCORE_CLIENT_OPTIONS": options, **config})
    with app.app_context():
        upgrade()
    return app


def signed_in(app, user, *, sees=None):
    """A test client whose session is signed in as ``user`` (for that user's company).

    As a sign-in through Procore would, it records what Procore shows the user: their company and the Procore
    project ids ``sees`` (by default every project the company has in Gapline now).
    """
    from sqlalchemy import select

    from embedded_views.auth import SESSION_KEY, claim_for
    from integration import procore_visibility
    from integration.extensions import db
    from integration.models import Project

    if sees is None:
        sees = db.session.scalars(select(Project.procore_project_id).where(Project.company_id == user.company_id))
    procore_visibility.record(user, [user.company_id], sees)
    db.session.commit()
    client = app.test_client()
    with app.test_request_context(), client.session_transaction() as session:
        session[SESSION_KEY] = claim_for(user).to_dict()
    return client


@pytest.fixture(autouse=True)
def _no_kept_pages():
    """Each test starts with no rendered page kept (its database, and the pages' generations with it, start afresh)."""
    from embedded_views import page_cache

    page_cache.clear()
    yield
    page_cache.clear()


# --- the database: migrated once per run, each test rolled back to where it started -----------------


class ConnectionSession(FlaskSession):
    """A session that always uses the test's connection (Flask-SQLAlchemy's would pick the engine and commit)."""

    def get_bind(self, *args, **kwargs):
        return self.bind


class ThreadBoundSession:
    """The test's session in the test's thread; any other thread gets the app's own, never the test's connection.

    A thread sharing the test's connection (a job thread, a clock, a late request) would run statements
    inside the test's transaction: rows of one test in another, or "nested transaction already deassociated".
    """

    def __init__(self, test_session, original) -> None:
        self._test, self._original, self._thread = test_session, original, threading.get_ident()

    def _current(self):
        return self._test if threading.get_ident() == self._thread else self._original

    def __getattr__(self, name):
        return getattr(self._current(), name)

    def __call__(self, *args, **kwargs):
        return self._current()(*args, **kwargs)


@contextmanager
def restored(application):
    """Whatever a test changes in the app's config and extensions is put back after it; its job thread is joined."""
    from integration.deferred import EXTENSION

    config, extensions = dict(application.config), dict(application.extensions)
    try:
        yield application
    finally:
        jobs = application.extensions.get(EXTENSION)
        if jobs is not None and jobs is not extensions.get(EXTENSION):
            jobs.stop()  # a job thread started by this test ends with it
        application.config.clear()
        application.config.update(config)
        application.extensions.clear()
        application.extensions.update(extensions)


@contextmanager
def rolled_back(application, storage: Path, **changes):
    """An app context whose session runs in one transaction, rolled back after the test.

    The code under test commits and rolls back as usual: each of those ends a SAVEPOINT inside the
    test's transaction (warehouse's tests/conftest.py pattern). Documents go to ``storage``.
    """
    from integration.extensions import db

    with restored(application):
        application.config["GAPLINE"] = dataclasses.replace(application.config["GAPLINE"],
                                                            storage_path=str(storage), **changes)
        with application.app_context():
            connection = db.engine.connect()
            driver = connection.connection.driver_connection
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:  # pysqlite's own transaction handling breaks SAVEPOINTs; issue BEGIN ourselves
                driver.isolation_level = None
            transaction = connection.begin()
            if sqlite:
                connection.exec_driver_sql("BEGIN")
            original = db.session
            test_session = db._make_scoped_session({"bind": connection, "join_transaction_mode": "create_savepoint",
                                                    "class_": ConnectionSession})
            db.session = ThreadBoundSession(test_session, original)
            try:
                yield application
            finally:
                db.session.remove()
                db.session = original
                transaction.rollback()
                if sqlite:
                    driver.isolation_level = ""
                connection.close()
    shutil.rmtree(storage, ignore_errors=True)


@contextmanager
def emptied(application, storage: Path, **changes):
    """An app context whose commits are real (other connections and processes see them); tables emptied after."""
    from integration.extensions import db
    from integration.models import Base

    with restored(application):
        application.config["GAPLINE"] = dataclasses.replace(application.config["GAPLINE"],
                                                            storage_path=str(storage), **changes)
        with application.app_context():
            try:
                yield application
            finally:
                db.session.remove()
                with db.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
                        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
                    else:
                        for table in reversed(Base.metadata.sorted_tables):
                            conn.execute(table.delete())
    shutil.rmtree(storage, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_app(tmp_path_factory):
    """The demo's app on one SQLite file, migrated once per run."""
    folder = tmp_path_factory.mktemp("sqlite")
    return build_app(make_settings(database_url=f"sqlite:///{folder / 'gapline.db'}",
                                   storage_path=str(folder / "files")))


@pytest.fixture
def app(sqlite_app, tmp_path):
    """The app on SQLite (embedded mode), its session rolled back after the test, its own storage folder."""
    with rolled_back(sqlite_app, tmp_path / "files") as application:
        yield application


@pytest.fixture
def settings(app) -> Settings:
    """The test's embedded-mode settings."""
    return app.config["GAPLINE"]


@pytest.fixture
def client(app):
    """A test client for the app."""
    return app.test_client()


@pytest.fixture
def sqlite_committed(sqlite_app, tmp_path):
    """The SQLite app for tests whose rows other connections must see; every table is emptied after."""
    with emptied(sqlite_app, tmp_path / "files") as application:
        yield application


# --- integration tier: real PostgreSQL, real Redis, real RQ worker -------------------------------


def _redis_service() -> RedisService:
    if "redis" not in _services:
        _services["redis"] = RedisService.obtain()
    return _services["redis"]  # type: ignore[return-value]


def _pg_database() -> PostgresDatabase:
    if "pg" not in _services:
        _services["pg"] = PostgresDatabase.create()
    return _services["pg"]  # type: ignore[return-value]


def pytest_report_header(config):
    """Say which PostgreSQL server and Redis the integration tier uses."""
    return [
        f"integration tier: PostgreSQL server {os.environ.get('TEST_DATABASE_URL', 'postgresql://postgres@127.0.0.1:5432/test')}"
        " (a throwaway database per run), Redis "
        f"{os.environ.get('TEST_REDIS_URL', 'redis://127.0.0.1:6379/0')} (a private redis-server if unreachable)",
    ]


def pytest_terminal_summary(terminalreporter):
    """Say which real services the integration tier used (nothing means it did not run)."""
    terminalreporter.section("integration tier services")
    workers = getattr(terminalreporter.config.option, "numprocesses", None)
    if workers and not _used:  # the controller of a parallel run: its workers used the services
        _used.append(f"{terminalreporter.config.option.numprocesses} parallel workers, each with its own throwaway "
                     "PostgreSQL database and private redis-server")
    for line in _used or ["none: no integration test ran"]:
        terminalreporter.write_line(line)


def pytest_sessionfinish(session, exitstatus):
    """Drop the throwaway database and stop a private Redis."""
    pg = _services.pop("pg", None)
    if pg is not None:
        pg.drop()
    redis = _services.pop("redis", None)
    if redis is not None:
        redis.stop()


@pytest.fixture(scope="session")
def redis_url() -> str:
    """URL of a real Redis (database 0 of a server the suite may flush), printed once."""
    service = _redis_service()
    _used.append(f"Redis: {service.url} ({service.origin})")
    return service.url


@pytest.fixture
def redis_conn(redis_url):
    """A Redis connection, flushed before and after each test."""
    conn = Redis.from_url(redis_url)
    conn.flushdb()
    yield conn
    conn.flushdb()
    conn.close()


@pytest.fixture(scope="session")
def pg_url() -> str:
    """SQLAlchemy URL of a throwaway PostgreSQL database for this run, printed once."""
    database = _pg_database()
    _used.append(f"PostgreSQL: {database.url} (dropped after the run)")
    return database.url


@pytest.fixture(scope="session")
def pg_settings(pg_url, redis_url, tmp_path_factory) -> Settings:
    """Queued-mode settings on real PostgreSQL and Redis."""
    return make_settings(database_url=pg_url, redis_url=redis_url,
                         storage_path=str(tmp_path_factory.mktemp("files")))


@pytest.fixture(scope="session")
def pg_app(pg_settings):
    """The app on real PostgreSQL, migrated once per run; its connections close before the drop."""
    from integration.extensions import db

    application = build_app(pg_settings)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def pg_db(pg_app, tmp_path):
    """The app on PostgreSQL (jobs inline, as on SQLite), its session rolled back after the test."""
    with rolled_back(pg_app, tmp_path / "files", redis_url="") as application:
        yield application


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database(request):
    """The same tests on the demo's SQLite and on production's PostgreSQL (rolled back, files removed)."""
    yield request.getfixturevalue("app" if request.param == "sqlite" else "pg_db")


@pytest.fixture
def pg_committed(pg_app, redis_conn):
    """An app context for tests whose rows other processes must see; every table is emptied after."""
    from integration.extensions import db

    # Worker processes read the run's storage folder, so the folder stays the run's own.
    with emptied(pg_app, Path(pg_app.config["GAPLINE"].storage_path)):
        yield db


WORKER_QUEUES = ("push", "high", "emails", "default", "low")


def worker_command(redis_url: str, queues: tuple[str, ...], burst: bool = True) -> list[str]:
    """The ``rq worker`` command line the Procfile runs, optionally in burst mode."""
    return [sys.executable, "-m", "rq.cli", "worker", *(["--burst"] if burst else []), "--url", redis_url,
            "--worker-class", "sync_jobs.worker.GaplineWorker", *(queues or WORKER_QUEUES)]


@pytest.fixture
def worker_env(pg_settings, redis_url):
    """The environment of a worker process: the test's database, Redis and storage, plus ``extra``."""

    def env(**extra: str) -> dict[str, str]:
        return {**os.environ, "DATABASE_URL": pg_settings.database_url, "REDIS_URL": redis_url,
                "STORAGE_PATH": pg_settings.storage_path, "GAPLINE_ENV": "test", **extra}

    return env


@pytest.fixture
def rq_worker(worker_env, redis_url):
    """Run a real ``rq worker --burst`` process over the queues, with the app's environment (plus ``env``)."""

    def run(*queues: str, timeout: float = 120, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(worker_command(redis_url, queues), cwd=ROOT, env=worker_env(**(env or {})),
                              capture_output=True, text=True, timeout=timeout)

    return run


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port, recording what it accepts; stopped after the test."""
    from tests.smtp_server import SmtpServer

    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_to(smtp_server):
    """Point the current app's MAIL_* settings at the test's SMTP server; returns the server."""
    from flask import current_app

    def point(app=None):
        target = app or current_app
        target.config["GAPLINE"] = dataclasses.replace(target.config["GAPLINE"], mail_server=smtp_server.host,
                                                       mail_port=smtp_server.port)
        return smtp_server

    return point
