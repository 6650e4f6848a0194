"""The factory wires the app: demo page, health check, Procore-only framing."""

from __future__ import annotations

import importlib
import io
import re


def test_importing_app_does_no_work():
    module = importlib.import_module("app")
    assert not [name for name, value in vars(module).items() if type(value).__name__ == "Flask"]


def test_home_page_says_demo_mode(client):
    page = client.get("/")
    assert page.status_code == 200
    assert "Gapline is running in demo mode" in page.get_data(as_text=True)


def test_the_demo_home_says_where_to_start(client):
    page = client.get("/").get_data(as_text=True)
    start = page.split('id="demo-start"', 1)[1].split("</ol>", 1)[0]
    assert "Apps &gt; Gapline" in start and 'href="/dev/mailbox/"' in start and 'href="/hub"' in start
    assert 'href="/compliance-hub/sign-in"' in start


def test_health_reports_database_and_mode(client):
    health = client.get("/healthz").get_json()
    assert health == {"ok": True, "mode": "embedded", "env": "development", "database": "ok",
                      "redis": "not configured (jobs run in-process)"}


def test_only_procore_may_frame_the_app(client):
    headers = client.get("/").headers
    csp = headers["Content-Security-Policy"]
    assert csp.startswith("frame-ancestors https://app.procore.com https://*.procore.com")
    assert "http://127.0.0.1:5001" in csp  # the configured Procore host (the emulator in the demo)
    assert "*" not in csp.replace("*.procore.com", "")
    assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in headers  # the demo runs on plain http


def test_no_page_carries_inline_script():
    from pathlib import Path

    templates = Path(__file__).resolve().parent.parent / "embedded_views" / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text()
        assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", text) == [], template  # CSP script-src 'self' blocks them
        assert not re.search(r"\son[a-z]+=", text), template  # inline event handlers too


def test_production_responses_are_https_only(app):
    import dataclasses

    app.config["GAPLINE"] = dataclasses.replace(app.config["GAPLINE"], env="production")
    headers = app.test_client().get("/guide/").headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in headers["Content-Security-Policy"]


def test_production_framing_names_only_procore(app):
    import dataclasses

    from embedded_views.security import frame_ancestors

    settings = app.config["GAPLINE"]
    app.config["GAPLINE"] = dataclasses.replace(
        settings, procore_login_base="https://login.procore.com", procore_api_base="https://api.procore.com"
    )
    assert frame_ancestors() == "https://app.procore.com https://*.procore.com"


def test_state_changing_posts_need_a_csrf_token(app):
    app.config["WTF_CSRF_ENABLED"] = True
    response = app.test_client().post("/procore/companies/4812/disconnect")
    assert response.status_code == 400
    assert "CSRF token is missing" in response.get_data(as_text=True)


def test_an_oversized_request_is_refused_with_the_limits(app):
    from integration.extensions import db
    from integration.models import Submission
    from tests import factories
    from tests.conftest import signed_in

    world = factories.company(1)
    db.session.commit()
    vendor, admin = world.vendor, world["admin"]
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = signed_in(app, admin).post(f"/procore/companies/1/vendors/{vendor.id}/documents", data=body,
                                          content_type="multipart/form-data; boundary=x")
    assert db.session.scalar(db.select(db.func.count()).select_from(Submission)) == 0
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "at most 6 files of at most 25 MB each" in page and "nothing was stored" in page


def test_error_pages_say_what_was_wrong(client):
    page = client.get("/procore/connect")
    assert page.status_code == 400 and "company_id is required" in page.get_data(as_text=True)
    assert "Not Found" in client.get("/nowhere").get_data(as_text=True)


def test_the_production_session_cookie_is_partitioned_cross_site_and_secure(tmp_path):
    from tests.conftest import build_app, make_settings

    settings = make_settings(env="production", database_url=f"sqlite:///{tmp_path / 'p.db'}")
    production = build_app(settings)
    with production.app_context():
        response = production.test_client().get("/procore/connect?company_id=1")
    cookie = response.headers["Set-Cookie"]
    assert all(part in cookie for part in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"))


def test_an_unexpected_error_is_a_plain_page_and_the_detail_goes_to_the_log(app, caplog, monkeypatch):
    def broken():
        raise IndexError("list index out of range near http://127.0.0.1:5001/rest/v1.0/vendors")

    monkeypatch.setitem(app.view_functions, "guide.index", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/guide/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Internal Server Error" in page
    assert "IndexError" not in page and "/rest/v1.0" not in page and "Traceback" not in page
    assert "IndexError" in caplog.text


def test_the_favicon_is_our_own_icon_and_every_page_links_it(client):
    from PIL import Image

    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
        image = Image.open(io.BytesIO(icon.data))
    assert image.format == "ICO" and (32, 32) in image.info["sizes"]
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200 and svg.data.startswith(b"<svg") and b"#e0561b" in svg.data
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page and 'rel="icon" href="/favicon.ico"' in page


def test_web_workers_freeze_the_app_they_built_out_of_the_collectors_way():
    import gc
    import runpy
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    web = next(line for line in (root / "Procfile").read_text().splitlines() if line.startswith("web:"))
    assert "--config gunicorn.conf.py" in web
    hooks = runpy.run_path(str(root / "gunicorn.conf.py"))
    gc.unfreeze()
    try:
        hooks["post_worker_init"](None)
        assert gc.get_freeze_count() > 0  # (everything that exists now: full collections skip it)
    finally:
        gc.unfreeze()
