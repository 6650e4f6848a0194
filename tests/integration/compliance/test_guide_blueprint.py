"""The public Insurance Guide: an index of every gap code and one page per code, 404 otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Blueprint, Flask
from markupsafe import escape

from embedded_views.guide import bp
from integration.compliance import CATALOGUE
from integration.guide_slugs import slug_of

VIEWS = Path(__file__).resolve().parents[3] / "embedded_views"


@pytest.fixture
def client():
    """A tiny app with only the guide and a stand-in home page and icon (base.html links to all three)."""
    app = Flask("guide_test", template_folder=str(VIEWS / "templates"), static_folder=str(VIEWS / "static"))
    home = Blueprint("home", __name__)
    home.add_url_rule("/", "index", lambda: "home")
    home.add_url_rule("/favicon.ico", "favicon", lambda: "icon")
    app.register_blueprint(home)
    app.register_blueprint(bp)
    return app.test_client()


def test_index_lists_every_code(client) -> None:
    response = client.get("/guide/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for code, info in CATALOGUE.items():
        assert f'href="/guide/{slug_of(code)}"' in page
        assert str(escape(info.title)) in page


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_code_has_a_page(client, code: str) -> None:
    response = client.get(f"/guide/{slug_of(code)}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    info = CATALOGUE[code]
    assert str(escape(info.fix)) in page
    assert str(escape(info.why)) in page


@pytest.mark.parametrize("code", ["not_a_code", "GL_EACH_OCCURRENCE_BELOW", "policy_expired.html"])
def test_unknown_code_is_404(client, code: str) -> None:
    assert client.get(f"/guide/{code}").status_code == 404


def test_a_page_has_a_readable_address_and_the_old_one_redirects_to_it(client) -> None:
    assert slug_of("gl_each_occurrence_below") == "general-liability-each-occurrence-limit-is-too-low"
    assert slug_of("insurer_rating_below") == "insurers-rating-is-below-the-minimum"
    assert len({slug_of(code) for code in CATALOGUE}) == len(CATALOGUE)
    old = client.get("/guide/gl_each_occurrence_below?back=/procore/companies/1")
    assert old.status_code == 301
    assert old.headers["Location"].endswith(
        "/guide/general-liability-each-occurrence-limit-is-too-low?back=/procore/companies/1")
