"""The T-book Web Service API client: typed calls, timeouts, retries and a shared access token."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from app.tbook.auth import BearerAuth, EventSink, TokenProvider
from app.tbook.errors import TBookConnectionError, TBookError, TBookProtocolError, error_from_response
from app.tbook.fields import UPDATE
from app.tbook.form_encoding import encode_learner_fields, flag
from app.tbook.models import AccessToken, AuthToken, ClientInfo, Entity, Learner, parse
from app.tbook.retry import RetryPolicy
from app.tbook.token_store import MemoryTokenStore, TokenStore

T = TypeVar("T")
IDENTIFIER_TYPES = ("email", "learnerId", "externalId")
DEFAULT_RETRY = RetryPolicy()


def _ignore_event(name: str, **fields: object) -> None:
    """Default ``on_event``: the client works without anyone listening."""


class TBookClient:
    """Calls T-book's API; every method returns typed objects and raises a :class:`TBookError`.

    ``on_event(name, **fields)`` receives ``"api_call"`` (endpoint, status, duration, attempt),
    ``"retry"`` (endpoint, attempt, delay, status, code) and ``"token_refresh"`` (reason, expires_in);
    it must not raise. ``clock`` and ``sleep`` drive token expiry and backoff, ``transport`` the HTTP.
    """

    def __init__(
        self,
        api_url: str,
        client_id: str,
        client_secret: str,
        *,
        token_store: TokenStore | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy = DEFAULT_RETRY,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        on_event: EventSink | None = None,
        refresh_margin: float = 60.0,
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._retry = retry
        self._clock = clock
        self._sleep = sleep
        self._emit = on_event or _ignore_event
        self._http = httpx.Client(
            base_url=api_url.rstrip("/") + "/",
            timeout=httpx.Timeout(timeout),
            transport=transport,
            headers={"Accept": "application/json"},
        )
        self._tokens = TokenProvider(
            self._fetch_token, token_store or MemoryTokenStore(), clock, refresh_margin, self._emit
        )
        self._auth = BearerAuth(self._tokens)

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()

    def __enter__(self) -> TBookClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- API ---------------------------------------------------------------------------------

    def get_token(self) -> AccessToken:
        """Return the cached access token, fetching one (``POST /token``) when missing or expiring."""
        return self._retrying("token", lambda attempt: self._tokens.get(), idempotent=True)

    def get_client(self) -> ClientInfo:
        """Return the client account (``GET /getClient``)."""
        return parse(ClientInfo.from_json, self._call("getClient", "GET", "getClient"), "getClient")

    def get_entities(self) -> list[Entity]:
        """Return the client's entities (``GET /getEntities``)."""
        data = self._call("getEntities", "GET", "getEntities")
        return parse(lambda d: [Entity.from_json(e) for e in d], data, "getEntities")

    def get_entity(self, entity_id: str | int) -> Entity:
        """Return one entity; raises TBookNotFound, or TBookForbidden for another client's entity."""
        data = self._call("getEntity", "GET", f"getEntity/{_segment(entity_id)}")
        return parse(Entity.from_json, data, "getEntity")

    def get_all_learners(self, entity_id: str | int | None = None) -> list[Learner]:
        """Return the learners of the client, or of one entity when ``entity_id`` is given."""
        path = "getAllLearners" if entity_id is None else f"getAllLearners/{_segment(entity_id)}"
        data = self._call("getAllLearners", "GET", path)
        return parse(lambda d: [Learner.from_json(x) for x in d], data, "getAllLearners")

    def get_learner(self, learner_id: str | int) -> Learner:
        """Return a learner by T-book's learnerID; raises TBookNotFound."""
        data = self._call("getOneLearner", "GET", f"getOneLearner/{_segment(learner_id)}")
        return parse(Learner.from_json, data, "getOneLearner")

    def find_learner(self, identifier_type: str, identifier: str) -> Learner:
        """Return the learner by ``email`` (login), ``learnerId`` or ``externalId``; raises TBookNotFound."""
        data = self._call("getOneLearner", "POST", "getOneLearner", _identify(identifier_type, identifier))
        return parse(Learner.from_json, data, "getOneLearner")

    def insert_learner(
        self, fields: Mapping[str, object], *, entity_create: bool = False, sending_connection_email: bool = False
    ) -> Learner:
        """Create a learner from T-book field names (entityID, login, civility, ...) and return it.

        Raises TBookConflict when the login exists, BadRequest when a required field is missing, and
        ValueError for an unknown field name. Never retried after it may have reached T-book.
        """
        form = encode_learner_fields(fields) + [
            ("entity[create]", flag(entity_create)),
            ("sendingConnectionEmail", flag(sending_connection_email)),
        ]
        data = self._call("insertLearner", "POST", "insertLearner", form, idempotent=False)
        return parse(Learner.from_json, data, "insertLearner")

    def update_learner(self, identifier_type: str, identifier: str, fields: Mapping[str, object]) -> Learner:
        """Change only the given fields and return the learner (T-book adds filter/location/country).

        Raises ValueError for a field updateLearner does not take (``login`` and ``entityID`` never change).
        """
        form = _identify(identifier_type, identifier) + encode_learner_fields(fields, call=UPDATE)
        return parse(Learner.from_json, self._call("updateLearner", "POST", "updateLearner", form), "updateLearner")

    def remove_learner_session(self, identifier_type: str, identifier: str, filter: str, location: str) -> Learner:
        """Remove the learner from the session ``filter`` / ``location`` and return the learner."""
        form = _identify(identifier_type, identifier) + [("filter", filter), ("location", location)]
        data = self._call("removeLearnerSession", "POST", "removeLearnerSession", form, idempotent=False)
        return parse(Learner.from_json, data, "removeLearnerSession")

    def auth_token(self, user_type: int, connection_type: str, identifier: str, error_url: str) -> AuthToken:
        """Return a one-time ``authentificationUrl`` (valid 60 s: redirect to it at once, never store it).

        ``user_type`` is 1 (learner) or 2 (teacher); ``connection_type`` is ``login`` or ``id``.
        """
        if user_type not in (1, 2) or connection_type not in ("login", "id"):
            raise ValueError("user_type must be 1 or 2 and connection_type login or id")
        form = [
            ("userType", str(user_type)),
            ("connectionType", connection_type),
            ("identifier", identifier),
            ("errorUrl", error_url),
        ]
        # Each call mints a new one-time URL, so repeating it after a failure is harmless.
        return parse(AuthToken.from_json, self._call("authToken", "POST", "authToken", form), "authToken")

    # --- transport ---------------------------------------------------------------------------

    def _call(
        self,
        endpoint: str,
        method: str,
        path: str,
        form: list[tuple[str, str]] | None = None,
        *,
        idempotent: bool = True,
    ) -> Any:
        """Return the JSON of an authenticated call, retried per the policy; raises TBookError."""
        return self._retrying(
            endpoint, lambda attempt: self._send(endpoint, method, path, form, attempt), idempotent=idempotent
        )

    def _retrying(self, endpoint: str, attempt_once: Callable[[int], T], *, idempotent: bool) -> T:
        started = self._clock()
        attempt = 1
        while True:
            try:
                return attempt_once(attempt)
            except TBookError as err:
                # A failed token fetch never reached the endpoint itself, so it is always safe to repeat.
                safe = idempotent or err.endpoint == "token"
                delay = self._retry.next_delay(err, attempt, self._clock() - started, safe)
                if delay is None:
                    raise
                self._emit("retry", endpoint=endpoint, attempt=attempt, delay=delay, status=err.status, code=err.code)
                self._sleep(delay)
                attempt += 1

    def _send(
        self,
        endpoint: str,
        method: str,
        path: str,
        form: list[tuple[str, str]] | None,
        attempt: int,
        *,
        authenticated: bool = True,
    ) -> Any:
        """Make one HTTP request and return its JSON; raises the TBookError matching the answer."""
        began = time.perf_counter()
        try:
            # T-book field names are unique in a form (list values are indexed), so a dict is exact.
            response = self._http.request(
                method, path, data=dict(form) if form else None, auth=self._auth if authenticated else None
            )
        except httpx.TransportError as err:
            self._emit(
                "api_call", endpoint=endpoint, status=None, attempt=attempt, duration=time.perf_counter() - began
            )
            raise _connection_error(err, endpoint) from err
        status = response.status_code
        self._emit("api_call", endpoint=endpoint, status=status, attempt=attempt, duration=time.perf_counter() - began)
        if status >= 400:
            raise error_from_response(
                response, endpoint, redact=(self._client_secret, self._tokens.current_token() or "")
            )
        try:
            return response.json()
        except ValueError:
            content_type = response.headers.get("Content-Type", "no content type")
            message = f"T-book sent an unexpected answer on {endpoint} ({status}): the body is not JSON "
            message += f"({content_type})"
            raise TBookProtocolError(message, status=status, endpoint=endpoint) from None

    def _fetch_token(self) -> AccessToken:
        """Make one ``POST /token`` call and return the new token; raises TBookError."""
        obtained_at = self._clock()
        form = [
            ("grant_type", "client_credential"),
            ("client_id", self._client_id),
            ("client_secret", self._client_secret),
        ]
        data = self._send("token", "POST", "token", form, attempt=1, authenticated=False)
        return parse(lambda d: AccessToken.from_json(d, obtained_at), data, "token")


def _segment(value: str | int) -> str:
    """Return ``value`` quoted as one URL path segment."""
    return quote(str(value), safe="")


def _identify(identifier_type: str, identifier: str) -> list[tuple[str, str]]:
    if identifier_type not in IDENTIFIER_TYPES:
        raise ValueError(f"identifier_type must be one of {', '.join(IDENTIFIER_TYPES)}")
    return [("identifierType", identifier_type), ("identifier", str(identifier))]


def _connection_error(err: httpx.TransportError, endpoint: str) -> TBookConnectionError:
    """Return the TBookConnectionError for an httpx transport failure, saying what happened."""
    if isinstance(err, httpx.ConnectTimeout | httpx.ConnectError):
        what, maybe_sent = "the connection could not be opened", False
    elif isinstance(err, httpx.TimeoutException):
        what, maybe_sent = "T-book did not answer in time", True
    else:
        what, maybe_sent = "the connection was dropped before an answer", True
    return TBookConnectionError(
        f"T-book could not be reached on {endpoint}: {what} ({type(err).__name__})",
        maybe_sent=maybe_sent,
        endpoint=endpoint,
    )
