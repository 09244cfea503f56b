"""Reading the audit log: filters, pages, a streamed CSV export, and retention (purge)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import UTC, datetime

from app import store
from app.services.audit import trail as audit
from app.services.audit.names import action_name
from app.store import audit_events
from app.store.audit_log import Event

PAGE_SIZE = 50
CSV_COLUMNS = (
    "id",
    "created_at",
    "actor",
    "action",
    "what",
    "link_slug",
    "mode",
    "outcome",
    "tbook_status",
    "correlation_id",
    "detail",
    "hash",
)
# A spreadsheet runs a cell that starts with one of these as a formula; a sign-in form lets anyone choose
# the login that lands in `actor`. A cell starts wherever the spreadsheet splits: at the start of a value, and
# after a `;` or a tab inside one (French spreadsheets open CSV with `;`), or a line break (when the quoting
# no longer lines up with the separator). Spaces and quotes in between do not make it inert.
_FORMULA = re.compile(r"""(^|[;\t\r\n])([ "']*[=+\-@])""")
_BLANK_START = ("\t", "\r")  # trimmed by some spreadsheets, which then read what follows as the cell's start


@dataclass(frozen=True)
class AuditFilter:
    """What the admin asked for; empty fields do not filter. User, link and correlation id match any part."""

    actor: str = ""
    link: str = ""
    profile: str = ""  # a login: its own events, and the admins' changes to its profile
    action: str = ""
    outcome: str = ""
    correlation_id: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def query_args(self) -> dict[str, str]:
        """Return the filter as query-string arguments (for pagination and export links)."""
        args = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value:
                args[f.name] = value.strftime("%Y-%m-%dT%H:%M") if isinstance(value, datetime) else value
        return args


@dataclass(frozen=True)
class Page:
    events: list[Event]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def page(flt: AuditFilter, number: int = 1) -> Page:
    """Return page `number` (1-based, newest first) of the events matching `flt`."""
    total = audit_events.count(flt)
    number = max(1, min(number, max(1, -(-total // PAGE_SIZE))))
    events = audit_events.newest_first(flt, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return Page(events, number, total)


def choices() -> dict[str, list[str]]:
    """Return the actions and outcomes present in the log, for the filter's drop-downs."""
    return {
        "action": audit_events.distinct_values("action"),
        "outcome": audit_events.distinct_values("outcome"),
    }


def _cell(value: object) -> object:
    """Return `value` with a `'` before every place a spreadsheet could start a formula in it."""
    if isinstance(value, str):
        value = _FORMULA.sub(r"\1'\2", value)
        return "'" + value if value.startswith(_BLANK_START) else value
    return value


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back naive (they were written in UTC); PostgreSQL aware, in the session's zone.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _row(event: Event) -> list:
    values = {
        **{name: getattr(event, name) for name in CSV_COLUMNS if hasattr(event, name)},
        "created_at": _aware(event.created_at).isoformat(),  # ISO 8601 with its offset: +00:00
        "what": action_name(event.action),
        "detail": json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
    }
    return [_cell(values[name]) for name in CSV_COLUMNS]


def export_csv(flt: AuditFilter, batch: int = 1000) -> Iterator[str]:
    """Yield the matching events as CSV, newest first as on the screen, a batch at a time (the log may be large).

    Times are ISO 8601 in UTC with their offset. The stored detail is already redacted by audit.record; nothing
    else is added.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    below = None
    while True:
        rows = audit_events.newest_first_before(flt, below, limit=batch)
        for event in rows:
            writer.writerow(_row(event))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < batch:
            return
        below = rows[-1].id  # each batch is read apart and dropped: memory stays flat however long the log is


def purge(before: datetime, *, actor: str, dry_run: bool = False) -> int:
    """Delete the events older than `before`, then audit the purge; return how many went (or would go).

    Each chain loses a prefix (its events up to the newest one older than `before`), and its head counts
    them as purged, so that `audit verify` still tells a purge from a removal.
    """
    count = audit_events.purge_before(before, dry_run=dry_run)
    if dry_run:
        return count
    audit.record(
        "audit_purge", "ok", actor=actor, detail={"before": before.isoformat(), "deleted": count}, commit=False
    )
    store.commit()
    return count
