"""The app home (the compliance table) kept rendered in each web process, and served again while nothing changed.

A page is kept under everything it is made from: the company and project, the query string, the day (amber
expiries), the signed-in user's row as the page uses it (who, role, name, the projects Procore shows them and
whether that list is still trusted), the project the session remembers, and the company's page generation
(``integration.page_generation``), which every committed write of the company's rows moves and which was read
with the user before anything else. The per-request parts are not kept: the CSRF token is put in afresh, and a
page with flashed messages is neither served from nor kept. Nothing is locked: each process has its own dict,
and a miss renders as if there were no cache.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from datetime import date

from flask import current_app, g, request, session
from flask_wtf.csrf import generate_csrf

from integration.procore_visibility import UNKNOWN, VISIBLE, project_visibility

MOST = 128  # pages kept per process (each some tens of KB)
MAX_AGE = 300  # seconds: a kept page ages out even without a write (writes that go around the ORM are not seen)
TOKEN_REUSE = 60  # seconds a session's signed CSRF token is handed out again (a token is good for an hour)
FLASHES = "_flashes"  # Flask's session key for flashed messages

# key: (kept at, the page's UTF-8 split around its CSRF tokens): serving it is a join, with no search and no encoding
_kept: OrderedDict[tuple, tuple[float, tuple[bytes, ...]]] = OrderedDict()
_signed: OrderedDict[tuple, tuple[float, str]] = OrderedDict()  # (secret key, session's raw token): signed token


def key(company_id: int, procore_project_id: int | None, remembered: int | None, user=None) -> tuple | None:
    """What the page is made from, or None when it may not be kept or served (no generation read, flashes).
    ``user``: the viewer (_viewer), when the caller has it already."""
    generation = g.get("page_generation")
    user = user or _viewer()
    if generation is None or generation[0] != company_id or user is None or FLASHES in session \
            or not current_app.config.get("PAGE_CACHE", True):
        return None
    seen = user.procore_project_ids
    return (company_id, procore_project_id, request.script_root, request.query_string, date.today().toordinal(),
            user.id, user.role, user.name, user.email, tuple(seen) if seen is not None else None,
            project_visibility(user, -1) == UNKNOWN,  # whether the list is trusted (hidden projects are left out)
            None if procore_project_id is not None else remembered, *generation[1:])


def _viewer():
    """The signed-in user the page is for: the page's user once loaded, else the session check's."""
    return g.get("user") or g.get("signed_in")


def served(company_id: int, procore_project_id: int | None, remembered: int | None) -> bytes | None:
    """The kept page for this request, with its CSRF token; None when there is none (or the project is not one the
    user is known to see: the checks that refuse it run as without a cache)."""
    user = _viewer()
    if procore_project_id is not None and (user is None or project_visibility(user, procore_project_id) != VISIBLE):
        return None
    wanted = key(company_id, procore_project_id, remembered, user)
    found = _kept.get(wanted) if wanted is not None else None
    if found is None:
        return None
    kept_at, parts = found
    if time.monotonic() - kept_at >= MAX_AGE:
        _kept.pop(wanted, None)
        return None
    try:
        _kept.move_to_end(wanted)
    except KeyError:  # another thread of this process let it go meanwhile
        pass
    return csrf_token().encode().join(parts) if len(parts) > 1 else parts[0]


def csrf_token() -> str:
    """The request's CSRF token, as flask_wtf's generate_csrf makes it, except that one signed for this session's
    token less than TOKEN_REUSE ago is handed out again (signing costs as much as the rest of a kept page)."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    mine = (current_app.secret_key, raw) if isinstance(raw, str) else None
    found = _signed.get(mine) if mine is not None else None
    if found is not None and time.monotonic() - found[0] < TOKEN_REUSE and field not in g:
        setattr(g, field, found[1])  # (where generate_csrf keeps the request's token)
        return found[1]
    token = generate_csrf()
    raw = session.get(field)
    if not isinstance(raw, str):  # (the session was begun afresh after the token was made: nothing to reuse)
        return token
    _signed[(current_app.secret_key, raw)] = (time.monotonic(), token)
    try:
        while len(_signed) > 4 * MOST:
            _signed.popitem(last=False)
    except KeyError:  # another thread of this process trimmed it meanwhile
        pass
    return token


def keep(wanted: tuple | None, body: str) -> None:
    """Keep a page rendered for ``wanted`` (its key, taken before it was rendered), its CSRF token taken out."""
    if wanted is None:
        return
    _kept[wanted] = (time.monotonic(), tuple(part.encode() for part in body.split(csrf_token())))
    try:
        _kept.move_to_end(wanted)
        while len(_kept) > MOST:
            _kept.popitem(last=False)
    except KeyError:  # another thread of this process changed the dict meanwhile
        pass


def clear() -> None:
    """Forget every kept page of this process (tests)."""
    _kept.clear()
    _signed.clear()
