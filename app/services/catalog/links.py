"""Launch links: create, list, edit, enable and disable, delete (each audited with before and after)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from app import store
from app.errors import Conflict, FieldProblem, Invalid, LinkNotFound
from app.services.audit import trail as audit
from app.store import audit_counts
from app.store import links as stored_links
from app.store.models import utcnow
from app.store.views import LinkView

MODES = ("lti", "authtoken", "auto")
CONNECTION_TYPES = ("login", "id")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MODE_HELP = (
    "How a click signs the learner in. lti: the signed LTI 1.1 launch (needs the LTI shared secret). "
    "authtoken: T-book's /authToken sign-in, the learner created in T-book first if missing. "
    "auto: LTI, falling back to /authToken when LTI is not configured, the profile lacks what LTI needs, "
    "or T-book refuses the launch (once per click)."
)
CONNECTION_TYPE_HELP = "How T-book finds the learner: by login (e-mail), or by id (the profile's externalID)."


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


USAGE_DAYS = 30


@dataclass(frozen=True)
class Consequences:
    """What deleting or disabling a link changes, for the admin to read before confirming."""

    slug: str
    title: str
    enabled: bool
    launches: int  # launch attempts through it over USAGE_DAYS
    last_used: datetime | None
    days: int

    def usage(self) -> str:
        if not self.launches:
            return f"Nobody launched T-book through it in the last {self.days} days."
        when = self.last_used.strftime("%Y-%m-%d %H:%M") + " UTC" if self.last_used else "recently"
        return f"It carried {self.launches} launch attempt(s) in the last {self.days} days, the last on {when}."

    def of_deleting(self, url: str) -> list[str]:
        """Return, in sentences, what deleting the link changes; `url` is its address."""
        lines = [
            f"Intranet buttons and bookmarks pointing at {url} stop working: learners get “Unknown launch link”.",
            self.usage(),
            f"Its history stays in the audit log; a new link may take the slug {self.slug} later.",
        ]
        if self.enabled:
            lines.append("To pause it instead, disable it: learners then read “temporarily unavailable”.")
        return lines

    def of_disabling(self, url: str) -> list[str]:
        """Return, in sentences, what disabling the link changes; `url` is its address."""
        return [
            f"Learners who open {url} read “This link is temporarily unavailable”; nothing is sent to T-book.",
            self.usage(),
            "Its URL, settings and history stay; enable it again at any time.",
        ]


def consequences(slug: str) -> Consequences:
    """Return how much the link `slug` is used; raises LinkNotFound when there is no such link."""
    link = find(slug)
    launches, last_used = audit_counts.link_usage(slug, utcnow() - timedelta(days=USAGE_DAYS))
    return Consequences(link.slug, link.title, link.enabled, launches, last_used, USAGE_DAYS)


def delete(slug: str, *, actor: str | None = None) -> dict:
    """Delete the link `slug` and commit, audited with what it was; return that.

    Its audit events stay (the link's history). Raises LinkNotFound when there is no such link.
    """
    link = stored_links.remove(slug)
    if link is None:
        raise LinkNotFound(f"There is no link called {slug}.")
    before = describe(link)
    audit.record(
        "link_delete", "ok", actor=actor, link_slug=slug, mode=link.mode, detail={"before": before}, commit=False
    )
    store.commit()
    return before
