"""Fresh planner statistics before the table's rows are worked out for many vendors at once (PostgreSQL)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import insert, select, text

from integration.models import Vendor, VendorSummary
from integration.vendor_summary import fresh_statistics, refresh
from tests import factories

pytestmark = pytest.mark.integration


def flush_statistics(db) -> None:
    """Make this backend's counts of changed rows visible in pg_stat_user_tables (as they are a moment later)."""
    db.session.execute(text("SELECT pg_stat_force_next_flush()"))
    db.session.commit()


def counted(db, at_least: int) -> None:
    """Wait (10 s at most) until the statistics show at least ``at_least`` vendors changed since their last ANALYZE.

    A backend's counts reach pg_stat_user_tables a moment after its commit, and counts that arrive after an ANALYZE
    are taken as changes since it: an ANALYZE run before they arrive would be undone.
    """
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        db.session.commit()  # (each transaction reads the statistics afresh)
        seen = db.session.scalar(text("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'vendors' "
                                      "AND schemaname = current_schema()"))
        if seen is not None and seen >= at_least:
            return
        time.sleep(0.05)
    raise AssertionError(f"the statistics never showed {at_least} changed vendors")


def settled(db) -> None:
    """Wait until no more counts of earlier changes to vendors arrive (30 s at most): an idle connection of an earlier
    test sends its counts up to 10 s after it went idle (PostgreSQL's idle statistics interval), and counts that
    arrive after an ANALYZE are taken as changes since it."""
    seen, since, deadline = None, time.monotonic(), time.monotonic() + 30
    while time.monotonic() < deadline:
        db.session.commit()  # (each transaction reads the statistics afresh)
        now = db.session.scalar(text("SELECT n_mod_since_analyze FROM pg_stat_user_tables WHERE relname = 'vendors' "
                                     "AND schemaname = current_schema()"))
        if now != seen:
            seen, since = now, time.monotonic()
        elif time.monotonic() - since > 10.5:
            return
        time.sleep(0.25)


def test_a_bulk_load_is_analyzed_once_before_many_vendors_are_refreshed(pg_committed):
    db = pg_committed
    factories.installation(7, "Bulk GC")
    db.session.execute(insert(Vendor), [{"company_id": 7, "procore_vendor_id": n, "name": f"Sub {n:05d}"}
                                        for n in range(3000)])
    db.session.commit()
    flush_statistics(db)
    assert "vendors" in fresh_statistics(db.session.execute)  # thousands of rows the planner has never counted
    db.session.commit()
    flush_statistics(db)
    assert fresh_statistics(db.session.execute) == []  # nothing changed since: nothing to analyze again

    ids = db.session.scalars(select(Vendor.id).where(Vendor.company_id == 7)).all()
    refresh(7, ids)
    db.session.commit()
    assert db.session.scalar(select(db.func.count()).select_from(VendorSummary)
                             .where(VendorSummary.company_id == 7)) == 3000


def test_a_table_is_analyzed_again_only_once_it_has_about_doubled(pg_committed):
    db = pg_committed
    factories.installation(8, "Growing GC")
    added = 0

    def add(count: int) -> None:
        nonlocal added
        db.session.execute(insert(Vendor), [{"company_id": 8, "procore_vendor_id": n, "name": f"Sub {n:05d}"}
                                            for n in range(added, added + count)])
        added += count
        db.session.execute(text("SELECT pg_stat_force_next_flush()"))  # (this backend's counts, once it commits)
        db.session.commit()

    # Autovacuum's own ANALYZE (it analyzes after a tenth changed) would reset the counts this test reads.
    db.session.execute(text("SET LOCAL lock_timeout = '10s'"))  # (a leftover open transaction fails it, not hangs)
    db.session.execute(text("ALTER TABLE vendors SET (autovacuum_enabled = false)"))
    db.session.commit()
    try:
        add(3000)
        counted(db, 3000)
        settled(db)  # (and every earlier test's)
        db.session.execute(text("ANALYZE vendors"))
        db.session.commit()
        rows = db.session.scalar(select(db.func.count()).select_from(Vendor))  # (other tests' vendors may be there)
        add(rows // 2)  # half as many again: the planner's counts are off by a third at most
        counted(db, rows // 2)
        assert "vendors" not in fresh_statistics(db.session.execute)
        db.session.commit()
        add(rows // 2 + 600)  # now more rows changed than there were at the last ANALYZE (and 500 more)
        counted(db, 2 * (rows // 2) + 600)
        assert "vendors" in fresh_statistics(db.session.execute)
    finally:
        db.session.rollback()
        db.session.execute(text("SET LOCAL lock_timeout = '10s'"))
        db.session.execute(text("ALTER TABLE vendors RESET (autovacuum_enabled)"))
        db.session.commit()


def test_sqlite_has_no_statistics_to_refresh(app):
    from integration.extensions import db

    assert fresh_statistics(db.session.execute) == []
