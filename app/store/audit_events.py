"""The audit log's events for the admin pages and the CLI: filtered counts, pages, export batches, retention."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy import Select, delete, func, or_, select, update

from app.store.audit_log import Event, event_of
from app.store.database import db
from app.store.models import AuditChainHead, AuditEvent

_EVENTS, _HEAD = AuditEvent.__table__, AuditChainHead.__table__


class EventFilter(Protocol):
    """What narrows the events read; empty fields do not filter (the audit service's `AuditFilter` is one)."""

    actor: str
    link: str
    profile: str  # a login: its own events, and those whose detail names it (an admin's change to it)
    action: str
    outcome: str
    correlation_id: str
    since: datetime | None
    until: datetime | None


def _contains(column, text: str):
    # Logins are stored lower-case; links and correlation ids are typed as seen. `autoescape`: a % or _ typed
    # by the admin is looked for as such, not as a wildcard.
    return func.lower(column).contains(text.strip().lower(), autoescape=True)


def _filtered(query: Select, flt: EventFilter) -> Select:
    """The events whose actor, link and correlation id contain the filter's (any part), and the rest equal."""
    if flt.actor:
        query = query.where(_contains(_EVENTS.c.actor, flt.actor))
    if flt.link:
        query = query.where(_contains(_EVENTS.c.link_slug, flt.link))
    if flt.profile:
        login = flt.profile.strip().lower()
        query = query.where(or_(_EVENTS.c.actor == login, _EVENTS.c.detail["login"].as_string() == login))
    if flt.action:
        query = query.where(_EVENTS.c.action == flt.action)
    if flt.outcome:
        query = query.where(_EVENTS.c.outcome == flt.outcome)
    if flt.correlation_id:
        query = query.where(_contains(_EVENTS.c.correlation_id, flt.correlation_id))
    if flt.since:
        query = query.where(_EVENTS.c.created_at >= flt.since)
    if flt.until:
        query = query.where(_EVENTS.c.created_at < flt.until)
    return query


def count(flt: EventFilter) -> int:
    return db.session.scalar(_filtered(select(func.count(_EVENTS.c.id)), flt)) or 0


def newest_first(flt: EventFilter, *, offset: int, limit: int) -> list[Event]:
    """The matching events, newest first, from `offset`."""
    query = _filtered(select(_EVENTS), flt).order_by(_EVENTS.c.id.desc()).offset(offset).limit(limit)
    return [event_of(row) for row in db.session.execute(query)]


def newest_first_before(flt: EventFilter, below_id: int | None, *, limit: int) -> list[Event]:
    """The next `limit` matching events older than the event `below_id` (from the newest when None), newest first:
    an export, a batch at a time, in the order of the admin pages."""
    query = _filtered(select(_EVENTS), flt)
    if below_id is not None:
        query = query.where(_EVENTS.c.id < below_id)
    return [event_of(row) for row in db.session.execute(query.order_by(_EVENTS.c.id.desc()).limit(limit))]


def distinct_values(column: str) -> list[str]:
    """The values of the event column `column` present in the log, sorted (a filter's drop-down)."""
    return list(db.session.scalars(select(_EVENTS.c[column]).distinct().order_by(_EVENTS.c[column])))


def purge_before(before: datetime, *, dry_run: bool = False) -> int:
    """Delete the events older than `before`, uncommitted; return how many went (or, with `dry_run`, would go).

    Each chain loses a prefix (its events up to the newest one older than `before`), and its head counts
    them as purged, so that verifying the chains still tells a purge from a removal.
    """
    cutoffs = db.session.execute(
        select(_EVENTS.c.chain_id, func.max(_EVENTS.c.id))
        .where(_EVENTS.c.created_at < before)
        .group_by(_EVENTS.c.chain_id)
    ).all()
    prefixes = [(_EVENTS.c.chain_id == chain_id) & (_EVENTS.c.id <= last_id) for chain_id, last_id in cutoffs]
    if dry_run:
        return sum(db.session.scalar(select(func.count(_EVENTS.c.id)).where(prefix)) or 0 for prefix in prefixes)
    deleted_in_all = 0
    for (chain_id, _), prefix in zip(cutoffs, prefixes, strict=True):
        deleted = db.session.execute(delete(_EVENTS).where(prefix)).rowcount
        db.session.execute(update(_HEAD).where(_HEAD.c.id == chain_id).values(purged=_HEAD.c.purged + deleted))
        deleted_in_all += deleted
    return deleted_in_all
