"""Connecting a GC's Procore company and signing Procore users in to Gapline."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from integration import audit
from integration.extensions import db
from integration.models import AppUser, Installation, utcnow
from integration.procore_connection import client_options, company_key, procore_oauth, token_manager
from procore_client import ProcoreClient, ProcoreError, StaticToken, Token

log = logging.getLogger(__name__)


class SignInRefused(Exception):
    """The Procore user may not use Gapline for the company they asked for; the message says why."""


@dataclass
class SignedIn:
    """Who signed in, for which company, and whether this sign-in connected the company."""

    user: AppUser
    installation: Installation
    newly_connected: bool


def complete_sign_in(code: str, company_id: int) -> SignedIn:
    """Exchange the OAuth code, check the user belongs to ``company_id``, and record the user.

    The first user to sign in for a company connects it: their token pair is kept (encrypted) for
    the company's connection and they become its admin. Later users are only identified; their
    tokens are revoked at once, since Gapline never acts as them.
    """
    token = procore_oauth().exchange_code(code)
    identity_client = ProcoreClient(StaticToken(token.access_token), **client_options())
    me = identity_client.me()
    company = _membership(identity_client, company_id)
    installation = db.session.scalar(select(Installation).where(Installation.company_id == company_id))
    connects = installation is None or installation.connection_state != "connected"
    if installation is None:
        installation = Installation(company_id=company_id)
        db.session.add(installation)
    installation.company_name = company.get("name") or installation.company_name
    db.session.flush()
    user = _upsert_user(company_id, me, admin=connects)
    if connects:
        _connect(installation, user, token)
    else:
        _discard(token)
    db.session.commit()
    return SignedIn(user, installation, connects)


def _membership(client: ProcoreClient, company_id: int) -> dict:
    for company in client.list_companies():
        if company.get("id") == company_id:
            return company
    raise SignInRefused(f"Your Procore account does not belong to company {company_id}.")


def _upsert_user(company_id: int, me: dict, *, admin: bool) -> AppUser:
    user = db.session.scalar(select(AppUser).where(AppUser.company_id == company_id,
                                                   AppUser.procore_user_id == me["id"]))
    if user is None:
        user = AppUser(company_id=company_id, procore_user_id=me["id"], role="viewer")
        db.session.add(user)
    user.email, user.name, user.last_seen_at = me.get("login") or "", me.get("name") or "", utcnow()
    if admin and user.role != "admin":
        audit.record(company_id, "user.role_changed", user, before={"role": user.role}, after={"role": "admin"},
                     actor_label="connect")
        user.role = "admin"
    db.session.flush()
    return user


def _connect(installation: Installation, user: AppUser, token: Token) -> None:
    before = {"connection_state": installation.connection_state}
    installation.installed_by_procore_user_id = user.procore_user_id
    token_manager().store.apply(installation, token)  # same transaction: connected with tokens, or not at all
    audit.record(installation.company_id, "installation.connected", installation, actor=user, before=before,
                 after={"connection_state": "connected"})


def _discard(token: Token) -> None:
    try:
        procore_oauth().revoke(token)
    except ProcoreError as exc:  # the token expires by itself; failing to revoke must not fail sign-in
        log.warning("could not revoke a sign-in token: %s", exc)


def disconnect(company_id: int, actor: AppUser) -> Installation:
    """Revoke the company's Procore tokens and forget them; the company's data stays."""
    installation = db.session.scalar(select(Installation).where(Installation.company_id == company_id))
    key = company_key(company_id)
    stored = token_manager().store.fetch(key)
    revoked = True
    if stored is not None:
        try:
            procore_oauth().revoke(stored)
        except ProcoreError as exc:
            revoked = False
            log.warning("Procore did not confirm revocation for company %s: %s", company_id, exc)
    token_manager().store.delete(key)
    db.session.refresh(installation)
    installation.connection_state = "disconnected"
    installation.disconnected_reason = f"Disconnected by {actor.email or actor.name}"
    audit.record(company_id, "installation.disconnected", installation, actor=actor,
                 before={"connection_state": "connected"},
                 after={"connection_state": "disconnected", "revoked_at_procore": revoked})
    db.session.commit()
    return installation


