"""Procore webhooks: Gapline's hook in each company (made on connect, removed on disconnect) and what arrives on it.

Procore signs nothing. Each hook carries a secret of ours in its ``Authorization`` destination
header; an event is kept only when that secret matches the hash stored for the event's company.
Events are kept once however often they arrive (Procore retries, and may send one twice), and they
name a resource rather than carry it, so processing reads the resource's current state: the order
in which events arrive does not matter.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite

from integration.extensions import db
from integration.models import WebhookEvent, WebhookHook, utcnow
from integration.refusals import Refusal
from integration.tenancy import scoped
from procore_client import NotFoundError, ProcoreClient

NAMESPACE = "gapline"
RECEIVER_PATH = "/procore/webhooks"
EVENT_TYPES = ("create", "update", "delete")
RESOURCES = ("Company Vendors", "Projects")
TRIGGERS = tuple((resource, event) for resource in RESOURCES for event in EVENT_TYPES)


class WebhookRefused(Refusal):
    """A delivery Gapline will not take: not for a hook of ours, or not an event it can read."""

    status = 401


def install_hook(company_id: int, client: ProcoreClient, base_url: str) -> WebhookHook:
    """Create the company's hook with a fresh secret and its triggers, replacing one made before (committed)."""
    row = db.session.scalar(scoped(WebhookHook, company_id))
    if row is not None and row.procore_hook_id:
        _delete(client, company_id, row.procore_hook_id)
    secret = secrets.token_urlsafe(32)
    hook = client.create_hook(company_id, NAMESPACE, base_url + RECEIVER_PATH,
                              destination_headers={"Authorization": f"Bearer {secret}"})
    trigger_ids = [client.create_trigger(company_id, hook["id"], resource, event)["id"]
                   for resource, event in TRIGGERS]
    if row is None:
        row = WebhookHook(company_id=company_id)
        db.session.add(row)
    row.procore_hook_id, row.secret_sha256 = hook["id"], _digest(secret)
    row.destination_url, row.trigger_ids = base_url + RECEIVER_PATH, trigger_ids
    db.session.commit()
    return row


def remove_hook(company_id: int, client: ProcoreClient) -> bool:
    """Delete the company's hook in Procore and forget it; False when there was none."""
    row = db.session.scalar(scoped(WebhookHook, company_id))
    if row is None:
        return False
    if row.procore_hook_id:
        _delete(client, company_id, row.procore_hook_id)
    db.session.delete(row)
    db.session.commit()
    return True


@dataclass(frozen=True)
class Received:
    """A delivery Gapline took: for which company, and whether it was new (Procore repeats some)."""

    company_id: int
    new: bool


def forget_hook(company_id: int) -> None:
    """Forget the company's hook without asking Procore (committed): its deliveries will be refused."""
    row = db.session.scalar(scoped(WebhookHook, company_id))
    if row is not None:
        db.session.delete(row)
        db.session.commit()


def receive(payload: Any, authorization: str | None) -> Received:
    """Verify one delivered event and keep it once (committed).

    WebhookRefused (nothing kept) when the secret is not the company's or the event cannot be read.
    """
    event = _event(payload)
    row = db.session.scalar(scoped(WebhookHook, event["company_id"]))
    token = (authorization or "").removeprefix("Bearer ").strip()
    if row is None or not hmac.compare_digest(_digest(token), row.secret_sha256):
        raise WebhookRefused("This delivery does not carry the secret of a Gapline hook for its company.")
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(WebhookEvent).values(
        **event, received_at=utcnow())
    kept = db.session.execute(insert.on_conflict_do_nothing(index_elements=["company_id", "event_key"]))
    db.session.commit()
    return Received(event["company_id"], bool(kept.rowcount))


def waiting_events(company_id: int) -> list[WebhookEvent]:
    """The company's events not processed yet, in the order they arrived."""
    return list(db.session.scalars(scoped(WebhookEvent, company_id).where(WebhookEvent.processed_at.is_(None))
                                   .order_by(WebhookEvent.id)))


def _event(payload: Any) -> dict[str, Any]:
    """The fields Gapline keeps, or WebhookRefused (400) naming the first one missing or malformed."""
    if not isinstance(payload, Mapping):
        raise WebhookRefused("The delivery must be a JSON object (a Procore webhook event).", status=400)
    checks = {"company_id": _whole, "resource_id": _whole, "resource_name": lambda v: v in RESOURCES,
              "event_type": lambda v: v in EVENT_TYPES}
    for name, valid in checks.items():
        if not valid(payload.get(name)):
            raise WebhookRefused(f"The event's {name} is missing or not one Gapline subscribes to.", status=400)
    key = payload.get("ulid") or payload.get("id")
    if not isinstance(key, str | int) or isinstance(key, bool) or key == "":
        raise WebhookRefused("The event has neither a ulid nor an id to recognize repeats by.", status=400)
    return {"company_id": payload["company_id"], "event_key": str(key)[:128], "resource_name": payload["resource_name"],
            "resource_id": payload["resource_id"], "event_type": payload["event_type"]}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _delete(client: ProcoreClient, company_id: int, hook_id: int) -> None:
    try:
        client.delete_hook(company_id, hook_id)
    except NotFoundError:
        pass  # already gone in Procore
