"""Injected faults: rate limits, server errors, latency, dropped connections, refused launches."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass


@dataclass
class Fault:
    """One fault, affecting the next ``count`` requests whose path starts with ``path``."""

    path: str = "/api"
    status: int | None = None
    count: int = 1
    latency: float = 0.0
    retry_after: int | None = None
    drop: bool = False
    # Carry the request out, then close the connection without answering: T-book did it, the caller cannot know.
    drop_after: bool = False
    lti_error: str | None = None

    @classmethod
    def from_json(cls, data: object) -> Fault:
        """Return a checked fault from a ``POST /_sandbox/faults`` body; raise ValueError if invalid."""
        if not isinstance(data, dict):
            raise ValueError("the fault must be a JSON object")
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(sorted(unknown))}")
        fault = cls(**data)
        checks = [
            (isinstance(fault.path, str) and fault.path.startswith("/"), "path must start with /"),
            (
                fault.status is None or (type(fault.status) is int and 400 <= fault.status <= 599),
                "status must be an HTTP error status (400-599)",
            ),
            (type(fault.count) is int and fault.count >= 1, "count must be a positive integer"),
            (
                isinstance(fault.latency, int | float) and 0 <= fault.latency <= 30,
                "latency must be between 0 and 30 seconds",
            ),
            (
                fault.retry_after is None or (type(fault.retry_after) is int and fault.retry_after >= 0),
                "retry_after must be a non-negative integer",
            ),
            (isinstance(fault.drop, bool), "drop must be true or false"),
            (isinstance(fault.drop_after, bool), "drop_after must be true or false"),
            (
                fault.lti_error is None or (isinstance(fault.lti_error, str) and fault.lti_error),
                "lti_error must be a non-empty message",
            ),
            (
                bool(fault.status or fault.latency or fault.drop or fault.drop_after or fault.lti_error),
                "a fault needs status, latency, drop, drop_after or lti_error",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        return fault

    def matches(self, path: str) -> bool:
        """Return whether the fault applies to a request path (exact match or prefix)."""
        return path.startswith(self.path)


class FaultRegistry:
    """Thread-safe pending faults; each use consumes one of a fault's ``count``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        """Queue a fault behind those already pending."""
        with self._lock:
            self._faults.append(fault)

    def pending(self) -> list[dict]:
        """Return the pending faults as JSON-able dicts."""
        with self._lock:
            return [asdict(f) for f in self._faults]

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._faults.clear()

    def take(self, path: str, *, lti: bool = False) -> Fault | None:
        """Consume and return the first fault for ``path``: launch refusals when ``lti``, else HTTP faults."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(path) and bool(fault.lti_error) == lti:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return fault
        return None
