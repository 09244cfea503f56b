"""Sign-in throttling: too many recent failures for a login from one address, or from one address, pause tries.

The count comes from the audit log, which every instance shares, so the limit holds across instances. The
per-login limit counts failures of that login *from that address*: counted per login alone, anyone anywhere
could lock any account (an admin's included) by typing wrong passwords for it.

The per-address limit stops one address from guessing at many accounts. An office behind one NAT address (or
every user, behind a proxy with GATEWAY_PROXY_HOPS=0) shares it, so it does not pause a login that signed in
successfully from that address in the last KNOWN_FOR: whoever fails on purpose there cannot lock their
colleagues out, and guesses at those accounts still meet the per-login limit.

An admin lifts a login's pause by unlocking the account (an `account_unlock` event): its failures before that no
longer count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from app.errors import Throttled
from app.store import audit_counts
from app.store.models import utcnow

KNOWN_FOR = timedelta(days=30)


class TooManyAttempts(Throttled):
    title = "Too many sign-in attempts"


UNLOCK = "account_unlock"


def _window() -> tuple[int, datetime]:
    minutes = current_app.config["GATEWAY_SIGNIN_WINDOW_MINUTES"]
    return minutes, utcnow() - timedelta(minutes=minutes)


def check(login: str, address: str | None) -> int:
    """Raise TooManyAttempts when `login` from `address`, or `address` for any login, failed too often lately.

    Returns how many failures `login` may still have from `address` before its pause (1: this try is the last).
    Check, then the caller records the outcome: concurrent tries all pass the check before any is recorded,
    so a burst can exceed the limit by the number of requests served at once. That is bounded by the
    server's concurrency and accepted; a lock here would serialise every sign-in of every instance.
    """
    cfg = current_app.config
    minutes, since = _window()
    # No known address (a bare WSGI server without REMOTE_ADDR): those tries share one count, as one address.
    by_pair, by_address = audit_counts.refused_sign_ins(login, address, since, restart=UNLOCK)
    over_address = by_address >= cfg["GATEWAY_SIGNIN_MAX_FAILURES_PER_ADDRESS"]
    # Asked only over the per-address limit: whether this login is at home at this address.
    known_here = over_address and audit_counts.signed_in_from(login, address, utcnow() - KNOWN_FOR)
    if by_pair >= cfg["GATEWAY_SIGNIN_MAX_FAILURES"] or (over_address and not known_here):
        raise TooManyAttempts(
            f"Sign-in is paused after too many failed attempts. Try again in {minutes} minutes.",
            hint="If you forgot your password, ask your T-book administrator.",
        )
    return cfg["GATEWAY_SIGNIN_MAX_FAILURES"] - by_pair


@dataclass(frozen=True)
class Lockout:
    """A login paused from one address: how many failures counted, and when the last one was."""

    address: str | None
    failures: int
    last_at: datetime


def lockouts(login: str) -> list[Lockout]:
    """Return the addresses from which `login` is paused now (its counted failures reached the limit)."""
    _, since = _window()
    limit = current_app.config["GATEWAY_SIGNIN_MAX_FAILURES"]
    counted = audit_counts.refused_sign_ins_by_address(login.strip().lower(), since, restart=UNLOCK)
    return [Lockout(address, count, last) for address, count, last in counted if count >= limit]
