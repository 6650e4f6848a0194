"""A slow Procore at sign-in: every call shares one budget well under the web timeout, then a clear page."""

from __future__ import annotations

import dataclasses
import threading

import pytest
import requests
import responses
from sqlalchemy import func, select

from fixtures.procore_sandbox import serve_in_thread
from integration.extensions import db
from integration.models import AppUser, Installation
from tests.fixtures.sandbox_helpers import COMPANY_A
from tests.procore_stub import BASE, sign_in_through_procore, stub_directory, stub_identity

WEB_TIMEOUT = 60  # gunicorn's


class FakeClock:
    """Time that moves only when a stand-in Procore says it took a while."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


def written() -> int:
    return db.session.scalar(select(func.count()).select_from(Installation)) + \
        db.session.scalar(select(func.count()).select_from(AppUser))


def test_the_budget_is_configured_well_under_the_web_timeout(app):
    assert app.config["GAPLINE"].procore_request_seconds <= WEB_TIMEOUT / 2


@responses.activate
def test_sign_in_against_a_slow_procore_stops_within_the_budget_and_says_so(app):
    clock = FakeClock()
    app.config["PROCORE_CLIENT_OPTIONS"] = {"sleep": lambda seconds: None, "clock": clock}
    budget = app.config["GAPLINE"].procore_request_seconds
    stub_identity(responses.mock)
    stub_directory(responses.mock)
    waited = []

    def slow_me(request):  # Procore takes 8 s and then the read times out
        timeout = request.req_kwargs["timeout"][1]
        waited.append(timeout)
        clock.now += min(8.0, timeout)
        raise requests.ReadTimeout("read timed out")

    responses.mock.remove(responses.GET, f"{BASE}/rest/v1.0/me")
    responses.add_callback(responses.GET, f"{BASE}/rest/v1.0/me", callback=slow_me)
    page = sign_in_through_procore(app.test_client())
    text = page.get_data(as_text=True)
    assert page.status_code == 503 and "Procore is slow, try again" in text
    assert "/rest/v1.0" not in text and "Timeout" not in text  # words, not internals
    assert sum(min(8.0, timeout) for timeout in waited) == pytest.approx(budget)  # the whole budget, no more
    assert max(waited) <= budget and written() == 0


@pytest.fixture
def slow_emulator():
    """The emulator with every REST answer held until the test lets it go (its slow-response fault)."""
    release = threading.Event()
    base_url, stop = serve_in_thread({"EXTRA_REDIRECT_URIS": ["http://gapline.test/procore/oauth/callback"],
                                      "SLOW_RATE": 1.0, "DELAY_SECONDS": 30.0,
                                      "SLEEP": lambda seconds: release.wait(seconds)})
    yield base_url
    release.set()
    stop()


def test_sign_in_against_the_emulator_answering_slowly_shows_the_slow_page(app, slow_emulator):
    from tests.embedded_views.test_connect_with_emulator import consent
    from tests.fixtures.sandbox_helpers import ADMIN

    app.config["GAPLINE"] = dataclasses.replace(app.config["GAPLINE"], procore_api_base=slow_emulator,
                                                procore_login_base=slow_emulator,
                                                public_base_url="http://gapline.test", procore_request_seconds=1)
    client = app.test_client()
    answer = consent(client.get(f"/procore/connect?company_id={COMPANY_A}").headers["Location"], ADMIN)
    page = client.get(f"/procore/oauth/callback?code={answer['code']}&state={answer['state']}")
    assert page.status_code == 503 and "Procore is slow, try again" in page.get_data(as_text=True)
    assert written() == 0
