"""One-time ``authentificationUrl`` tokens handed out by ``POST /authToken``."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

#: How long a used or expired token is remembered, so its reuse still goes to its errorUrl.
_FORGET_AFTER = 3600


@dataclass
class SsoGrant:
    """What an authentificationUrl signs in: who (None: nobody T-book knows), as what, and where failures go."""

    learner_id: str | None
    user_type: int
    error_url: str
    expires_at: float
    used: bool = False


class SsoGrantExpired(Exception):
    """The token exists but was used or is too old; ``error_url`` is where T-book sends the browser."""

    def __init__(self, error_url: str) -> None:
        super().__init__("authentificationUrl used or expired")
        self.error_url = error_url


class SsoGrants:
    """A registry of one-time tokens, each valid once within ``ttl`` seconds."""

    def __init__(self, ttl: int, clock: Callable[[], float]) -> None:
        self._ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._grants: dict[str, SsoGrant] = {}

    def issue(self, learner_id: str | None, user_type: int, error_url: str) -> str:
        """Return a new unguessable one-time token."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._grants = {k: g for k, g in self._grants.items() if g.expires_at + _FORGET_AFTER > now}
            self._grants[token] = SsoGrant(learner_id, user_type, error_url, now + self._ttl)
        return token

    def redeem(self, token: str) -> SsoGrant | None:
        """Return the grant and mark it used; None when unknown.

        Raises SsoGrantExpired when the token was already used or has expired.
        """
        with self._lock:
            grant = self._grants.get(token)
            if grant is None:
                return None
            if grant.used or grant.expires_at <= self._clock():
                raise SsoGrantExpired(grant.error_url)
            grant.used = True
            return grant

    def clear(self) -> None:
        """Forget every token."""
        with self._lock:
            self._grants.clear()
