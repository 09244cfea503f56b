"""Bearer authentication for the T-book API: the token request, a cached token, refreshed once when refused."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import httpx

from app.tbook.errors import BadRequest
from app.tbook.models import AccessToken, parse
from app.tbook.token_store import TokenStore

EventSink = Callable[..., None]
#: tbook-api.md's spelling (``-F grant_type= client_credential``), then OAuth 2's (RFC 6749 section 4.4).
GRANT_TYPES = ("client_credential", "client_credentials")


class TokenRequest:
    """Makes one ``POST /token`` call, in the ``grant_type`` spelling this T-book accepts.

    The documented spelling goes first. When T-book answers 400 to it (the request carries the three
    documented parameters, so the grant type is what it can be refusing), the other spelling is tried
    once, and the one that worked is kept for this client's later requests. ``send(form)`` makes the
    call and returns the decoded JSON, raising a TBookError.
    """

    def __init__(
        self,
        send: Callable[[list[tuple[str, str]]], Any],
        client_id: str,
        client_secret: str,
        clock: Callable[[], float],
        emit: EventSink,
    ) -> None:
        self._send = send
        self._client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._emit = emit
        self.grant_type = GRANT_TYPES[0]

    def __call__(self) -> AccessToken:
        """Return a new token; raises TBookError (the first spelling's error when both are refused)."""
        obtained_at = self._clock()
        try:
            data = self._send(self._form(self.grant_type))
        except BadRequest as refused:
            other = GRANT_TYPES[1 - GRANT_TYPES.index(self.grant_type)]
            self._emit("grant_type_retry", endpoint="token", refused=self.grant_type, trying=other)
            try:
                data = self._send(self._form(other))
            except BadRequest:
                raise refused from None
            self.grant_type = other
        return parse(lambda d: AccessToken.from_json(d, obtained_at), data, "token")

    def _form(self, grant_type: str) -> list[tuple[str, str]]:
        return [("grant_type", grant_type), ("client_id", self._client_id), ("client_secret", self._client_secret)]


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
