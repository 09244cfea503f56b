"""Sync runs in the database: the lock that lets one run at a time (across instances), progress and results."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.store.database import db
from app.store.models import SyncLock, SyncRun, utcnow

LOCK = "sync"
RUNNING = "running"
MAX_FAILURES_KEPT = 1000  # a run over a broken file may fail every learner: the page shows the first ones

_RUNS, _LOCK = SyncRun.__table__, SyncLock.__table__


@dataclass(frozen=True)
class RunView:
    """A sync run as stored; `live` when it is running and its lease still holds (its process is alive)."""

    id: str
    actor: str
    entity_id: str | None
    state: str
    total: int
    done: int
    summary: Mapping[str, Any]
    failures: Sequence[Mapping[str, str]]
    message: str | None
    started_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    live: bool = False


# Every statement below runs on its own short transaction, outside the caller's session: taking the lock or saving
# progress never commits, nor rolls back, what the caller holds (its audit events, say).


def start(run_id: str, *, actor: str, entity_id: str | None, lease_seconds: float) -> RunView | None:
    """Take the lock for a new run and store the run; return it, or None while another run holds the lock.

    A run still marked running whose lease lapsed (its process died) is marked interrupted on the way.
    """
    now = utcnow()
    with db.engine.begin() as conn:
        _ensure_lock_row(conn)
        taken = conn.execute(
            update(_LOCK)
            .where(_LOCK.c.name == LOCK, or_(_LOCK.c.run_id.is_(None), _LOCK.c.lease_until < now))
            .values(run_id=run_id, lease_until=now + timedelta(seconds=lease_seconds))
        )
        if taken.rowcount != 1:
            return None
        conn.execute(
            update(_RUNS)
            .where(_RUNS.c.state == RUNNING)
            .values(
                state="interrupted", finished_at=now, message="The run stopped without finishing (its process ended)."
            )
        )
        conn.execute(
            insert(_RUNS).values(
                id=run_id,
                actor=actor,
                entity_id=entity_id,
                state=RUNNING,
                total=0,
                done=0,
                summary={},
                failures=[],
                started_at=now,
                updated_at=now,
            )
        )
    return get(run_id)


def _ensure_lock_row(conn) -> None:
    if conn.execute(select(_LOCK.c.name).where(_LOCK.c.name == LOCK)).first() is None:
        try:
            with conn.begin_nested():
                conn.execute(insert(_LOCK).values(name=LOCK))
        except IntegrityError:
            pass  # another instance created it first


def progress(run_id: str, *, done: int, total: int, summary: Mapping[str, Any], lease_seconds: float) -> bool:
    """Save how far the run got and renew its lease; return False when the lease was lost (to another run)."""
    now = utcnow()
    with db.engine.begin() as conn:
        renewed = conn.execute(
            update(_LOCK)
            .where(_LOCK.c.name == LOCK, _LOCK.c.run_id == run_id)
            .values(lease_until=now + timedelta(seconds=lease_seconds))
        )
        conn.execute(
            update(_RUNS)
            .where(_RUNS.c.id == run_id)
            .values(done=done, total=total, summary=dict(summary), updated_at=now)
        )
    return renewed.rowcount == 1


def finish(
    run_id: str,
    *,
    state: str,
    done: int,
    total: int,
    summary: Mapping[str, Any],
    failures: Sequence[Mapping[str, str]],
    message: str | None,
) -> None:
    """Store the run's outcome and let go of the lock (if it still holds it)."""
    now = utcnow()
    with db.engine.begin() as conn:
        conn.execute(
            update(_RUNS)
            .where(_RUNS.c.id == run_id)
            .values(
                state=state,
                done=done,
                total=total,
                summary=dict(summary),
                failures=[dict(f) for f in failures[:MAX_FAILURES_KEPT]],
                message=message,
                updated_at=now,
                finished_at=now,
            )
        )
        conn.execute(
            update(_LOCK).where(_LOCK.c.name == LOCK, _LOCK.c.run_id == run_id).values(run_id=None, lease_until=None)
        )


def get(run_id: str) -> RunView | None:
    """Return the run `run_id`, or None."""
    runs = _views(select(_RUNS).where(_RUNS.c.id == run_id))
    return runs[0] if runs else None


def recent(limit: int = 10) -> list[RunView]:
    """Return the latest runs, newest first."""
    return _views(select(_RUNS).order_by(_RUNS.c.started_at.desc()).limit(limit))


def _views(query) -> list[RunView]:
    with db.engine.connect() as conn:
        rows = conn.execute(query).all()
        lock = conn.execute(select(_LOCK).where(_LOCK.c.name == LOCK)).first()
    now = utcnow()
    holder = lock.run_id if lock is not None and lock.lease_until and _aware(lock.lease_until) > now else None
    return [
        RunView(
            id=row.id,
            actor=row.actor,
            entity_id=row.entity_id,
            state=row.state,
            total=row.total,
            done=row.done,
            summary=row.summary or {},
            failures=row.failures or [],
            message=row.message,
            started_at=_aware(row.started_at),
            updated_at=_aware(row.updated_at),
            finished_at=_aware(row.finished_at) if row.finished_at else None,
            live=row.state == RUNNING and row.id == holder,
        )
        for row in rows
    ]


def _aware(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
