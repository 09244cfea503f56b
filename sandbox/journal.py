"""The log of API requests the sandbox received, for tests to assert on."""

from __future__ import annotations

import threading
import time
from collections import Counter

#: Form fields whose values are never logged (secrets, or profile data that may carry a password).
SECRET_FIELDS = {"client_secret", "password", "oauth_signature", "custom_data"}
_MAX_ENTRIES = 1000


class RequestJournal:
    """Thread-safe list of ``{"method", "path", "content_type", "fields", "status", "at"}`` entries, oldest first.

    ``at`` is when the request arrived (``time.time()``), so that tests can tell when callers paused.

    Only the newest entries are kept; ``counts`` keeps how many requests each path received since the
    last reset, so that a long benchmark can still say how many tokens were asked for.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict] = []
        self._counts: Counter[str] = Counter()

    def record(self, method: str, path: str, form: dict[str, str], content_type: str = "") -> dict:
        """Append an entry (status None until answered) and return it for :meth:`answered`.

        ``content_type`` is the request body's media type (``multipart/form-data``, ...), without parameters.
        """
        fields = {name: "***" if name in SECRET_FIELDS else value for name, value in form.items()}
        entry = {
            "method": method,
            "path": path,
            "content_type": content_type,
            "fields": fields,
            "status": None,
            "at": time.time(),
        }
        with self._lock:
            self._entries.append(entry)
            del self._entries[:-_MAX_ENTRIES]
            self._counts[path] += 1
        return entry

    def answered(self, entry: dict, status: int) -> None:
        """Record the status the sandbox answered with."""
        with self._lock:
            entry["status"] = status

    def entries(self) -> list[dict]:
        """Return copies of the entries, newest last (a dropped request keeps status None)."""
        with self._lock:
            return [dict(e, fields=dict(e["fields"])) for e in self._entries]

    def counts(self) -> dict[str, int]:
        """Return the number of requests each path received since the last reset."""
        with self._lock:
            return dict(self._counts)

    def clear(self) -> None:
        """Forget every entry and count."""
        with self._lock:
            self._entries.clear()
            self._counts.clear()
