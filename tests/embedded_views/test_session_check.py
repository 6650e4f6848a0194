"""The session check outside a test's transaction, as production makes it (embedded_views.auth, request_reads).

Here commits are real, so the check reads on its own autocommit connection (on PostgreSQL, request_reads' pool)
instead of the test's session: these tests show it sees what other connections committed, that a kept page
costs the app's own pool nothing, and that a dropped connection or a stale prepared plan is tried again.
"""

from __future__ import annotations

import dataclasses
import threading
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import bindparam, column, event, func, select, table, text

from embedded_views.auth import SIGNED_IN_CHECK, SignedIn, _check
from integration import procore_visibility
from integration.connections import end_sessions
from integration.extensions import db
from integration.request_reads import request_reads
from tests import factories
from tests.conftest import signed_in

C = 47


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def committed(request):
    """The app with real commits, on the demo's SQLite and on production's PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_committed")
    request.getfixturevalue("pg_committed")
    return request.getfixturevalue("pg_app")


@pytest.fixture
def pg(pg_committed, pg_app):
    """The app with real commits on PostgreSQL only."""
    return pg_app


def make_world():
    base = factories.company(C, "Summit Builders", "Zeta Glazing", email="zeta@sub.test")
    base.project = factories.project(C, "Tower")
    factories.assignment(base.project, base.vendor, status="nothing_received")
    db.session.commit()
    return base


@pytest.fixture
def world(committed):
    return make_world()


@pytest.fixture
def pg_world(pg):
    return make_world()


def home(world) -> str:
    return f"/procore/companies/{C}/projects/{world.project.procore_project_id}"


@contextmanager
def statements_on(engine):
    """The SQL statements run on ``engine``'s pool while open."""
    seen: list[str] = []

    def note(_connection, _cursor, statement, *_rest) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_a_session_ended_by_another_connection_is_refused_on_the_next_request(committed, world):
    client = signed_in(committed, world["admin"])
    assert "Zeta Glazing" in client.get(home(world)).get_data(as_text=True)
    assert "Zeta Glazing" in client.get(home(world)).get_data(as_text=True)  # (served as kept)
    end_sessions(world["admin"])  # committed: the check's own connection must see it
    response = client.get(home(world))
    assert response.status_code == 401 and "Zeta Glazing" not in response.get_data(as_text=True)


def test_a_write_committed_elsewhere_retires_the_kept_page(committed, world):
    client = signed_in(committed, world["admin"])
    client.get(home(world))
    world.vendor.name = "Zeta Glass"
    db.session.commit()
    assert "Zeta Glass<" in client.get(home(world)).get_data(as_text=True)


@pytest.mark.integration
def test_on_postgresql_a_kept_page_runs_no_statement_on_the_apps_pool(pg, pg_world):
    client = signed_in(pg, pg_world["admin"])
    client.get(home(pg_world))
    with statements_on(db.engine) as seen:
        page = client.get(home(pg_world)).get_data(as_text=True)
    assert "Zeta Glazing" in page and seen == []  # no ping, no BEGIN, no read, no ROLLBACK on the app's pool


@pytest.mark.integration
def test_a_read_on_a_dropped_connection_is_tried_again_on_a_fresh_one(pg):
    reads = request_reads(db.engine)
    backend = reads.first(select(func.pg_backend_pid().label("pid")), {}).pid
    db.session.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
    db.session.commit()
    again = reads.first(select(func.pg_backend_pid().label("pid")), {})  # the pool hands back the dropped one
    assert again is not None and again.pid != backend


def test_the_check_reads_the_user_as_their_orm_row_has_them(committed, world):
    admin = world["admin"]
    procore_visibility.record(admin, [C, 9], [world.project.procore_project_id, 5])
    db.session.commit()
    columns = [column.key for column in SIGNED_IN_CHECK.selected_columns][:len(dataclasses.fields(SignedIn))]
    assert columns == [f.name for f in dataclasses.fields(SignedIn)]  # from_check takes them by position
    row = _check(C, admin.id)
    seen = SignedIn.from_check(row)
    assert (seen.id, seen.role, seen.email, seen.session_generation) == (admin.id, admin.role, admin.email,
                                                                         admin.session_generation)
    assert seen.procore_company_ids == (9, C) and seen.procore_project_ids == tuple(admin.procore_project_ids)
    assert seen.visibility_read_at == admin.visibility_read_at.replace(tzinfo=seen.visibility_read_at.tzinfo)
    assert isinstance(row.page_writes, int) and row.page_writes > 0 and row.unknown_writes == 0


@pytest.mark.integration
def test_a_read_whose_prepared_plan_went_stale_is_prepared_again(pg):
    db.session.execute(text("CREATE TABLE reads_probe (x integer)"))
    db.session.execute(text("INSERT INTO reads_probe VALUES (7)"))
    db.session.commit()
    probe = select(table("reads_probe", column("x")).c.x)
    reads = request_reads(db.engine)
    assert reads.first(probe, {}).x == 7
    db.session.execute(text("ALTER TABLE reads_probe ALTER COLUMN x TYPE text"))  # (as a migration might)
    db.session.commit()
    assert reads.first(probe, {}).x == "7"  # PostgreSQL refuses the old plan ("must not change result type")


@pytest.mark.integration
def test_a_read_that_cannot_succeed_says_why_and_the_next_read_works(pg):
    reads = request_reads(db.engine)
    with pytest.raises(psycopg.errors.UndefinedTable):
        reads.first(select(table("no_such_table", column("x")).c.x), {})
    assert reads.first(select(func.pg_backend_pid().label("pid")), {}).pid > 0
    with pytest.raises(TypeError, match="whole numbers and strings"):
        reads.first(select(func.pg_backend_pid().label("pid")).where(func.pg_backend_pid() > bindparam("n")),
                    {"n": 1.5})


@pytest.mark.integration
def test_each_thread_reads_on_its_own_connection(pg):
    reads = request_reads(db.engine)
    pid = select(func.pg_backend_pid().label("pid"))
    seen = []
    worker = threading.Thread(target=lambda: seen.append(reads.first(pid, {}).pid))
    worker.start()
    worker.join()
    assert seen and seen[0] != reads.first(pid, {}).pid
