"""The app home kept rendered (embedded_views.page_cache): served again only while nothing it shows was written.

Each kind of write is shown to retire a kept page: the page is read once (kept), the write is committed, and
the next read must show it. Without the page generation's count of that kind of write, these tests fail.
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
from flask import Flask, g, session
from flask_wtf.csrf import validate_csrf
from sqlalchemy import event, func, select, text, update

from embedded_views import page_cache
from integration import page_generation
from integration.connections import end_sessions
from integration.extensions import db
from integration.models import OutreachRequest, PageWrite, VendorSummary
from integration.vendor_summary import refresh
from tests import factories
from tests.conftest import signed_in

C = 46
TODAY = date.today()


@pytest.fixture
def world(database):
    base = factories.company(C, "Summit Builders", "Zeta Glazing", email="zeta@sub.test")
    base.project = factories.project(C, "Tower")
    factories.assignment(base.project, base.vendor, status="nothing_received")
    factories.project(C, "Annex")
    db.session.commit()
    return base


def home(world) -> str:
    return f"/procore/companies/{C}/projects/{world.project.procore_project_id}"


def read(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


class Statements:
    """Counts the SQL statements run while it is open."""

    def __init__(self) -> None:
        self.count = 0

    def __enter__(self):
        self.engine = db.session.get_bind().engine
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args) -> None:
        self.count += 1


def kept(app, world, who: str = "admin"):
    """A client signed in as ``who`` whose project page has been read once (so it is kept)."""
    client = signed_in(app, world[who])
    first = read(client, home(world))
    assert "Zeta Glazing" in first
    return client, first


def test_a_kept_page_is_served_again_with_one_read_and_the_same_content(database, world):
    client, first = kept(database, world)
    with Statements() as statements:
        again = read(client, home(world))
    assert statements.count == 1  # the user, their installation and the generation: the table is not read
    token = re.compile(r'name="csrf_token" value="[^"]*"')
    assert token.sub("", again) == token.sub("", first)
    assert re.findall(r'name="csrf_token" value="([^"]+)"', again)  # a real token where the page had one
    other = read(client, home(world) + "?q=zeta")  # another query string is another page
    assert "Zeta Glazing" in other and "matching “zeta”" in other


def test_each_session_gets_its_own_csrf_token_in_a_kept_page(database, world):
    first, _ = kept(database, world)
    second = signed_in(database, world["admin"])
    tokens = []
    for client in (first, second):
        g.pop("csrf_token", None)  # (the tests' requests share the test's app context, where Flask-WTF keeps it)
        tokens.append(re.findall(r'name="csrf_token" value="([^"]+)"', read(client, home(world))))
    assert tokens[0] and tokens[1] and set(tokens[0]).isdisjoint(tokens[1])
    with second.session_transaction() as session:
        assert session.get("csrf_token")  # the token in the page is this session's, made when it was served


def test_a_flush_of_orm_rows_retires_the_page(database, world):
    client, _ = kept(database, world)
    world.vendor.name = "Zeta Glass & Glazing"
    db.session.commit()
    assert "Zeta Glass &amp; Glazing" in read(client, home(world))


def test_an_upload_read_as_a_certificate_retires_the_page(database, world):
    client, first = kept(database, world)
    assert "none on file" in first
    ends = TODAY + timedelta(days=10)
    factories.certificate(world.vendor, {"file": "coi.pdf", "ok": True, "policies": [
        {"line": "general_liability", "expiration_date": ends.isoformat()}]})
    db.session.commit()
    assert "expiry-expiring" in read(client, home(world))


def test_a_bulk_statement_naming_the_company_retires_the_page(database, world):
    client, _ = kept(database, world)
    before, unknown = generation(C), generation(0)
    named = update(VendorSummary).where(VendorSummary.company_id == C, VendorSummary.vendor_id == world.vendor.id)
    db.session.execute(named.values(name="Bulk Named"))
    db.session.commit()
    assert "Bulk Named" in read(client, home(world))
    assert (generation(C), generation(0)) == (before + 1, unknown)  # the company was told from the statement


def test_a_refresh_of_the_table_rows_retires_the_page(database, world):
    client, _ = kept(database, world)
    connection = db.session.connection()  # the vendor renamed around the session, as a raw bulk load would
    connection.execute(update(world.vendor.__table__).where(world.vendor.__table__.c.id == world.vendor.id)
                       .values(name="Renamed By Import"))
    refresh(C, [world.vendor.id])  # what the evaluation store and the imports call after their bulk writes
    db.session.commit()
    assert "Renamed By Import" in read(client, home(world))


def test_a_statement_whose_company_cannot_be_told_retires_every_page(database, world):
    client, _ = kept(database, world)
    row = db.session.scalar(select(VendorSummary.id).where(VendorSummary.company_id == C,
                                                           VendorSummary.vendor_id == world.vendor.id,
                                                           VendorSummary.project_id == world.project.id))
    db.session.execute(update(VendorSummary).where(VendorSummary.id == row).values(name="By Id"))
    db.session.commit()
    assert "By Id" in read(client, home(world))
    db.session.execute(text("UPDATE vendor_summaries SET name = :name WHERE id = :id"), {"name": "By SQL", "id": row})
    db.session.commit()
    assert "By SQL" in read(client, home(world))


def test_a_bulk_request_retires_the_page_and_its_flash_is_never_kept(database, world):
    client = signed_in(database, world["compliance_manager"])
    assert "never" in read(client, home(world))
    sent = client.post(home(world) + "/vendors/request", data={"vendor_id": [world.vendor.id]})
    assert sent.status_code == 303
    assert db.session.scalar(select(OutreachRequest.vendor_id)) == world.vendor.id
    flashed = read(client, home(world))
    assert "Requested documents from 1 vendor: Zeta Glazing." in flashed
    after = read(client, home(world))
    assert "Requested documents" not in after  # the flash was shown once, and not kept with the page
    assert "<span class=\"muted\">never</span>" not in after


def test_a_directory_import_retires_the_page(database, world):
    client, first = kept(database, world)
    assert 'id="last-import"' not in first
    factories.imported(C)
    db.session.commit()
    assert 'id="last-import"' in read(client, home(world))


def test_a_role_change_retires_the_page(database, world):
    client, first = kept(database, world)
    assert "Request COI" in first
    world["admin"].role = "viewer"
    db.session.commit()
    assert "Request COI" not in read(client, home(world))


def test_a_project_renamed_retires_the_page(database, world):
    client, _ = kept(database, world)
    world.project.name = "Tower Two"
    db.session.commit()
    assert "Vendors on Tower Two" in read(client, home(world))


def test_a_kept_page_is_not_served_to_a_user_who_cannot_see_the_project(database, world):
    kept(database, world)
    hidden = signed_in(database, world["admin"], sees=[])  # the same user, signed in again: Procore no longer shows it
    response = hidden.get(home(world))
    assert response.status_code == 403 and "Zeta Glazing" not in response.get_data(as_text=True)


def test_a_kept_page_is_not_served_once_the_session_ended(database, world):
    client, _ = kept(database, world)
    end_sessions(world["admin"])
    response = client.get(home(world))
    assert response.status_code == 401 and "Zeta Glazing" not in response.get_data(as_text=True)


def test_a_kept_company_wide_page_follows_writes_too(database, world):
    client = signed_in(database, world["admin"])
    path = f"/procore/companies/{C}?scope=company"
    assert "Vendors across all projects" in read(client, path)
    world.vendor.trade = "Curtain Wall"
    db.session.commit()
    assert "Curtain Wall" in read(client, path)


def generation(company_id: int) -> int:
    return int(db.session.scalar(select(func.sum(PageWrite.weight)).where(PageWrite.company_id == company_id)) or 0)


def test_the_generation_moves_once_per_commit_that_wrote_and_never_otherwise(database, world):
    before, unknown = generation(C), generation(0)
    world.vendor.name = "One"
    world.project.name = "Two"
    db.session.commit()
    assert generation(C) == before + 1  # one commit, one count, whatever it wrote
    db.session.scalar(select(VendorSummary.id))
    db.session.commit()
    assert generation(C) == before + 1  # a commit that wrote nothing
    world.vendor.name = "Three"
    db.session.flush()
    db.session.rollback()
    assert generation(C) == before + 1  # a write rolled back
    assert generation(C + 1) == 0 and generation(0) == unknown  # no other company's count moved


def test_folding_the_rows_keeps_the_count_rising_by_one_per_commit(database, world, monkeypatch):
    monkeypatch.setattr(page_generation, "FOLD_EVERY", 3)
    seen = [generation(C)]
    for n in range(7):
        world.vendor.name = f"Name {n}"
        db.session.commit()
        seen.append(generation(C))
    assert seen == list(range(seen[0], seen[0] + 8))
    rows = db.session.scalar(select(func.count()).select_from(PageWrite).where(PageWrite.company_id == C))
    assert rows < 7  # older rows were folded into one


def test_a_signed_csrf_token_is_handed_out_again_only_within_its_reuse_time(monkeypatch):
    app = Flask("tokens")
    app.secret_key = "k" * 40
    now = [1000.0]
    monkeypatch.setattr(page_cache.time, "monotonic", lambda: now[0])
    page_cache.clear()
    with app.test_request_context():
        session["csrf_token"] = "raw-token-of-this-session"
        first = page_cache.csrf_token()
    with app.test_request_context():
        session["csrf_token"] = "raw-token-of-this-session"
        assert page_cache.csrf_token() == first
        validate_csrf(first)  # (raises when it is not this session's)
    with app.test_request_context():
        session["csrf_token"] = "another-session"
        assert page_cache.csrf_token() != first
    now[0] += page_cache.TOKEN_REUSE
    later = time.time() + page_cache.TOKEN_REUSE
    monkeypatch.setattr(time, "time", lambda: later)  # (a token signed later differs: its signature holds the time)
    with app.test_request_context():
        session["csrf_token"] = "raw-token-of-this-session"
        assert page_cache.csrf_token() != first
