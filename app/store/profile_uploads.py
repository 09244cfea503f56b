"""Uploaded CSVs of profiles, kept for a while: the file, its run's state and progress, and its report.

Writes are uncommitted, as every store's, but for `set_progress`, which runs on a connection of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from app.store import db
from app.store.models import ProfileUpload, utcnow

RUNNING = ("checking", "importing")
_TABLE = ProfileUpload.__table__


@dataclass(frozen=True)
class Upload:
    """One upload as pages and jobs read it (the file's bytes apart: `data` reads them)."""

    id: str
    actor: str
    filename: str
    lines: int
    state: str
    done: int
    report: dict[str, Any] | None
    updated_at: datetime
    expires_at: datetime


_VIEW = (
    ProfileUpload.id,
    ProfileUpload.actor,
    ProfileUpload.filename,
    ProfileUpload.lines,
    ProfileUpload.state,
    ProfileUpload.done,
    ProfileUpload.report,
    ProfileUpload.updated_at,
    ProfileUpload.expires_at,
)


def keep(
    upload_id: str, *, actor: str, filename: str, digest: str, data: bytes, lines: int, state: str, expires_at: datetime
) -> None:
    """Store a new upload, in `state` (checking or importing: its first run starts now), uncommitted."""
    now = utcnow()
    db.session.add(
        ProfileUpload(
            id=upload_id,
            actor=actor,
            filename=filename,
            digest=digest,
            data=data,
            lines=lines,
            state=state,
            done=0,
            created_at=now,
            updated_at=now,
            expires_at=expires_at,
        )
    )


def find(upload_id: str) -> Upload | None:
    """Return the upload, or None when there is none or it expired."""
    row = db.session.execute(
        select(*_VIEW).where(ProfileUpload.id == upload_id, ProfileUpload.expires_at > utcnow())
    ).first()
    return Upload(*row) if row else None


def running_twin(actor: str, digest: str, state: str) -> str | None:
    """Return the id of an upload of the same file by the same admin in `state` (checking or importing) now."""
    return db.session.scalar(
        select(ProfileUpload.id).where(
            ProfileUpload.actor == actor,
            ProfileUpload.digest == digest,
            ProfileUpload.state == state,
            ProfileUpload.expires_at > utcnow(),
        )
    )


def data(upload_id: str) -> bytes:
    return db.session.scalar(select(ProfileUpload.data).where(ProfileUpload.id == upload_id))


def claim(upload_id: str, *, before: tuple[str, ...], after: str) -> bool:
    """Move the upload from one of the states `before` to `after`, uncommitted; False when it was in none of them.

    One UPDATE: of two requests that confirm the same upload at once, exactly one moves it (the other's UPDATE
    waits for the first to commit, then finds the state changed).
    """
    moved = db.session.execute(
        update(ProfileUpload)
        .where(ProfileUpload.id == upload_id, ProfileUpload.state.in_(before), ProfileUpload.expires_at > utcnow())
        .values(state=after, done=0, updated_at=utcnow())
    ).rowcount
    return moved == 1


def set_progress(upload_id: str, done: int) -> None:
    """Record how many lines the run has read, on a connection of its own: the run's own transaction (the import,
    committed at its end) must not carry it, or nobody would see it move."""
    with db.engine.begin() as connection:
        connection.execute(update(_TABLE).where(_TABLE.c.id == upload_id).values(done=done, updated_at=utcnow()))


def finish(upload_id: str, state: str, report: dict[str, Any]) -> None:
    """Record the run's end and its report, uncommitted."""
    db.session.execute(
        update(ProfileUpload)
        .where(ProfileUpload.id == upload_id)
        .values(state=state, report=report, done=ProfileUpload.lines, updated_at=utcnow())
    )


def purge_expired() -> int:
    """Delete the uploads kept past their time, uncommitted; return how many went."""
    return db.session.execute(delete(ProfileUpload).where(ProfileUpload.expires_at <= utcnow())).rowcount
