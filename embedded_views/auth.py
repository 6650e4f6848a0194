"""Who is signed in, for which Procore company, with which role; refusals are clear and tenant-safe.

The session cookie is Flask's signed cookie, holding a claim: the user, the company, the user's and
the company's session generations, and when the session started and was last used. A claim is
honoured only while both generations still match the database (signing in again or out bumps the
user's, disconnecting bumps the company's) and while it is within its lifetime and idle timeout.

Each request checks the claim with one read (``signed_in``), made in autocommit and without ORM objects; the
user's ORM row is loaded only for a page that is to be made (``signed_in_user``), so a page kept by
embedded_views.page_cache is served on the check alone.
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from flask import abort, current_app, g, render_template, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import BigInteger, Text, bindparam, cast, update

from integration.extensions import db
from integration.models import AppUser, Installation
from integration.page_generation import generations
from integration.procore_visibility import ProjectNotVisible, can_see_company, require_visible
from integration.request_reads import request_reads
from integration.roles import Permission
from integration.tenancy import installation_of, project_in_company, scoped

SESSION_KEY = "gapline_session"
DISCONNECTED_KEY = "gapline_disconnected"  # the company this browser's admin just disconnected
TICKET_SECONDS = 120  # the popup's sign-in is handed to the frame within this
SEEN_RESOLUTION = 60  # seconds: how stale last-use may be before the cookie is re-sent
ENDED = "Your Gapline session has ended (it timed out, you signed out or in elsewhere, or the company was " \
        "disconnected). Sign in again to continue."


# The check of a session, made on every request: one read of the user's row as pages use it, their company's
# session generation and the company's page generation (read before any data a page shows:
# integration.page_generation), with no ORM objects and, outside a test's transaction, no transaction either. A page
# kept by embedded_views.page_cache is served on this read alone. Built once: building and keying the statement cost
# as much as running it.
# The lists of ids come as their JSON text and the counts as whole numbers: decoding JSON and decimals would cost more
# than the rest of the row.
_WRITES, _UNKNOWN_WRITES = generations(bindparam("company_id"))
SIGNED_IN_CHECK = (scoped(AppUser, bindparam("company_id")).where(AppUser.id == bindparam("user_id"))
                   .with_only_columns(AppUser.id, AppUser.company_id, AppUser.session_generation, AppUser.role,
                                      AppUser.name, AppUser.email,
                                      cast(AppUser.procore_company_ids, Text).label("procore_company_ids"),
                                      cast(AppUser.procore_project_ids, Text).label("procore_project_ids"),
                                      AppUser.visibility_read_at,
                                      Installation.session_generation.label("company_generation"),
                                      cast(_WRITES, BigInteger).label("page_writes"),
                                      cast(_UNKNOWN_WRITES, BigInteger).label("unknown_writes"))
                   .outerjoin(Installation, Installation.company_id == AppUser.company_id))
# The user and installation as ORM objects, read once the page is to be made (one read for both).
SIGNED_IN_ROWS = (scoped(AppUser, bindparam("company_id")).where(AppUser.id == bindparam("user_id"))
                  .add_columns(Installation).outerjoin(Installation, Installation.company_id == AppUser.company_id))


@dataclass(frozen=True)
class SignedIn:
    """The signed-in user as the session check read them: what permissions, visibility and kept pages look at."""

    id: int
    company_id: int
    session_generation: int
    role: str
    name: str
    email: str
    procore_company_ids: tuple[int, ...] | None
    procore_project_ids: tuple[int, ...] | None
    visibility_read_at: datetime | None

    @classmethod
    def from_check(cls, row: Any) -> SignedIn:
        """From SIGNED_IN_CHECK's row, whose first columns are these fields in this order."""
        (user_id, company_id, generation, role, name, email, companies, projects, read_at) = row[:9]
        return cls(user_id, company_id, generation, role, name, email, _ids(companies), _ids(projects), read_at)


@functools.lru_cache(maxsize=1024)
def _ids(text: str | None) -> tuple[int, ...] | None:
    """A list of ids from its JSON text (None for none), as a tuple: shared between requests, so never changed."""
    found = None if text is None else json.loads(text)
    return None if found is None else tuple(found)


@dataclass(frozen=True)
class SessionClaim:
    """What the session cookie says: whose session, of which generations, started and last used when."""

    user_id: int
    company_id: int
    user_generation: int
    company_generation: int
    started_at: float
    seen_at: float

    def to_dict(self) -> dict[str, Any]:
        """The claim as stored in the cookie."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> SessionClaim | None:
        """The claim from a cookie value, or None when it is missing or not a claim."""
        try:
            return cls(**{name: data[name] for name in cls.__dataclass_fields__})
        except (KeyError, TypeError):
            return None


def claim_for(user: AppUser, now: float | None = None) -> SessionClaim:
    """A fresh claim for ``user`` at their current generations."""
    now = time.time() if now is None else now
    return SessionClaim(user.id, user.company_id, user.session_generation, _company_generation(user.company_id),
                        now, now)


def sign_in(user: AppUser) -> None:
    """Start a session for ``user`` (a fresh one: the old session's contents are dropped)."""
    session.clear()
    session[SESSION_KEY] = claim_for(user).to_dict()
    session.permanent = True


def sign_out() -> None:
    """Forget this browser's session."""
    session.clear()


def signed_in(company_id: int) -> SignedIn | None:
    """Who is signed in if their session is for ``company_id`` and still valid (``g.signed_in``); None otherwise."""
    g.pop("page_generation", None)  # (read below with the user, for this request only)
    g.pop("signed_in", None)
    g.pop("signed_in_installation", None)
    claim = SessionClaim.from_dict(session.get(SESSION_KEY))
    if claim is None or claim.company_id != company_id:
        return None
    now = time.time()
    if not within_lifetime(claim.started_at, claim.seen_at, now):
        return None
    found = _check(company_id, claim.user_id)
    if found is None or found.session_generation != claim.user_generation \
            or (found.company_generation or 0) != claim.company_generation:
        return None
    g.signed_in = SignedIn.from_check(found)
    g.page_generation = (company_id, int(found.page_writes or 0), int(found.unknown_writes or 0))
    if now - claim.seen_at >= SEEN_RESOLUTION:
        session[SESSION_KEY] = {**claim.to_dict(), "seen_at": now}
    return g.signed_in


def _check(company_id: int, user_id: int):
    """SIGNED_IN_CHECK's row, read in autocommit (no BEGIN or ROLLBACK): on PostgreSQL through request_reads,
    elsewhere on a connection of the engine's; on the session's own connection when the session is bound to one
    (a test's transaction, whose rows no other connection sees)."""
    params = {"company_id": company_id, "user_id": user_id}
    if db.session.session_factory.kw.get("bind") is not None:  # (the app's sessions pick the engine per statement;
        # a test's session is bound to the test's connection)
        return db.session.execute(SIGNED_IN_CHECK, params).first()
    engine = db.engine
    if engine.dialect.name == "postgresql":
        return request_reads(engine).first(SIGNED_IN_CHECK, params)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return connection.execute(SIGNED_IN_CHECK, params).first()


def signed_in_user(company_id: int) -> AppUser | None:
    """The signed-in user (an ORM object, ``g.user``) if their session is for ``company_id`` and still valid."""
    seen = g.get("signed_in")
    if seen is None or seen.company_id != company_id:
        seen = signed_in(company_id)
    if seen is None:
        return None
    found = db.session.execute(SIGNED_IN_ROWS, {"company_id": company_id, "user_id": seen.id}).first()
    if found is None or found[0].session_generation != seen.session_generation:
        return None  # signed out (or in again) since the check
    g.signed_in_installation = found[1]
    return found[0]


def signed_in_installation(company_id: int) -> Installation | None:
    """The company's installation as read with the signed-in user this request (read again if it was not)."""
    installation = g.get("signed_in_installation")
    if installation is not None and installation.company_id == company_id:
        return installation
    return installation_of(company_id)


def within_lifetime(started_at: float, seen_at: float, now: float) -> bool:
    """True while a session started at ``started_at`` and last used at ``seen_at`` may go on (any kind of session)."""
    settings = current_app.config["GAPLINE"]
    return (now - started_at < settings.session_lifetime_hours * 3600
            and now - seen_at < settings.session_idle_minutes * 60)


def _company_generation(company_id: int) -> int:
    return db.session.scalar(scoped(Installation, company_id).with_only_columns(Installation.session_generation)) or 0


def sign_in_ticket(user: AppUser) -> str:
    """A short-lived, signed, one-use ticket that lets the Procore frame start the session the popup earned."""
    return _tickets().dumps({"user": user.id, "generation": user.session_generation})


def redeem_ticket(ticket: str) -> AppUser | None:
    """The user a valid ticket names, with the ticket used up; None for a stale, forged or used one."""
    try:
        data = _tickets().loads(ticket, max_age=TICKET_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("generation"), int):
        return None
    used = db.session.execute(update(AppUser).where(AppUser.id == data.get("user"),
                                                    AppUser.session_generation == data["generation"])
                              .values(session_generation=data["generation"] + 1))
    db.session.commit()  # used up, even by two redeems at once: only one of them matches the generation
    return db.session.get(AppUser, data["user"]) if used.rowcount == 1 else None


def _tickets() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="gapline-sign-in-ticket")


def requires_user(allowed: Permission | None = None, kept: Callable[..., bytes | None] | None = None) -> Callable:
    """Guard a view taking ``company_id``: signed in for that company, and (if given) ``allowed`` by the rule.

    ``kept``, given the view's arguments, returns a page kept for this request (embedded_views.page_cache) or None;
    a kept page is served on the session check alone, before the user's row is loaded or anything else is read.
    """

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args: Any, company_id: int, **kwargs: Any):
            seen = signed_in(company_id)
            if seen is None:
                return sign_in_page(company_id)
            if kept is not None and (allowed is None or allowed(seen)) and "project" not in request.args:
                page = kept(company_id=company_id, **kwargs)  # (a ?project= to check is left to the view's path)
                if page is not None:
                    return page
            user = signed_in_user(company_id)
            if user is None:
                return sign_in_page(company_id)
            g.user = user  # a refusal page too has the user's navigation and a way back to their app home
            if allowed is not None and not allowed(user):
                abort(403, description=allowed.refusal(user))
            refused = project_in_url(company_id)
            if refused is not None:
                return refused
            return view(*args, company_id=company_id, **kwargs)

        guarded.allowed = allowed  # what the guard asks beyond a session, for the route isolation tests
        return guarded

    return decorate


def project_in_url(company_id: int):
    """Check the project the URL keeps in context (``?project=``, its Procore id): ``g.project`` when the user may
    see it (visible_project), else the refusal page (a non-numeric value is ignored, like an uninterpolated one)."""
    g.project = None
    wanted = request.args.get("project", type=int)
    if wanted is None:
        return None
    g.project, refused = visible_project(company_id, wanted)
    return refused


def visible_project(company_id: int, procore_project_id: int):
    """(the project, None) when it is one of the company's and the signed-in user can see it in Procore; else
    (None, the refusal page): 404 for a project that is not the company's, 403 for one the user cannot see.
    While the company's directory import is under way, a project Procore shows the user but not imported yet gets
    the page that waits for the import (202), which reloads itself into the table."""
    project = project_in_company(company_id, procore_project_id)
    if project is None:
        from sync_jobs.directory_import import import_under_way

        if not import_under_way(company_id):
            return None, wrong_project_page(company_id, procore_project_id)
        # The company's directory is being imported (its first sign-in): a project Procore shows the user waits for it
    try:
        require_visible(g.user, procore_project_id)
    except ProjectNotVisible as refused:
        return None, (render_template("procore/project_not_visible.html", company_id=company_id,
                                      project_id=procore_project_id, refusal=refused), refused.status)
    if project is None:
        return None, (render_template("procore/importing.html", company_id=company_id,
                                      project_id=procore_project_id, installation=installation_of(company_id)), 202)
    return project, None


def wrong_project_page(company_id: int, procore_project_id: int, status: int = 404):
    """The refusal for a project that is not one of the company's: nothing of it is shown."""
    return render_template("procore/wrong_context.html", company_id=company_id, project_id=procore_project_id,
                           installation=installation_of(company_id)), status


def sign_in_page(company_id: int):
    """The sign-in page (401), saying the session ended when there was one; a live session of another company gets
    the refusal (403) that this company is not one its user can see."""
    claim = SessionClaim.from_dict(session.get(SESSION_KEY))
    if claim is not None and claim.company_id != company_id:
        other = signed_in_user(claim.company_id)
        if other is not None:
            return other_company_page(company_id, other)
    if session.get(DISCONNECTED_KEY) == company_id:
        installation = installation_of(company_id)
        if installation is not None and installation.connection_state == "disconnected":
            return render_template("procore/disconnected.html", company_id=company_id, installation=installation), 401
    notice = ENDED if SESSION_KEY in session else None
    return render_template("procore/sign_in.html", company_id=company_id, notice=notice), 401


def other_company_page(company_id: int, user: AppUser):
    """403: ``user`` is signed in for their own company, and ``company_id`` is not one they can see."""
    name = db.session.scalar(scoped(Installation, user.company_id).with_only_columns(
        Installation.company_name)) or f"Procore company {user.company_id}"
    member = can_see_company(user, company_id)
    other = None  # another company's name only for a user Procore lists it for
    if member:
        other = db.session.scalar(scoped(Installation, company_id).with_only_columns(Installation.company_name))
    return render_template("procore/other_company.html", company_id=company_id, user=user, own_name=name,
                           member=member, other_name=other or f"Procore company {company_id}"), 403
