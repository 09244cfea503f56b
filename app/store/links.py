"""Launch links in the database: reads as `LinkView`s, and writes that return the new view (uncommitted)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select, update

from app.store.database import db
from app.store.models import LaunchLink
from app.store.views import LINK_FIELDS, LinkView, link_view

_LINKS = LaunchLink.__table__
_COLUMNS = tuple(_LINKS.c[name] for name in LINK_FIELDS)


def find(slug: str) -> LinkView | None:
    """Return the link named `slug`, enabled or not, or None."""
    row = db.session.execute(select(*_COLUMNS).where(_LINKS.c.slug == slug)).first()
    return link_view(row) if row is not None else None


def exists(slug: str) -> bool:
    return db.session.execute(select(_LINKS.c.id).where(_LINKS.c.slug == slug)).first() is not None


def all_by_slug() -> list[LinkView]:
    """Every link, enabled or not, by slug (the admin list, the CLI)."""
    return [link_view(row) for row in db.session.execute(select(*_COLUMNS).order_by(_LINKS.c.slug))]


def enabled_by_title() -> list[LinkView]:
    """The enabled links by title (a learner's home page)."""
    query = select(*_COLUMNS).where(_LINKS.c.enabled).order_by(_LINKS.c.title)
    return [link_view(row) for row in db.session.execute(query)]


def create(**values: Any) -> LinkView:
    """Insert a link with these column values, uncommitted; return it as stored. Raises IntegrityError."""
    return link_view(db.session.execute(insert(_LINKS).values(**values).returning(*_COLUMNS)).one())


def change(slug: str, **changes: Any) -> LinkView | None:
    """Set these columns of the link named `slug`, uncommitted; return the new view, or None when there is none."""
    query = update(_LINKS).where(_LINKS.c.slug == slug).values(**changes).returning(*_COLUMNS)
    row = db.session.execute(query).first()
    return link_view(row) if row is not None else None


def remove(slug: str) -> LinkView | None:
    """Delete the link named `slug`, uncommitted; return it as it was, or None when there is none."""
    row = db.session.execute(delete(_LINKS).where(_LINKS.c.slug == slug).returning(*_COLUMNS)).first()
    return link_view(row) if row is not None else None
