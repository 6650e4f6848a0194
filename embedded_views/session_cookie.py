"""Flask's signed-cookie session, remembering the cookies this process verified lately.

A browser sends the same session cookie on every request until the session changes, and verifying and
decoding it (an HMAC, base64, JSON with Flask's tags) is a good part of the cost of a page served from
embedded_views.page_cache. So each process keeps the contents of the session cookies it verified lately, under
the Cookie header that carried them and the secret key that verified them, and hands each request a copy of its
own to change. The cookie's age is still checked on every request against the time its signature carries, so
an old cookie ends just as it would have; a header never seen is parsed and its cookie verified in full.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

MOST = 512  # Cookie headers kept per process (each a few hundred bytes)


class RememberingSessionInterface(SecureCookieSessionInterface):
    """SecureCookieSessionInterface, with the serializer built once and verified cookie values remembered."""

    def __init__(self) -> None:
        self._opened: OrderedDict[tuple, tuple[float, dict]] = OrderedDict()
        self._serializer: tuple[tuple, URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        found = self._serializer
        if found is None or found[0] != keys:
            found = self._serializer = (keys, super().get_signing_serializer(app))
        return found[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        # (remembered by the whole Cookie header, which holds the cookie's value, so that a header seen lately is not
        # even parsed; a header never seen is parsed as Flask's own interface does)
        header = request.environ.get("HTTP_COOKIE")
        if not header:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (app.secret_key, self.get_cookie_name(app), header)
        opened = self._opened.get(key)
        if opened is None or time.time() - opened[0] > max_age:
            value = request.cookies.get(self.get_cookie_name(app))
            if not value:
                return self.session_class()
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            opened = (signed_at.timestamp(), data)
            self._opened[key] = opened
            try:
                while len(self._opened) > MOST:
                    self._opened.popitem(last=False)
            except KeyError:  # another thread of this process trimmed it meanwhile
                pass
        return self.session_class(_copied(opened[1]))


def _copied(value: Any) -> Any:
    """A copy of a session's contents deep enough that a request changing it leaves the remembered one as it was."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value  # (strings, numbers, tuples and Flask's other tagged values do not change in place)
