"""Profiles in the database: reads as `ProfileView`s, the admin search, and writes (uncommitted)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, insert, or_, select, update

from app.store.database import db
from app.store.models import Profile
from app.store.views import PROFILE_FIELDS, ProfileView, profile_view

_PROFILES = Profile.__table__
_COLUMNS = tuple(_PROFILES.c[name] for name in PROFILE_FIELDS)


def _views(query: Select) -> list[ProfileView]:
    return [profile_view(row) for row in db.session.execute(query)]


def by_login(login: str) -> ProfileView | None:
    """Return the profile whose login is `login` (compared as given: logins are stored lower-case), or None."""
    row = db.session.execute(select(*_COLUMNS).where(_PROFILES.c.login == login)).first()
    return profile_view(row) if row is not None else None


def get(profile_id: int) -> ProfileView | None:
    row = db.session.execute(select(*_COLUMNS).where(_PROFILES.c.id == profile_id)).first()
    return profile_view(row) if row is not None else None


def _matching(query: Select, text: str) -> Select:
    text = text.strip()
    if not text:
        return query
    like = f"%{text.lower()}%"
    return query.where(
        or_(
            _PROFILES.c.login.like(like),
            func.lower(_PROFILES.c.lastname).like(like),
            func.lower(_PROFILES.c.firstname).like(like),
            _PROFILES.c.external_id == text,
        )
    )


def count_matching(text: str) -> int:
    """How many profiles have `text` in their login or name (any case), or as their external id."""
    return db.session.scalar(_matching(select(func.count()).select_from(_PROFILES), text)) or 0


def matching(text: str, *, offset: int, limit: int) -> list[ProfileView]:
    """The profiles `count_matching` counts, by login, from `offset`."""
    return _views(_matching(select(*_COLUMNS), text).order_by(_PROFILES.c.login).offset(offset).limit(limit))


def matching_after(text: str, login: str, *, limit: int) -> list[ProfileView]:
    """The next `limit` profiles `count_matching` counts whose login sorts after `login` (an export's batches)."""
    query = _matching(select(*_COLUMNS), text).where(_PROFILES.c.login > login)
    return _views(query.order_by(_PROFILES.c.login).limit(limit))


def all_by_login() -> dict[str, ProfileView]:
    """Every profile, by login (the CSV import compares against them)."""
    return {view.login: view for view in _views(select(*_COLUMNS))}


def learners() -> list[ProfileView]:
    """The learners' profiles (not the teachers'), by login."""
    return _views(select(*_COLUMNS).where(_PROFILES.c.user_type == "learner").order_by(_PROFILES.c.login))


def teacher_count(entity_id: str | None = None) -> int:
    """How many teachers' profiles there are (of one entity when given)."""
    query = select(func.count()).select_from(_PROFILES).where(_PROFILES.c.user_type == "teacher")
    if entity_id is not None:
        query = query.where(_PROFILES.c.entity_id == str(entity_id))
    return db.session.scalar(query)


def create_many(rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert profiles given by column values, uncommitted (one batched statement for the lot)."""
    rows = [_stored(row) for row in rows]
    if rows:
        db.session.execute(insert(_PROFILES), rows)


def create(values: Mapping[str, Any]) -> ProfileView:
    """Insert one profile given by column values, uncommitted; return it as stored. Raises IntegrityError."""
    return profile_view(db.session.execute(insert(_PROFILES).values(_stored(values)).returning(*_COLUMNS)).one())


def remove(profile_id: int) -> ProfileView | None:
    """Delete the profile `profile_id`, uncommitted; return it as it was, or None when there is none."""
    row = db.session.execute(delete(_PROFILES).where(_PROFILES.c.id == profile_id).returning(*_COLUMNS)).first()
    return profile_view(row) if row is not None else None


def change(profile_id: int, changes: Mapping[str, Any]) -> ProfileView | None:
    """Set these columns of the profile `profile_id`, uncommitted; return the new view, or None when there is none."""
    query = update(_PROFILES).where(_PROFILES.c.id == profile_id).values(_stored(changes)).returning(*_COLUMNS)
    row = db.session.execute(query).first()
    return profile_view(row) if row is not None else None


def change_many(changes: Mapping[int, Mapping[str, Any]]) -> None:
    """Set columns of several profiles (profile id -> column values), uncommitted, one batch per set of columns."""
    batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for profile_id, values in changes.items():
        batches.setdefault(tuple(sorted(values)), []).append({"_id": profile_id, **_stored(values)})
    for rows in batches.values():
        # Executed with many parameter sets, the UPDATE sets the columns the rows name (all the same per batch).
        db.session.execute(update(_PROFILES).where(_PROFILES.c.id == bindparam("_id")), rows)


def _stored(values: Mapping[str, Any]) -> dict[str, Any]:
    # The list columns are JSON arrays; a view holds them as tuples.
    return {name: list(value) if isinstance(value, tuple) else value for name, value in values.items()}
