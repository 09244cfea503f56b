"""Domain exceptions, and the one handler that turns them into an HTML page or JSON."""

from __future__ import annotations

import logging

from flask import Flask, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.store import db

log = logging.getLogger(__name__)


class GatewayError(Exception):
    """An error the user should see as a clear page; `status` is the HTTP status it maps to."""

    status = 500
    title = "Something went wrong"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class LinkNotFound(GatewayError):
    status = 404
    title = "Unknown launch link"


class ProfileMissing(GatewayError):
    status = 403
    title = "No T-book profile"


class ProfileInvalid(GatewayError):
    """The profile cannot be sent to T-book; `field` names the T-book field at fault."""

    status = 422
    title = "Your profile cannot be sent to T-book"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}", hint="Ask your T-book administrator to fix this field.")
        self.field = field


class SignInRefused(GatewayError):
    status = 401
    title = "Sign-in refused"


class LtiNotConfigured(GatewayError):
    status = 503
    title = "T-book launch is not configured"


class TBookUnavailable(GatewayError):
    """T-book could not be reached or kept failing; the learner should try again later."""

    status = 503
    title = "T-book is not answering"


class TBookRefused(GatewayError):
    """T-book answered, but refused what the gateway asked."""

    status = 502
    title = "T-book refused the sign-in"


class Forbidden(GatewayError):
    status = 403
    title = "Not allowed"


def wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def _render(status: int, title: str, message: str, hint: str | None = None, **extra):
    correlation_id = g.get("correlation_id")
    if wants_json():
        body = {"error": {"status": status, "title": title, "message": message, "correlation_id": correlation_id}}
        body["error"].update(extra)
        return jsonify(body), status
    # A T-book outage is worth retrying: offer the same address again.
    retry = status in (502, 503) and request.method == "GET"
    retry_url = request.script_root + request.full_path.rstrip("?") if retry else None
    page = render_template(
        "error.html",
        status=status,
        title=title,
        message=message,
        hint=hint,
        correlation_id=correlation_id,
        retry_url=retry_url,
    )
    return page, status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(GatewayError)
    def gateway_error(err: GatewayError):
        extra = {"field": err.field} if isinstance(err, ProfileInvalid) else {}
        return _render(err.status, err.title, err.message, err.hint, **extra)

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if err.code == 413:
            limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) // 1024 // 1024
            return _render(
                413,
                "Request too large",
                f"The gateway accepts requests of up to {limit} MiB; nothing was read or saved.",
                "A CSV import of profiles must be 50 MiB at most: split the file.",
            )
        return _render(err.code or 500, err.name, err.description or "")

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        # The traceback goes to the log with the correlation id; the page shows only the id.
        log.exception("unhandled error (correlation id %s)", g.get("correlation_id"))
        # A failed statement leaves the transaction aborted (PostgreSQL); the page itself may need the database.
        db.session.rollback()
        return _render(500, "Something went wrong", "The gateway hit an unexpected error. It has been logged.")
