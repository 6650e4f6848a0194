"""Who is signed in, for which Procore company, with which role; refusals are clear and tenant-safe."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, g, render_template, session

from integration.extensions import db
from integration.models import AppUser

SESSION_USER = "gapline_user_id"
SESSION_COMPANY = "gapline_company_id"


def sign_in(user: AppUser) -> None:
    """Start a session for ``user`` (a fresh one: the old session's contents are dropped)."""
    session.clear()
    session[SESSION_USER] = user.id
    session[SESSION_COMPANY] = user.company_id
    session.permanent = True


def signed_in_user(company_id: int) -> AppUser | None:
    """The signed-in user if their session is for ``company_id``; None otherwise."""
    if session.get(SESSION_COMPANY) != company_id:
        return None
    user = db.session.get(AppUser, session.get(SESSION_USER) or 0)
    return user if user is not None and user.company_id == company_id else None


def requires_user(*roles: str) -> Callable:
    """Guard a view taking ``company_id``: signed in for that company, and (if given) one of ``roles``."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args: Any, company_id: int, **kwargs: Any):
            user = signed_in_user(company_id)
            if user is None:
                return render_template("procore/sign_in.html", company_id=company_id), 401
            if roles and user.role not in roles:
                abort(403, description=f"This needs the {' or '.join(roles)} role; you are {user.role}.")
            g.user = user
            return view(*args, company_id=company_id, **kwargs)

        return guarded

    return decorate
