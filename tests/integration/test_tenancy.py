"""Tenant data is only ever read scoped to its Procore company."""

from __future__ import annotations

from integration.models import Installation, Vendor
from integration.tenancy import get_scoped, scoped


def seed(db):
    db.session.add_all([Installation(company_id=1, company_name="GC One"),
                        Installation(company_id=2, company_name="GC Two")])
    db.session.flush()
    mine = Vendor(company_id=1, procore_vendor_id=100, name="Ace Electric")
    theirs = Vendor(company_id=2, procore_vendor_id=100, name="Ace Electric (other GC)")
    db.session.add_all([mine, theirs])
    db.session.commit()
    return mine, theirs


def test_scoped_select_returns_only_the_company_rows(app):
    from integration.extensions import db

    mine, theirs = seed(db)
    assert db.session.scalars(scoped(Vendor, 1)).all() == [mine]
    assert db.session.scalars(scoped(Vendor, 2)).all() == [theirs]


def test_a_foreign_id_is_not_found(app):
    from integration.extensions import db

    mine, theirs = seed(db)
    assert get_scoped(Vendor, theirs.id, company_id=1) is None
    assert get_scoped(Vendor, mine.id, company_id=1) is mine
