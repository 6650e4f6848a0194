"""Tenant data is only ever read scoped to its Procore company."""

from __future__ import annotations

from integration.models import Vendor
from integration.tenancy import get_scoped, scoped
from tests import factories


def seed(db):
    factories.installation(1, "GC One")
    factories.installation(2, "GC Two")
    mine = factories.vendor(1, "Ace Electric", procore_vendor_id=100)
    theirs = factories.vendor(2, "Ace Electric (other GC)", procore_vendor_id=100)  # the same Procore id
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
