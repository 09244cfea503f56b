"""Checking a T-book connection step by step (token, client, entities, LTI launch URL, clocks), each timed."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx
from flask import current_app

from app.services.audit import trail as audit
from app.services.tbook_connection import connection_advice as advice
from app.services.tbook_connection.lti_probe import ProbeAnswer, probe
from app.settings import credentials
from app.settings.credentials import TBookCredentials
from app.tbook import RetryPolicy, TBookClient, TBookError

CLOCK_SKEW_LIMIT = 60.0
# An admin waits on the page for the whole check: a short timeout per call, and no retries.
CHECK_TIMEOUT = 5.0
ONE_ATTEMPT = RetryPolicy(max_attempts=1)


@dataclass(frozen=True)
class Step:
    """One step of the check: `ok` is None when it was not run (an earlier step failed, or nothing to check)."""

    name: str
    title: str
    ok: bool | None
    seconds: float | None
    detail: str
    fix: str = ""

    @property
    def mark(self) -> str:
        return {True: "✓", False: "✗", None: "–"}[self.ok]


@dataclass(frozen=True)
class ConnectionReport:
    """The checked credentials' environment and URLs, and each step's outcome."""

    env: str
    api_url: str
    lti_url: str
    steps: tuple[Step, ...]

    @property
    def ok(self) -> bool:
        return all(step.ok is not False for step in self.steps)

    @property
    def failed(self) -> list[Step]:
        return [step for step in self.steps if step.ok is False]


@dataclass(frozen=True)
class _Call:
    """One API call's result or error, and how long it took."""

    seconds: float
    value: object = None
    error: TBookError | None = None


def _timed(call: Callable[[], object]) -> _Call:
    began = time.perf_counter()
    try:
        value = call()
    except TBookError as err:
        return _Call(time.perf_counter() - began, error=err)
    return _Call(time.perf_counter() - began, value=value)


def run(
    creds: TBookCredentials, *, timeout: float = CHECK_TIMEOUT, clock: Callable[[], float] = time.time
) -> ConnectionReport:
    """Check `creds` against T-book and return a ConnectionReport; never raises for what T-book answers.

    `clock` is the gateway's clock (tests move it): it dates the launch probe and is compared to T-book's.
    """
    offsets: list[float] = []

    def note_date(response: httpx.Response) -> None:
        try:
            offsets.append(parsedate_to_datetime(response.headers["Date"]).timestamp() - clock())
        except (KeyError, TypeError, ValueError):
            pass  # no Date header, or not a date: this answer says nothing about T-book's clock

    # The probe and the clock request go through a client of their own, which sees the answers' headers; like
    # the API client, it honours the environment's outgoing proxy settings.
    with httpx.Client(timeout=timeout, event_hooks={"response": [note_date]}) as http:
        token, client, entities = _api_calls(creds, timeout, clock)
        lti, lti_with_client_secret = _probes(http, creds, clock)
        # Nothing configured, nothing to compare the clocks for (and no request to a T-book not chosen yet).
        clock_seconds = _ask_the_time(http, creds.api_url) if token or lti else None
    facts = advice.Facts(creds, token.error if token else None, lti, lti_with_client_secret)
    steps = (
        _token_step(token, facts),
        _client_step(client, facts),
        _entities_step(entities, facts),
        _lti_step(lti, facts),
        _clock_step(offsets, clock_seconds),
    )
    return ConnectionReport(creds.env, creds.api_url, creds.lti_url, steps)


def _api_calls(creds: TBookCredentials, timeout: float, clock: Callable[[], float]) -> tuple[_Call | None, ...]:
    if not (creds.client_id and creds.client_secret):
        return (None, None, None)
    # A client of its own, with a token of its own: the check proves these credentials, not a cached token.
    with TBookClient(
        creds.api_url, creds.client_id, creds.client_secret, timeout=timeout, retry=ONE_ATTEMPT, clock=clock
    ) as api:
        token = _timed(api.get_token)
        if token.error is not None:
            return (token, None, None)
        return (token, _timed(api.get_client), _timed(api.get_entities))


def _ask_the_time(http: httpx.Client, api_url: str) -> float:
    """Make one request to T-book's API whatever it answers (its Date header is the point); return its duration."""
    began = time.perf_counter()
    try:
        http.get(f"{api_url.rstrip('/')}/getClient")  # no token: T-book answers 401, dated like any answer
    except httpx.HTTPError:
        pass  # unreachable: the token step says so
    return time.perf_counter() - began


def _probes(
    http: httpx.Client, creds: TBookCredentials, clock: Callable[[], float]
) -> tuple[ProbeAnswer | None, ProbeAnswer | None]:
    """Return T-book's answer to the probe signed with the LTI secret, and, when T-book refused that signature,
    to the probe signed with the client secret (does T-book take the client secret for LTI?)."""
    if not creds.lti_configured:
        return None, None
    first = probe(http, creds.lti_url, creds.lti_key, creds.lti_secret, timestamp=clock())
    if first.kind != "signature" or not creds.client_secret or creds.client_secret == creds.lti_secret:
        return first, None
    return first, probe(http, creds.lti_url, creds.lti_key, creds.client_secret, timestamp=clock())


def _token_step(call: _Call | None, facts: advice.Facts) -> Step:
    title = "Access token (POST /token)"
    if call is None:
        return Step("token", title, False, None, "The client id and client secret are not both set.", advice.UNSET)
    if call.error is not None:
        return Step("token", title, False, call.seconds, call.error.message, facts.token_fix())
    return Step("token", title, True, call.seconds, f"T-book issued a token valid {call.value.expires_in} s.")


def _client_step(call: _Call | None, facts: advice.Facts) -> Step:
    title = "Client account (GET /getClient)"
    if call is None:
        return Step("client", title, None, None, "Not run: it needs an access token.")
    if call.error is not None:
        return Step("client", title, False, call.seconds, call.error.message, advice.api_fix(call.error, facts.creds))
    detail = f"Connected to T-book ({facts.creds.env}) as {call.value.name}."
    return Step("client", title, True, call.seconds, detail)


def _entities_step(call: _Call | None, facts: advice.Facts) -> Step:
    title = "Entities (GET /getEntities)"
    if call is None:
        return Step("entities", title, None, None, "Not run: it needs an access token.")
    if call.error is not None:
        fix = advice.api_fix(call.error, facts.creds)
        return Step("entities", title, False, call.seconds, call.error.message, fix)
    if not call.value:
        return Step("entities", title, False, call.seconds, "The client account has no entity.", advice.NO_ENTITY)
    names = ", ".join(f"{e.name} ({e.entity_id})" for e in call.value[:5])
    more = f" and {len(call.value) - 5} more" if len(call.value) > 5 else ""
    return Step("entities", title, True, call.seconds, f"{len(call.value)} entities: {names}{more}.")


def _lti_step(answer: ProbeAnswer | None, facts: advice.Facts) -> Step:
    title = f"LTI launch URL (POST {facts.creds.lti_url})"
    if answer is None:
        return Step("lti", title, None, None, "Not checked: no LTI shared secret is set.", advice.LTI_UNSET)
    ok, detail, fix = facts.lti_outcome()
    return Step("lti", title, ok, answer.seconds, detail, fix)


def _clock_step(offsets: list[float], seconds: float | None) -> Step:
    title = "Clock (T-book's Date header)"
    if seconds is None:
        return Step("clock", title, None, None, "Not checked: no credentials to ask T-book with yet.")
    if not offsets:
        return Step("clock", title, None, None, "Not checked: T-book could not be reached, or sent no Date header.")
    # Date headers count whole seconds: the median of a few answers ignores one slow answer.
    skew = statistics.median(offsets)
    if abs(skew) <= CLOCK_SKEW_LIMIT:
        detail = f"The gateway's clock and T-book's are {abs(skew):.0f} s apart (at most {CLOCK_SKEW_LIMIT:.0f} s)."
        return Step("clock", title, True, seconds, detail)
    side = "behind" if skew > 0 else "ahead of"
    detail = f"The gateway's clock is {abs(skew):.0f} s {side} T-book's (over {CLOCK_SKEW_LIMIT:.0f} s)."
    return Step("clock", title, False, seconds, detail, advice.CLOCK)


def check(creds: TBookCredentials | None = None, *, actor: str, correlation_id: str | None = None) -> ConnectionReport:
    """Check `creds` (values about to be saved), else the credentials in force; audit the outcome (no secret)."""
    before_saving = creds is not None
    creds = creds or credentials.current()
    report = run(creds, timeout=min(CHECK_TIMEOUT, float(current_app.config.get("TBOOK_TIMEOUT", CHECK_TIMEOUT))))
    audit.record(
        "credentials_check",
        "ok" if report.ok else "error",
        actor=actor,
        correlation_id=correlation_id,
        detail={
            "env": report.env,
            "api_url": report.api_url,
            "lti_url": report.lti_url,
            "before_saving": before_saving,
            "steps": [{"step": s.name, "ok": s.ok, "detail": s.detail} for s in report.steps],
        },
    )
    return report
