"""Taking an upload form's files, the same way on every page that takes documents."""

from __future__ import annotations

from collections.abc import Callable

from flask import jsonify, redirect, request

from integration.extraction.intake import IncomingFile
from integration.outreach import portal
from integration.outreach.facts import Scope
from integration.refusals import Refusal
from sync_jobs.reading import queue_reading


def incoming_files() -> list[IncomingFile]:
    """The uploaded files as name and bytes; each upload stream is closed once read."""
    files = []
    for upload in request.files.getlist("files"):
        with upload.stream:
            if upload.filename:
                files.append(IncomingFile(upload.filename, upload.read()))
    return files


def wants_json() -> bool:
    """True when the page's script sent the form and reads the answer itself."""
    return request.accept_mimetypes.best == "application/json"


def take_documents(scope: Scope, channel: str, submitted_by: str | None, progress_url: Callable[[int], str],
                   page_url: Callable[[int], str]):
    """Receive the form's files for a request and start reading them; answer the page's script, or redirect."""
    try:
        received = portal.submit(scope, incoming_files(), channel, submitted_by)
    except Refusal as refused:
        if wants_json():  # the intake takes all the files or none: say so, so nobody thinks some arrived
            said = refused.message.rstrip()
            said += "" if said.endswith((".", "!", "?")) else "."
            return jsonify({"error": f"{said} None of the files was kept: choose them again."}), \
                refused.status
        raise
    submission_id = received.submission.id
    queue_reading(scope.request.company_id, submission_id)
    if wants_json():
        return jsonify({"submission": submission_id, "progress_url": progress_url(submission_id)}), 202
    return redirect(page_url(submission_id)), 303
