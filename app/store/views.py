"""What the store hands services: frozen, typed views of a launch link, a profile and an account.

Each view has its model's attribute names, one field per column, and is the one shape of its concept: the
click's joined read, the learner's home page and the admin pages all get the same type. A profile's list fields
(contact e-mails, filters, locations, countries) are tuples, so that a view cannot be changed at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class LinkView:
    """A launch link (`LaunchLink`): what an intranet "Open T-book" button points at."""

    id: int
    slug: str
    title: str
    mode: str
    connection_type: str
    debug: bool
    new_window: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime
    description: str | None
    send_lis_person: bool


@dataclass(frozen=True, slots=True)
class ProfileView:
    """A learner's or teacher's T-book profile (`Profile`)."""

    id: int
    login: str
    lti_user_id: str
    user_type: str
    entity_id: str
    external_id: str | None
    civility: str
    lastname: str
    firstname: str
    code: str | None
    job_title: str | None
    seniority: str | None
    level: str | None
    contact_email: tuple[str, ...]
    phone: str | None
    filter: tuple[str, ...]
    location: tuple[str, ...]
    country: tuple[str, ...]
    test_user: int
    assignation: int
    created_at: datetime
    updated_at: datetime

    @property
    def full_name(self) -> str:
        return f"{self.firstname} {self.lastname}".strip()


@dataclass(frozen=True, slots=True)
class AccountView:
    """A local sign-in (`Account`); the password only as its hash."""

    id: int
    login: str
    password_hash: str
    is_admin: bool
    created_at: datetime


LINK_FIELDS = tuple(f.name for f in fields(LinkView))
PROFILE_FIELDS = tuple(f.name for f in fields(ProfileView))
ACCOUNT_FIELDS = tuple(f.name for f in fields(AccountView))
PROFILE_LIST_FIELDS = frozenset({"contact_email", "filter", "location", "country"})
_LIST_POSITIONS = tuple(i for i, name in enumerate(PROFILE_FIELDS) if name in PROFILE_LIST_FIELDS)


def link_view(values: Sequence[Any]) -> LinkView:
    """Return the view of one link's column values, in `LINK_FIELDS` order."""
    return LinkView(*values)


def profile_view(values: Sequence[Any]) -> ProfileView:
    """Return the view of one profile's column values, in `PROFILE_FIELDS` order (list columns become tuples)."""
    values = list(values)
    for i in _LIST_POSITIONS:
        values[i] = tuple(values[i] or ())
    return ProfileView(*values)


def account_view(values: Sequence[Any]) -> AccountView:
    """Return the view of one account's column values, in `ACCOUNT_FIELDS` order."""
    return AccountView(*values)
