"""The T-book Web Service API client: typed calls, timeouts, retries and a shared access token."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from app.tbook import answers, deadline
from app.tbook.auth import BearerAuth, EventSink, TokenProvider, TokenRequest
from app.tbook.errors import TBookConnectionError, TBookError, error_from_response
from app.tbook.fields import UPDATE
from app.tbook.form_encoding import encode_learner_fields, flag
from app.tbook.models import AccessToken, AuthToken, ClientInfo, Entity, Learner, parse
from app.tbook.retry import RetryPolicy
from app.tbook.token_store import MemoryTokenStore, TokenStore
from app.tbook.transport import transport_for

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
    ``timeout`` bounds each call as a whole (not each read); inside a caller's deadline
    (`app.tbook.deadline.within`) calls, retries and waits get at most what is left of it, and a call cut by it
    raises DeadlineExceeded. One client may be shared by threads: they share its keep-alive connections.
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
        self._timeout = timeout
        self._http = httpx.Client(
            base_url=api_url.rstrip("/") + "/",
            timeout=httpx.Timeout(timeout),
            transport=transport or transport_for(api_url),
            headers={"Accept": "application/json"},
        )
        self._token_request = TokenRequest(self._post_token, client_id, client_secret, clock, self._emit)
        self._tokens = TokenProvider(
            self._token_request, token_store or MemoryTokenStore(), clock, refresh_margin, self._emit
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

    @property
    def grant_type(self) -> str:
        """Return the ``grant_type`` spelling this client sends (the one T-book last accepted)."""
        return self._token_request.grant_type

    def get_token(self) -> AccessToken:
        """Return the cached access token, fetching one (``POST /token``) when missing or expiring."""
        return self._retrying("token", lambda attempt: self._tokens.get(), idempotent=True)

    def get_client(self) -> ClientInfo:
        """Return the client account (``GET /getClient``)."""
        return parse(ClientInfo.from_json, self._json("getClient", "GET", "getClient"), "getClient")

    def get_entities(self) -> list[Entity]:
        """Return the client's entities (``GET /getEntities``)."""
        data = self._json("getEntities", "GET", "getEntities")
        return parse(lambda d: [Entity.from_json(e) for e in d], data, "getEntities")

    def get_entity(self, entity_id: str | int) -> Entity:
        """Return one entity; raises TBookNotFound, or TBookForbidden for another client's entity."""
        data = self._json("getEntity", "GET", f"getEntity/{_segment(entity_id)}")
        return parse(Entity.from_json, data, "getEntity")

    def get_all_learners(self, entity_id: str | int | None = None) -> list[Learner]:
        """Return the learners of the client, or of one entity when ``entity_id`` is given."""
        path = "getAllLearners" if entity_id is None else f"getAllLearners/{_segment(entity_id)}"
        data = self._json("getAllLearners", "GET", path)
        return parse(lambda d: [Learner.from_json(x) for x in d], data, "getAllLearners")

    def get_learner(self, learner_id: str | int) -> Learner:
        """Return a learner by T-book's learnerID; raises TBookNotFound (a 404, an empty answer or an envelope)."""
        return answers.one_learner(self._call("getOneLearner", "GET", f"getOneLearner/{_segment(learner_id)}"))

    def find_learner(self, identifier_type: str, identifier: str) -> Learner:
        """Return the learner by ``email`` (login), ``learnerId`` or ``externalId``; raises TBookNotFound.

        tbook-api.md does not say how an unknown learner is answered: a 404, an empty answer (empty body,
        ``null``, ``{}``, ``[]``) and a 2xx carrying the error envelope all raise TBookNotFound.
        """
        form = _identify(identifier_type, identifier)
        return answers.one_learner(self._call("getOneLearner", "POST", "getOneLearner", form))

    def insert_learner(
        self, fields: Mapping[str, object], *, entity_create: bool = False, sending_connection_email: bool = False
    ) -> Learner | None:
        """Create a learner from T-book field names (entityID, login, civility, ...).

        Returns the learner when T-book's answer carries one, else None: the documentation shows no
        answer, so any 2xx without an error envelope is success. Raises BadRequest when a required field
        is missing (and whatever T-book answers: 409 means only a conflict with another request), and
        ValueError for an unknown field name. Never retried after it may have reached T-book.
        """
        form = encode_learner_fields(fields) + [
            ("entity[create]", flag(entity_create)),
            ("sendingConnectionEmail", flag(sending_connection_email)),
        ]
        return answers.written_learner(
            "insertLearner", self._call("insertLearner", "POST", "insertLearner", form, idempotent=False)
        )

    def update_learner(self, identifier_type: str, identifier: str, fields: Mapping[str, object]) -> Learner | None:
        """Change only the given fields; return the learner when T-book's answer carries one, else None.

        T-book adds filter/location/country to the existing ones. Only the parameters of updateLearner's
        table are sent (app/tbook/fields.py): ValueError for any other (``login``, ``entityID``: they never
        change), before anything is sent.
        """
        form = _identify(identifier_type, identifier) + encode_learner_fields(fields, call=UPDATE)
        return answers.written_learner("updateLearner", self._call("updateLearner", "POST", "updateLearner", form))

    def remove_learner_session(
        self, identifier_type: str, identifier: str, filter: str, location: str
    ) -> Learner | None:
        """Remove the learner from the session ``filter`` / ``location``; return the learner when answered."""
        form = _identify(identifier_type, identifier) + [("filter", filter), ("location", location)]
        reply = self._call("removeLearnerSession", "POST", "removeLearnerSession", form, idempotent=False)
        return answers.written_learner("removeLearnerSession", reply)

    def auth_token(self, user_type: int, connection_type: str, identifier: str, error_url: str) -> AuthToken:
        """Return a one-time ``authentificationUrl`` (valid 60 s: redirect to it at once, never store it).

        ``user_type`` is 1 (learner) or 2 (teacher); ``connection_type`` is ``login`` or ``id``. The
        answer is read leniently (the documented example is not strict JSON); ``success`` may be "1", 1
        or true. Problems with the learner usually come later, through ``errorUrl``.
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
        response, data = self._call("authToken", "POST", "authToken", form)
        if not isinstance(data, dict):
            data = answers.lenient_object(response.text, ("success", "authentificationUrl"))
        answers.check_success("authToken", response, data)
        return parse(AuthToken.from_json, data, "authToken")

    # --- transport ---------------------------------------------------------------------------

    def _call(
        self,
        endpoint: str,
        method: str,
        path: str,
        form: list[tuple[str, str]] | None = None,
        *,
        idempotent: bool = True,
    ) -> tuple[httpx.Response, Any]:
        """Return the answer and its decoded body of an authenticated call, retried per the policy."""
        return self._retrying(
            endpoint, lambda attempt: self._send(endpoint, method, path, form, attempt), idempotent=idempotent
        )

    def _json(self, endpoint: str, method: str, path: str) -> Any:
        """Return the JSON of a read whose answer tbook-api.md shows; TBookProtocolError if there is none."""
        return answers.expect_json(endpoint, *self._call(endpoint, method, path))

    def _retrying(self, endpoint: str, attempt_once: Callable[[int], T], *, idempotent: bool) -> T:
        started = self._clock()
        attempt = 1
        while True:
            try:
                return attempt_once(attempt)
            except TBookError as err:
                # A failed token fetch never reached the endpoint itself, so it is always safe to repeat.
                safe = idempotent or err.endpoint == "token"
                delay = self._retry.next_delay(err, attempt, self._clock() - started, safe, deadline.remaining())
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
    ) -> tuple[httpx.Response, Any]:
        """Make one HTTP request; return the answer and its body (JSON or a :class:`Body`).

        Raises the TBookError matching an error status, or a 2xx that carries T-book's error envelope;
        DeadlineExceeded when the caller's deadline has passed, or passes before T-book has answered.
        """
        deadline.check(endpoint)
        began = time.perf_counter()
        left = deadline.remaining()
        cut = left is not None and left < self._timeout  # the caller's deadline ends this call, not its timeout
        try:
            # As tbook-api.md's examples (curl -F): multipart/form-data, one part per field, no file names.
            files = [(name, (None, value)) for name, value in form] if form else None
            with deadline.call_limit(self._timeout) as budget:
                request = self._http.build_request(method, path, files=files, timeout=budget)
                # Sent in one piece: streamed, each part of the form went out in a write of its own (19 for an
                # authToken call), each a system call here and a wake-up at T-book (bench/README.md).
                request.read()
                response = self._http.send(request, auth=self._auth if authenticated else None)
        except httpx.TransportError as err:
            self._emit(
                "api_call", endpoint=endpoint, status=None, attempt=attempt, duration=time.perf_counter() - began
            )
            failure = _connection_error(err, endpoint)
            if cut and isinstance(err, httpx.TimeoutException):
                raise deadline.DeadlineExceeded(endpoint, deadline.limit(), maybe_sent=failure.maybe_sent) from err
            raise failure from err
        status = response.status_code
        self._emit("api_call", endpoint=endpoint, status=status, attempt=attempt, duration=time.perf_counter() - began)
        redact = (self._client_secret, self._tokens.current_token() or "")
        if status >= 400:
            raise error_from_response(response, endpoint, redact=redact)
        data = answers.decode(response.content)
        if answers.is_envelope(data):
            raise error_from_response(response, endpoint, redact=redact)
        return response, data

    def _post_token(self, form: list[tuple[str, str]]) -> Any:
        """Make one ``POST /token`` call with ``form`` and return its JSON; raises TBookError."""
        return answers.expect_json("token", *self._send("token", "POST", "token", form, attempt=1, authenticated=False))


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
