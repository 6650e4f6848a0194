"""Error pages: the status, what went wrong in plain words, and nothing internal."""

from __future__ import annotations

import logging

from flask import current_app, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES

from integration.extensions import database_busy, db
from integration.extraction.intake import MAX_BYTES, MAX_FILES
from integration.refusals import Refusal

log = logging.getLogger(__name__)

BUSY_WORDS = ("Gapline is busy saving someone else's work just now, so nothing was changed. "
              "Try again in a few seconds.")


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


def database_error(error: OperationalError):
    """A database that is busy (another writer holds SQLite's lock) gets 503 and words; any other, a plain 500."""
    db.session.rollback()
    if not database_busy(error):
        log.error("database error: %s", error)
        return http_error(InternalServerError())
    log.warning("database busy: %s", error)
    if request.accept_mimetypes.best == "application/json":
        response = jsonify({"error": BUSY_WORDS})
    else:
        response = current_app.make_response(render_template("error.html", code=503, name="Busy",
                                                             description=BUSY_WORDS))
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response
