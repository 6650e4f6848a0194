"""The side panel: it only talks to Procore's origins and shows only the signed-in company's vendor."""

from __future__ import annotations

import html
import json
import re

from integration.extensions import db
from tests import factories
from tests.conftest import signed_in


def setup_company():
    factories.installation(1)
    factories.installation(2, "GC2")
    factories.vendor(1, "Ace Electric", procore_vendor_id=555, status="not_compliant")
    factories.vendor(2, "Other Co", procore_vendor_id=777)
    user = factories.user(1, "viewer")
    db.session.commit()
    return user


def test_panel_shell_accepts_only_procore_origins(app):
    client = signed_in(app, setup_company())
    page = client.get("/procore/sidepanel?company_id=1&project_id=9").get_data(as_text=True)
    origins = json.loads(html.unescape(re.search(r'data-origins="([^"]*)"', page).group(1)))
    assert "https://app.procore.com" in origins and "http://127.0.0.1:5001" in origins
    assert all(o.endswith("procore.com") or o == "http://127.0.0.1:5001" for o in origins)


def test_panel_shows_the_vendor_by_procore_id_within_the_company(app):
    client = signed_in(app, setup_company())
    page = client.get("/procore/companies/1/sidepanel/vendors/555").get_data(as_text=True)
    assert "Ace Electric" in page and "Not compliant" in page
    other = client.get("/procore/companies/1/sidepanel/vendors/777").get_data(as_text=True)
    assert "Other Co" not in other and "not been imported" in other
    assert client.get("/procore/companies/2/sidepanel/vendors/777").status_code == 403


def test_panel_without_company_or_session(client):
    assert client.get("/procore/sidepanel").status_code == 400
    assert client.get("/procore/sidepanel?company_id=1").status_code == 401
