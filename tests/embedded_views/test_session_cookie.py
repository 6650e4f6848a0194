"""The signed-cookie session remembering the cookies it verified (embedded_views.session_cookie): as strict as
Flask's own about tampering, age and keys, and no request's change reaches another's."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from flask import Flask, session

from embedded_views.session_cookie import RememberingSessionInterface


@pytest.fixture
def little():
    """A Flask app with the remembering session, a page that sets it and one that changes it only in place."""
    app = Flask("little")
    app.secret_key = "s" * 40
    app.permanent_session_lifetime = timedelta(hours=1)
    app.session_interface = RememberingSessionInterface()

    @app.get("/set")
    def put():
        session["claim"] = {"user": 7, "projects": [1, 2]}
        return "set"

    @app.get("/read")
    def read():
        return repr(session.get("claim"))

    @app.get("/scribble")
    def scribble():  # changed in place: Flask does not see it, so no new cookie is sent
        session["claim"]["user"] = 99
        session["claim"]["projects"].append(3)
        return repr(session["claim"])

    return app


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def test_a_remembered_cookie_gives_each_request_its_own_copy(little):
    client = little.test_client()
    client.get("/set")
    assert client.get("/read").text == "{'projects': [1, 2], 'user': 7}"
    assert client.get("/scribble").text == "{'projects': [1, 2, 3], 'user': 99}"
    assert client.get("/read").text == "{'projects': [1, 2], 'user': 7}"  # the cookie still says this


def test_a_tampered_cookie_opens_an_empty_session(little):
    client = little.test_client()
    client.get("/set")
    value = cookie_of(client)
    client.set_cookie("session", value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/read").text == "None"


def test_a_remembered_cookie_still_ends_with_its_lifetime(little, monkeypatch):
    client = little.test_client()
    client.get("/set")
    assert client.get("/read").text != "None"  # (now remembered)
    later = time.time() + 3600 + 5
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/read").text == "None"


def test_a_cookie_remembered_under_one_secret_key_is_not_taken_under_another(little):
    client = little.test_client()
    client.get("/set")
    assert client.get("/read").text != "None"
    little.secret_key = "t" * 40
    assert client.get("/read").text == "None"


def test_the_session_cookie_is_found_among_other_cookies_and_only_under_its_own_name(little):
    client = little.test_client()
    client.get("/set")
    value = cookie_of(client)
    assert client.get("/read").text != "None"  # (its header now remembered)
    client.set_cookie("theme", "dark")  # another cookie in the header: a header never seen, parsed afresh
    assert client.get("/read").text == "{'projects': [1, 2], 'user': 7}"
    client.delete_cookie("session")
    client.set_cookie("other", value)  # the same value under another name is not the session
    assert client.get("/read").text == "None"
    little.config["SESSION_COOKIE_NAME"] = "other"
    assert client.get("/read").text == "{'projects': [1, 2], 'user': 7}"
