"""The web's one error mapping: a domain error or an HTTP error becomes an HTML page or JSON, as the client accepts."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.errors import GatewayError
from app.store import db
from app.web import error_texts

log = logging.getLogger(__name__)


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(
    status: int, title: str, message: str, hint: str | None = None, *, err: Exception | None = None, **extra
):
    """Return the (response, status) of an error: JSON when the client prefers it, else the error page.

    The page speaks to a learner, in their language (app/web/error_texts.py); `message` and `hint`, the
    gateway's own words, follow as details, except a hint meant for administrators, which goes to the log.
    """
    correlation_id = g.get("correlation_id")
    if wants_json():
        body = {"error": {"status": status, "title": title, "message": message, "correlation_id": correlation_id}}
        body["error"].update(extra)
        return jsonify(body), status
    text = error_texts.for_error(err, status)
    if hint and error_texts.is_admin_advice(err):
        log.warning("advice for administrators (correlation id %s): %s %s", correlation_id, message, hint)
        hint = None
    # A T-book outage is worth retrying: offer the same address again.
    retry = text.retry and request.method == "GET"
    retry_url = request.script_root + request.full_path.rstrip("?") if retry else None
    page = render_template(
        "error.html",
        status=status,
        title=error_texts.translated(title),
        text=text,
        message=error_texts.translated(message) if message else message,
        hint=error_texts.translated(hint) if hint else hint,
        correlation_id=correlation_id,
        retry_url=retry_url,
    )
    return page, status


def gateway_error(err: GatewayError):
    return render_error(err.status, err.title, err.message, err.hint, err=err, **err.details())


def http_error(err: HTTPException):
    if err.code == 413:
        limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024 // 1024
        return render_error(
            413,
            "Request too large",
            f"The gateway accepts requests of up to {limit} MiB; nothing was read or saved.",
            "A CSV import of profiles must be 50 MiB at most: split the file.",
        )
    if isinstance(err, CSRFError):
        # Every form that changes something is refused here (CSRFProtect), before its view runs.
        hint = "The form expired or came from another page; reload the page and try again."
        return render_error(400, err.name, err.description or "", hint)
    return render_error(err.code or 500, err.name, err.description or "")


def unexpected(err: Exception):
    # The traceback goes to the log with the correlation id; the page shows only the id.
    log.exception("unhandled error (correlation id %s)", g.get("correlation_id"))
    # A failed statement leaves the transaction aborted (PostgreSQL); the page itself may need the database.
    db.session.rollback()
    return render_error(500, "Something went wrong", "The gateway hit an unexpected error. It has been logged.")


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(GatewayError, gateway_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected)
