"""Sign-in throttling: too many recent failures for a login or from an address refuse further tries.

The count comes from the audit log, which every instance shares, so the limit holds across instances.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import func, literal, or_, select

from app.errors import GatewayError
from app.extensions import db
from app.models import AuditEvent, utcnow


class TooManyAttempts(GatewayError):
    status = 429
    title = "Too many sign-in attempts"


def check(login: str, address: str | None) -> None:
    """Raise TooManyAttempts when `login` or `address` failed too often within the window."""
    cfg = current_app.config
    minutes = cfg["GATEWAY_SIGNIN_WINDOW_MINUTES"]
    since = utcnow() - timedelta(minutes=minutes)
    failures = (AuditEvent.action == "sign_in", AuditEvent.outcome == "refused", AuditEvent.created_at >= since)
    address_field = AuditEvent.detail["address"].as_string()
    by_login, by_address = db.session.execute(
        select(
            func.count().filter(AuditEvent.actor == login),
            func.count().filter(address_field == address) if address else literal(0),
        ).where(*failures, or_(AuditEvent.actor == login, address_field == (address or "")))
    ).one()
    if by_login >= cfg["GATEWAY_SIGNIN_MAX_FAILURES"] or by_address >= cfg["GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS"]:
        raise TooManyAttempts(
            f"Sign-in is paused after too many failed attempts. Try again in {minutes} minutes.",
            hint="If you forgot your password, ask your T-book administrator.",
        )
