"""The click's one read: the enabled-or-not link by slug and, beside it, the clicker's profile, as views.

One joined SELECT, compiled once, on the request's hot connection (`app/store/hot_path.py`), which the click's
audit append then uses too: no ORM session is created on the click path (bench/README.md).
"""

from __future__ import annotations

from sqlalchemy import LABEL_STYLE_TABLENAME_PLUS_COL, bindparam, select

from app.store.hot_path import Statement, hot_connection
from app.store.models import LaunchLink, Profile
from app.store.views import LINK_FIELDS, PROFILE_FIELDS, LinkView, ProfileView, link_view, profile_view

_LINKS, _PROFILES = LaunchLink.__table__, Profile.__table__
# The link, and beside it the clicker's profile (NULLs when there is none), in the views' field order.
_LINK_AND_PROFILE = Statement(
    select(*(_LINKS.c[name] for name in LINK_FIELDS), *(_PROFILES.c[name] for name in PROFILE_FIELDS))
    .select_from(_LINKS.outerjoin(_PROFILES, _PROFILES.c.login == bindparam("login")))
    .where(_LINKS.c.slug == bindparam("slug"))
    .set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)
)
_WIDTH = len(LINK_FIELDS)
_PROFILE_ID = _WIDTH + PROFILE_FIELDS.index("id")


def link_and_profile(slug: str, login: str) -> tuple[LinkView | None, ProfileView | None]:
    """Return the link named `slug` (enabled or not) and the profile whose login is `login`, each None if absent.

    `login` is compared as given (profiles store it lower-case). Raises SQLAlchemy's DBAPIError.
    """
    row = hot_connection().first(_LINK_AND_PROFILE, {"slug": slug, "login": login})
    if row is None:
        return None, None
    profile = profile_view(row[_WIDTH:]) if row[_PROFILE_ID] is not None else None
    return link_view(row[:_WIDTH]), profile
