"""Launch links: create, list, enable and disable."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import LaunchLink
from app.services import audit

MODES = ("lti", "authtoken", "auto")
CONNECTION_TYPES = ("login", "id")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class LinkError(ValueError):
    """A link cannot be saved as asked; the message says why."""


def create(
    slug: str,
    title: str,
    *,
    mode: str = "lti",
    debug: bool = False,
    connection_type: str = "login",
    new_window: bool = False,
    actor: str | None = None,
) -> LaunchLink:
    """Create and commit a link; raises LinkError on a bad slug, mode, connection type or a taken slug."""
    if not SLUG.match(slug):
        raise LinkError("the slug takes lower-case letters, digits and dashes (at most 64), e.g. open-tbook")
    if mode not in MODES:
        raise LinkError(f"the mode must be one of {', '.join(MODES)}")
    if connection_type not in CONNECTION_TYPES:
        raise LinkError("the connection type must be login or id")
    if not title.strip():
        raise LinkError("the title is empty")
    if db.session.execute(select(LaunchLink.id).where(LaunchLink.slug == slug)).first():
        raise LinkError(f"a link called {slug} exists already")
    link = LaunchLink(
        slug=slug,
        title=title.strip(),
        mode=mode,
        debug=debug,
        connection_type=connection_type,
        new_window=new_window,
        enabled=True,
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        "link_create", "ok", actor=actor, link_slug=slug, mode=mode, detail={"after": describe(link)}, commit=False
    )
    db.session.commit()
    return link


def describe(link: LaunchLink) -> dict:
    return {
        "slug": link.slug,
        "title": link.title,
        "mode": link.mode,
        "debug": link.debug,
        "connection_type": link.connection_type,
        "new_window": link.new_window,
        "enabled": link.enabled,
    }


def all_links() -> list[LaunchLink]:
    return list(db.session.scalars(select(LaunchLink).order_by(LaunchLink.slug)))


def set_enabled(slug: str, enabled: bool, *, actor: str | None = None) -> LaunchLink:
    """Enable or disable a link and commit; raises LinkError when there is no such link."""
    link = db.session.execute(select(LaunchLink).where(LaunchLink.slug == slug)).scalar_one_or_none()
    if link is None:
        raise LinkError(f"there is no link called {slug}")
    before = describe(link)
    link.enabled = enabled
    audit.record(
        "link_enable" if enabled else "link_disable",
        "ok",
        actor=actor,
        link_slug=slug,
        mode=link.mode,
        detail={"before": before, "after": describe(link)},
        commit=False,
    )
    db.session.commit()
    return link
