"""Where Procore delivers webhook events. Its own secret header authenticates it (Procore sends no CSRF token)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from integration.extensions import csrf
from integration.webhooks import RECEIVER_PATH, WebhookRefused, receive
from sync_jobs.webhooks import queue_event_processing

bp = Blueprint("webhooks", __name__)


@bp.post(RECEIVER_PATH)
@csrf.exempt
def deliver():
    """Keep the event and answer at once (Procore waits five seconds); its processing is queued."""
    try:
        received = receive(request.get_json(silent=True), request.headers.get("Authorization"))
    except WebhookRefused as refusal:
        return jsonify({"error": refusal.message}), refusal.status
    if received.new:
        queue_event_processing(received.company_id)
    return jsonify({"received": True, "repeat": not received.new}), 202
