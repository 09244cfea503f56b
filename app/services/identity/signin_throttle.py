"""Sign-in throttling: too many recent failures for a login from one address, or from one address, pause tries.

The count comes from the audit log, which every instance shares, so the limit holds across instances. The
per-login limit counts failures of that login *from that address*: counted per login alone, anyone anywhere
could lock any account (an admin's included) by typing wrong passwords for it.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from app.errors import Throttled
from app.store import audit_counts
from app.store.models import utcnow


class TooManyAttempts(Throttled):
    title = "Too many sign-in attempts"


def check(login: str, address: str | None) -> None:
    """Raise TooManyAttempts when `login` from `address`, or `address` for any login, failed too often lately.

    Check, then the caller records the outcome: concurrent tries all pass the check before any is recorded,
    so a burst can exceed the limit by the number of requests served at once. That is bounded by the
    server's concurrency and accepted; a lock here would serialise every sign-in of every instance.
    """
    cfg = current_app.config
    minutes = cfg["GATEWAY_SIGNIN_WINDOW_MINUTES"]
    since = utcnow() - timedelta(minutes=minutes)
    # No known address (a bare WSGI server without REMOTE_ADDR): those tries share one count, as one address.
    by_pair, by_address = audit_counts.refused_sign_ins(login, address, since)
    if by_pair >= cfg["GATEWAY_SIGNIN_MAX_FAILURES"] or by_address >= cfg["GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS"]:
        raise TooManyAttempts(
            f"Sign-in is paused after too many failed attempts. Try again in {minutes} minutes.",
            hint="If you forgot your password, ask your T-book administrator.",
        )
