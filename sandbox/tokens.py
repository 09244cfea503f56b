"""The sandbox's API access tokens: HS256 JWTs that expire and can be revoked."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable

import jwt

from sandbox.errors import ApiError

_MAX_VERIFIED = 1000


class AccessTokens:
    """Issues and checks ``POST /token`` JWTs for one client id."""

    def __init__(self, client_id: str, ttl: int, clock: Callable[[], float]) -> None:
        self._client_id = client_id
        self._ttl = ttl
        self._clock = clock
        self._key = secrets.token_hex(32)  # per process: restarting the sandbox invalidates tokens
        self._lock = threading.Lock()
        self._generation = 0
        # Tokens already verified, with their claims: a sync sends thousands of requests with one token, and
        # checking its signature each time cost more than the sandbox's own work (bench/README.md).
        self._verified: dict[str, dict] = {}

    @property
    def ttl(self) -> int:
        """Return the lifetime of new tokens, in seconds."""
        return self._ttl

    def issue(self) -> str:
        """Return a new signed token valid for ``ttl`` seconds."""
        now = int(self._clock())
        with self._lock:
            generation = self._generation
        claims = {
            "client_id": self._client_id,
            "iat": now,
            "exp": now + self._ttl,
            "gen": generation,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self._key, algorithm="HS256")

    def revoke_all(self) -> None:
        """Make every token issued so far invalid (emulates T-book losing its sessions)."""
        with self._lock:
            self._generation += 1

    def check(self, authorization: str | None) -> None:
        """Accept a valid ``Authorization: Bearer`` header; raise ApiError 401 otherwise."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "Missing bearer token: call /token and send 'Authorization: Bearer <token>'")
        token = token.strip()
        claims = self._verified.get(token)
        if claims is None:
            try:
                # Expiry is checked below against the sandbox's own (injectable) clock, not PyJWT's.
                claims = jwt.decode(
                    token,
                    self._key,
                    algorithms=["HS256"],
                    options={"verify_exp": False, "require": ["exp", "client_id", "gen"]},
                )
            except jwt.InvalidTokenError:
                raise ApiError(401, "Invalid access token") from None
            with self._lock:
                if len(self._verified) >= _MAX_VERIFIED:
                    self._verified.clear()
                self._verified[token] = claims
        if claims["exp"] <= self._clock():
            raise ApiError(401, "Access token expired: request a new one from /token")
        with self._lock:
            revoked = claims["gen"] != self._generation
        if revoked or claims["client_id"] != self._client_id:
            raise ApiError(401, "Access token revoked: request a new one from /token")
