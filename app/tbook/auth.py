"""Bearer authentication for the T-book API: a cached token, refreshed once when T-book refuses it."""

from __future__ import annotations

from collections.abc import Callable, Generator

import httpx

from app.tbook.models import AccessToken
from app.tbook.token_store import TokenStore

EventSink = Callable[..., None]


class TokenProvider:
    """Hands out the shared access token, fetching a new one only when needed.

    ``fetch`` makes one ``POST /token`` call and returns the new token or raises a TBookError.
    """

    def __init__(
        self,
        fetch: Callable[[], AccessToken],
        store: TokenStore,
        clock: Callable[[], float],
        refresh_margin: float,
        emit: EventSink,
    ) -> None:
        self._fetch = fetch
        self._store = store
        self._clock = clock
        self._margin = refresh_margin
        self._emit = emit

    def _fresh(self, token: AccessToken | None) -> bool:
        return token is not None and token.is_fresh(self._clock(), self._margin)

    def get(self) -> AccessToken:
        """Return a token valid for at least ``refresh_margin`` seconds; raises TBookError on failure."""
        token = self._store.load()
        if self._fresh(token):
            return token  # type: ignore[return-value]
        with self._store.refresh_lock():
            # Another thread or worker may have refreshed while this one waited for the lock.
            current = self._store.load()
            if self._fresh(current):
                return current  # type: ignore[return-value]
            return self._renew("expiring" if current else "missing")

    def refresh(self, rejected: str) -> AccessToken:
        """Return a replacement for the token T-book rejected (401); raises TBookError on failure."""
        with self._store.refresh_lock():
            current = self._store.load()
            if current is not None and current.access_token != rejected and self._fresh(current):
                return current  # someone already replaced the rejected token
            self._store.invalidate()
            return self._renew("rejected")

    def current_token(self) -> str | None:
        """Return the cached token string (for redaction), or None."""
        token = self._store.load()
        return token.access_token if token else None

    def _renew(self, reason: str) -> AccessToken:
        token = self._fetch()
        self._store.save(token)
        self._emit("token_refresh", reason=reason, expires_in=token.expires_in)
        return token


class BearerAuth(httpx.Auth):
    """Sends ``Authorization: Bearer``; on 401, fetches a new token and replays the request once."""

    requires_response_body = True  # read the 401 so its connection is released before the replay

    def __init__(self, tokens: TokenProvider) -> None:
        self._tokens = tokens

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._tokens.get()
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        response = yield request
        if response.status_code == 401:
            fresh = self._tokens.refresh(rejected=token.access_token)
            request.headers["Authorization"] = f"Bearer {fresh.access_token}"
            yield request
