"""Prometheus metrics: launches, T-book calls, token refreshes, fallbacks, audit write failures."""

from __future__ import annotations

import logging
import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

log = logging.getLogger("tbook_gateway.metrics")

# Under gunicorn each worker counts on its own; with PROMETHEUS_MULTIPROC_DIR set (config/gunicorn.conf.py does
# it) prometheus_client keeps the values in files there and /metrics adds them up across workers.
LAUNCHES = Counter(
    "gateway_launches_total", "Launch clicks by mode and outcome (from the audit trail).", ["mode", "outcome"]
)
FALLBACKS = Counter("gateway_fallbacks_total", "Fallbacks from LTI to /authToken, by outcome.", ["outcome"])
AUDIT_EVENTS = Counter(
    "gateway_audit_events_total", "Audit events written, by action and outcome.", ["action", "outcome"]
)
AUDIT_WRITE_FAILURES = Counter(
    "gateway_audit_write_failures_total", "Audit events that could not be written to the database.", ["action"]
)
TBOOK_CALLS = Counter(
    "gateway_tbook_calls_total", "T-book API calls by endpoint and HTTP status.", ["endpoint", "status"]
)
TBOOK_LATENCY = Histogram(
    "gateway_tbook_call_duration_seconds",
    "T-book API call latency by endpoint (each attempt, failures included).",
    ["endpoint"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
TBOOK_RETRIES = Counter("gateway_tbook_retries_total", "T-book API calls retried, by endpoint.", ["endpoint"])
TOKEN_REFRESHES = Counter(
    "gateway_tbook_token_refreshes_total", "Access tokens obtained from T-book, by reason.", ["reason"]
)

LAUNCH_ACTIONS = frozenset({"launch"})


def count_audit_event(action: str, outcome: str, mode: str | None) -> None:
    """Count one audit event that was written; launches and fallbacks also by their own metric."""
    AUDIT_EVENTS.labels(action, outcome).inc()
    if action in LAUNCH_ACTIONS:
        LAUNCHES.labels(mode or "none", outcome).inc()
    elif "fallback" in action:
        FALLBACKS.labels(outcome).inc()


def count_audit_failure(action: str) -> None:
    """Count one audit event that the database refused."""
    AUDIT_WRITE_FAILURES.labels(action).inc()


def on_tbook_event(name: str, **fields: object) -> None:
    """The T-book client's ``on_event`` sink: api_call, retry and token_refresh become metrics.

    Never raises: a metrics fault must not fail a launch.
    """
    try:
        endpoint = str(fields.get("endpoint") or "unknown")
        if name == "api_call":
            status = fields.get("status")
            TBOOK_CALLS.labels(endpoint, str(status) if status is not None else "no_answer").inc()
            TBOOK_LATENCY.labels(endpoint).observe(float(fields.get("duration") or 0.0))
        elif name == "retry":
            TBOOK_RETRIES.labels(endpoint).inc()
        elif name == "token_refresh":
            TOKEN_REFRESHES.labels(str(fields.get("reason") or "unknown")).inc()
    except Exception:  # noqa: BLE001  (the sink's contract: never raise into the client)
        log.exception("could not record the T-book event %s", name)


def exposition() -> tuple[bytes, str]:
    """Return the metrics in Prometheus text format, summed across workers, and their content type."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
