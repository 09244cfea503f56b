"""One-time ``authentificationUrl`` tokens handed out by ``POST /authToken``."""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
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
        # In the order issued, which is the order they expire in (one ttl for all): forgetting the old ones
        # takes them off the front, rather than rebuilding the registry at every issue (which made each
        # /authToken cost more with every grant of the last hour: 1 ms at 10,000, as a benchmark found).
        self._grants: OrderedDict[str, SsoGrant] = OrderedDict()

    def issue(self, learner_id: str | None, user_type: int, error_url: str) -> str:
        """Return a new unguessable one-time token."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            while self._grants and self._grants[next(iter(self._grants))].expires_at + _FORGET_AFTER <= now:
                self._grants.popitem(last=False)
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
