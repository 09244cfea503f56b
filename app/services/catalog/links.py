"""Launch links: create, list, enable and disable."""

from __future__ import annotations

import re
from dataclasses import replace

from app import store
from app.errors import Conflict, FieldProblem, Invalid, LinkNotFound
from app.services.audit import trail as audit
from app.store import links as stored_links
from app.store.views import LinkView

MODES = ("lti", "authtoken", "auto")
CONNECTION_TYPES = ("login", "id")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class LinkError(Invalid):
    """A link cannot be saved as asked; `field` is the setting at fault, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, problems=[FieldProblem(field, message)])


class LinkExists(Conflict):
    """The slug is taken by another link."""


DESCRIPTION_MAX = 1000


def _check_settings(title: str, mode: str, connection_type: str, description: str = "") -> None:
    """Raise LinkError naming the first wrong setting of a link."""
    if mode not in MODES:
        raise LinkError("mode", f"the mode must be one of {', '.join(MODES)}")
    if connection_type not in CONNECTION_TYPES:
        raise LinkError("connection_type", "the connection type must be login or id")
    if not title.strip():
        raise LinkError("title", "the title is empty")
    if len(title.strip()) > 200:
        raise LinkError("title", "the title is longer than 200 characters")
    if len(description.strip()) > DESCRIPTION_MAX:
        raise LinkError("description", f"the description is longer than {DESCRIPTION_MAX} characters")


def create(
    slug: str,
    title: str,
    *,
    mode: str = "lti",
    debug: bool = False,
    connection_type: str = "login",
    new_window: bool = False,
    description: str = "",
    send_lis_person: bool = True,
    actor: str | None = None,
) -> LinkView:
    """Create and commit a link; raises LinkError on a bad slug, mode or connection type, LinkExists when taken."""
    if not SLUG.match(slug):
        raise LinkError("slug", "the slug takes lower-case letters, digits and dashes (at most 64), e.g. open-tbook")
    _check_settings(title, mode, connection_type, description)
    if stored_links.exists(slug):
        raise LinkExists(f"a link called {slug} exists already")
    link = stored_links.create(
        slug=slug,
        title=title.strip(),
        mode=mode,
        debug=debug,
        connection_type=connection_type,
        new_window=new_window,
        enabled=True,
        description=description.strip() or None,
        send_lis_person=send_lis_person,
    )
    audit.record(
        "link_create", "ok", actor=actor, link_slug=slug, mode=mode, detail={"after": describe(link)}, commit=False
    )
    store.commit()
    return link


def describe(link: LinkView) -> dict:
    return {
        "slug": link.slug,
        "title": link.title,
        "mode": link.mode,
        "debug": link.debug,
        "connection_type": link.connection_type,
        "new_window": link.new_window,
        "enabled": link.enabled,
        "description": link.description or "",
        "send_lis_person": link.send_lis_person,
    }


def all_links() -> list[LinkView]:
    """Every link, enabled or not, by slug."""
    return stored_links.all_by_slug()


def enabled_links() -> list[LinkView]:
    """The links a learner may open, by title."""
    return stored_links.enabled_by_title()


def set_enabled(slug: str, enabled: bool, *, actor: str | None = None) -> LinkView:
    """Enable or disable a link and commit; raises LinkNotFound when there is no such link."""
    before = describe(find(slug))
    link = _change(slug, enabled=enabled)
    audit.record(
        "link_enable" if enabled else "link_disable",
        "ok",
        actor=actor,
        link_slug=slug,
        mode=link.mode,
        detail={"before": before, "after": describe(link)},
        commit=False,
    )
    store.commit()
    return link


def find(slug: str) -> LinkView:
    """Return the link named `slug`, enabled or not; raises LinkNotFound when there is none."""
    link = stored_links.find(slug)
    if link is None:
        raise LinkNotFound(f"There is no link called {slug}.")
    return link


def _change(slug: str, **changes) -> LinkView:
    link = stored_links.change(slug, **changes)
    if link is None:
        raise LinkNotFound(f"There is no link called {slug}.")
    return link


def update(
    slug: str,
    *,
    title: str,
    mode: str,
    debug: bool,
    connection_type: str,
    new_window: bool,
    description: str = "",
    send_lis_person: bool = True,
    actor: str | None = None,
) -> LinkView:
    """Change a link's settings (not its slug: intranet buttons point at it) and commit, audited.

    Raises LinkNotFound when there is no such link, LinkError when a value is wrong.
    """
    _check_settings(title, mode, connection_type, description)
    current = find(slug)
    changes = {
        "title": title.strip(),
        "mode": mode,
        "debug": debug,
        "connection_type": connection_type,
        "new_window": new_window,
        "description": description.strip() or None,
        "send_lis_person": send_lis_person,
    }
    before, after = describe(current), describe(replace(current, **changes))
    if after == before:
        return current
    link = _change(slug, **changes)
    audit.record(
        "link_update",
        "ok",
        actor=actor,
        link_slug=slug,
        mode=mode,
        detail={"before": before, "after": after},
        commit=False,
    )
    store.commit()
    return link
