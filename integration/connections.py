"""Connecting a GC's Procore company and signing Procore users in to Gapline."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from integration import audit, procore_visibility
from integration.extensions import db
from integration.models import AppUser, Installation, utcnow
from integration.procore_connection import (
    company_key,
    job_client,
    procore_oauth,
    request_client,
    request_deadline,
    token_manager,
)
from integration.refusals import Refusal
from integration.tenancy import installation_of, scoped
from integration.webhooks import forget_hook, remove_hook
from procore_client import Deadline, ForbiddenError, NotFoundError, ProcoreClient, ProcoreError, Token

log = logging.getLogger(__name__)


class SignInRefused(Refusal):
    """The Procore user may not use Gapline for the company they asked for, or Procore failed; the message says why."""


@dataclass
class SignedIn:
    """Who signed in, for which company, and whether this sign-in connected the company."""

    user: AppUser
    installation: Installation
    newly_connected: bool


def complete_sign_in(code: str, company_id: int) -> SignedIn:
    """Exchange the OAuth code, check the user belongs to ``company_id``, and record the user.

    Gapline's admins follow Procore: the user who installed (connected) Gapline, and Procore company
    admins. Only they may connect or reconnect the company, and their token pair is then kept
    (encrypted) as its connection. Everyone else starts as a viewer or keeps the role an admin gave
    them; their tokens are revoked at once, since Gapline never acts as them. Every Procore call of
    the sign-in shares one deadline, so a slow Procore cannot hold the request past the web timeout.
    Signing in ends the user's older sessions.
    """
    deadline = request_deadline()
    token = procore_oauth(deadline).exchange_code(code)
    identity_client = request_client(token.access_token, deadline)
    me = identity_client.me()
    company, company_ids = _membership(identity_client, company_id)
    project_ids = _visible_projects(identity_client, company_id)
    installation = installation_of(company_id)
    procore_admin = is_company_admin(_company_permissions(identity_client, company_id))
    installer = installation is not None and installation.installed_by_procore_user_id == me["id"]
    connects = installation is None or installation.connection_state != "connected"
    if connects and not (procore_admin or installer):
        _discard(token, deadline)
        raise SignInRefused(_not_connected(company.get("name") or f"company {company_id}", installation))
    if installation is None:
        installation = Installation(company_id=company_id)
        db.session.add(installation)
    installation.company_name = company.get("name") or installation.company_name
    db.session.flush()
    user = _upsert_user(company_id, me, admin=procore_admin or installer)
    user.session_generation += 1
    procore_visibility.record(user, company_ids, project_ids)
    if connects:
        _connect(installation, user, token)
    else:
        _discard(token, deadline)
    db.session.commit()
    return SignedIn(user, installation, connects)


def is_company_admin(permissions: dict) -> bool:
    """True when Procore's company permission manifest gives Admin on the company Directory tool.

    That is Procore's definition of a company admin: Admin on the company-level Directory makes a
    user Admin on every company tool.
    """
    for tool in (permissions or {}).get("tools") or []:
        if tool.get("name") == "directory":
            return str((tool.get("user_access_level") or {}).get("name", "")).lower() == "admin"
    return False


def _company_permissions(client: ProcoreClient, company_id: int) -> dict:
    try:
        return client.company_permissions(company_id)
    except (ForbiddenError, NotFoundError):  # no permissions to show means no admin rights
        return {}


def _not_connected(company_name: str, installation: Installation | None) -> str:
    if installation is None:
        return (f"Gapline is not connected to {company_name} yet. A Procore company admin must sign in first "
                "to connect it; then you can sign in.")
    return (f"Gapline's connection to {company_name} has ended. A Procore company admin (or whoever installed "
            "Gapline) must sign in to reconnect it; then you can sign in.")


def procore_identity(code: str) -> dict:
    """Who a Procore sign-in is (``/me``: id, login, name); the token is revoked at once, never kept."""
    deadline = request_deadline()
    token = procore_oauth(deadline).exchange_code(code)
    try:
        return request_client(token.access_token, deadline).me()
    finally:
        _discard(token, deadline)


def _membership(client: ProcoreClient, company_id: int) -> tuple[dict, list[int]]:
    """The company as Procore lists it for the user, and the ids of every company the user belongs to."""
    companies = list(client.list_companies())
    for company in companies:
        if company.get("id") == company_id:
            return company, [c["id"] for c in companies if isinstance(c.get("id"), int)]
    known = installation_of(company_id)
    named = f"{known.company_name} (Procore company {company_id})" if known is not None and known.company_name \
        else f"Procore company {company_id}"
    raise SignInRefused(f"Your Procore account does not belong to {named}, so Gapline shows you nothing of it. "
                        "If you work for it, ask one of its Procore admins to add you to its Directory, then sign "
                        "in again.")


def _visible_projects(client: ProcoreClient, company_id: int) -> list[int] | None:
    """The company's projects Procore lets the user see (their own token lists only those); None if Procore failed,
    so that no project is shown until the user signs in again."""
    try:
        return [p["id"] for p in client.list_projects(company_id) if isinstance(p.get("id"), int)]
    except ProcoreError as exc:
        log.warning("could not read the projects the Procore user can see in company %s: %s", company_id, exc)
        return None


def _upsert_user(company_id: int, me: dict, *, admin: bool) -> AppUser:
    """The user's row, made admin if Procore says so; a role is never lowered here."""
    user = db.session.scalar(scoped(AppUser, company_id).where(AppUser.procore_user_id == me["id"]))
    if user is None:
        user = AppUser(company_id=company_id, procore_user_id=me["id"], role="viewer")
        db.session.add(user)
    user.email, user.name, user.last_seen_at = me.get("login") or "", me.get("name") or "", utcnow()
    if admin and user.role != "admin":
        audit.record(company_id, "user.role_changed", user, before={"role": user.role}, after={"role": "admin"},
                     actor_label="Procore company admin")
        user.role = "admin"
    db.session.flush()
    return user


def _connect(installation: Installation, user: AppUser, token: Token) -> None:
    before = {"connection_state": installation.connection_state}
    installation.installed_by_procore_user_id = user.procore_user_id
    token_manager().store.apply(installation, token)  # same transaction: connected with tokens, or not at all
    audit.record(installation.company_id, "installation.connected", installation, actor=user, before=before,
                 after={"connection_state": "connected"})


def _discard(token: Token, deadline: Deadline) -> None:
    try:
        procore_oauth(deadline).revoke(token)
    except ProcoreError as exc:  # the token expires by itself; failing to revoke must not fail sign-in
        log.warning("could not revoke a sign-in token: %s", exc)


def end_sessions(user: AppUser) -> None:
    """End every Gapline session of ``user`` (signing out)."""
    user.session_generation += 1
    db.session.commit()


def disconnect(company_id: int, actor: AppUser) -> Installation:
    """Revoke the company's Procore tokens and forget them, and end every session of the company.

    The company's data stays; anyone signing in again must be let in by a reconnect.
    """
    installation = installation_of(company_id)
    _remove_webhook(company_id)  # while Gapline can still act in the company
    key = company_key(company_id)
    stored = token_manager().store.fetch(key)
    revoked = True
    if stored is not None:
        try:
            procore_oauth(request_deadline()).revoke(stored)
        except ProcoreError as exc:
            revoked = False
            log.warning("Procore did not confirm revocation for company %s: %s", company_id, exc)
    token_manager().store.delete(key)
    db.session.refresh(installation)
    installation.connection_state = "disconnected"
    installation.disconnected_reason = f"Disconnected by {actor.email or actor.name}"
    installation.session_generation += 1
    audit.record(company_id, "installation.disconnected", installation, actor=actor,
                 before={"connection_state": "connected"},
                 after={"connection_state": "disconnected", "revoked_at_procore": revoked})
    db.session.commit()
    return installation




def _remove_webhook(company_id: int) -> None:
    """Delete the company's Procore hook; failing to must not stop the disconnect (the hook is forgotten)."""
    try:
        remove_hook(company_id, job_client(company_id, request_deadline()))
    except ProcoreError as exc:
        log.warning("could not delete the Procore webhook of company %s: %s", company_id, exc)
        forget_hook(company_id)
