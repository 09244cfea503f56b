"""Reading the audit log: filters, pages, a streamed CSV export, and retention (purge)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Select, delete, func, select, update

from app.services.audit import trail as audit
from app.store import db
from app.store.models import AuditChainHead, AuditEvent

PAGE_SIZE = 50
CSV_COLUMNS = (
    "id",
    "created_at",
    "actor",
    "action",
    "link_slug",
    "mode",
    "outcome",
    "tbook_status",
    "correlation_id",
    "detail",
    "hash",
)
# A spreadsheet runs a cell that starts with one of these as a formula; a sign-in form lets anyone choose
# the login that lands in `actor`.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class AuditFilter:
    """What the admin asked for; empty fields do not filter."""

    actor: str = ""
    link: str = ""
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
    events: list[AuditEvent]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _filtered(query: Select, flt: AuditFilter) -> Select:
    if flt.actor:
        query = query.where(AuditEvent.actor == flt.actor.strip().lower())
    if flt.link:
        query = query.where(AuditEvent.link_slug == flt.link.strip())
    if flt.action:
        query = query.where(AuditEvent.action == flt.action)
    if flt.outcome:
        query = query.where(AuditEvent.outcome == flt.outcome)
    if flt.correlation_id:
        query = query.where(AuditEvent.correlation_id == flt.correlation_id.strip())
    if flt.since:
        query = query.where(AuditEvent.created_at >= flt.since)
    if flt.until:
        query = query.where(AuditEvent.created_at < flt.until)
    return query


def page(flt: AuditFilter, number: int = 1) -> Page:
    """Return page `number` (1-based, newest first) of the events matching `flt`."""
    total = db.session.scalar(_filtered(select(func.count(AuditEvent.id)), flt)) or 0
    number = max(1, min(number, max(1, -(-total // PAGE_SIZE))))
    events = db.session.scalars(
        _filtered(select(AuditEvent), flt)
        .order_by(AuditEvent.id.desc())
        .offset((number - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return Page(list(events), number, total)


def choices() -> dict[str, list[str]]:
    """Return the actions and outcomes present in the log, for the filter's drop-downs."""
    return {
        "action": list(db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))),
        "outcome": list(db.session.scalars(select(AuditEvent.outcome).distinct().order_by(AuditEvent.outcome))),
    }


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def export_csv(flt: AuditFilter, batch: int = 1000) -> Iterator[str]:
    """Yield the matching events as CSV, oldest first, a batch at a time (the log may be large).

    The stored detail is already redacted by audit.record; nothing else is added.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    last_id = 0
    while True:
        rows = db.session.scalars(
            _filtered(select(AuditEvent), flt).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).all()
        for event in rows:
            writer.writerow(
                [
                    _cell(event.created_at.isoformat() if f == "created_at" else getattr(event, f))
                    if f != "detail"
                    else _cell(json.dumps(event.detail, ensure_ascii=False, sort_keys=True))
                    for f in CSV_COLUMNS
                ]
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < batch:
            return
        last_id = rows[-1].id
        db.session.expunge_all()  # keep memory flat however long the log is


def purge(before: datetime, *, actor: str, dry_run: bool = False) -> int:
    """Delete the events older than `before`, then audit the purge; return how many went (or would go).

    Each chain loses a prefix (its events up to the newest one older than `before`), and its head counts
    them as purged, so that `audit verify` still tells a purge from a removal.
    """
    cutoffs = db.session.execute(
        select(AuditEvent.chain_id, func.max(AuditEvent.id))
        .where(AuditEvent.created_at < before)
        .group_by(AuditEvent.chain_id)
    ).all()
    prefixes = [(AuditEvent.chain_id == chain_id) & (AuditEvent.id <= last_id) for chain_id, last_id in cutoffs]
    if dry_run:
        return sum(db.session.scalar(select(func.count(AuditEvent.id)).where(prefix)) or 0 for prefix in prefixes)
    count = 0
    for (chain_id, _), prefix in zip(cutoffs, prefixes, strict=True):
        deleted = db.session.execute(delete(AuditEvent).where(prefix)).rowcount
        db.session.execute(
            update(AuditChainHead).where(AuditChainHead.id == chain_id).values(purged=AuditChainHead.purged + deleted)
        )
        count += deleted
    audit.record(
        "audit_purge", "ok", actor=actor, detail={"before": before.isoformat(), "deleted": count}, commit=False
    )
    db.session.commit()
    return count
