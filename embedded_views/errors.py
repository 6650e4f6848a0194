"""Error pages: the status, what went wrong in plain words, and nothing internal."""

from __future__ import annotations

from flask import current_app, render_template
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES

from integration.extraction.intake import MAX_BYTES, MAX_FILES
from integration.refusals import Refusal


def refused(refusal: Refusal):
    """Render a refusal nobody caught: its status and its message for people."""
    return render_template("error.html", code=refusal.status, name=HTTP_STATUS_CODES.get(refusal.status, "Refused"),
                           description=refusal.message), refusal.status


def http_error(error: Exception):
    """Render an HTTP error with its description (the upload limits for a body that is too large)."""
    if not isinstance(error, HTTPException):
        error = InternalServerError()
    description = error.description
    if isinstance(error, RequestEntityTooLarge):
        limit_mb = current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        description = (f"The upload is larger than {limit_mb} MB in all. Send at most {MAX_FILES} files of at most "
                       f"{MAX_BYTES // (1024 * 1024)} MB each; nothing was stored.")
    return render_template("error.html", code=error.code, name=error.name, description=description), error.code
