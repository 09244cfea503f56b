"""Small factories for test data: profiles, accounts and links with sensible defaults."""

from __future__ import annotations

from typing import Any

from app.services.catalog.profiles import apply, clean_fields
from app.services.identity import accounts
from app.store import db
from app.store.models import LaunchLink, Profile

PASSWORD = "correct-horse"


def profile_fields(**overrides: Any) -> dict[str, Any]:
    fields = {
        "login": "jane.doe@example.com",
        "entityID": "24",
        "externalID": "1001",
        "civility": "mme",
        "lastname": "Doe",
        "firstname": "Jane",
        "jobTitle": "Communication Manager",
        "contactEmail": ["jane.doe@example.com"],
        "filter": ["Session 1"],
        "location": ["Paris"],
        "country": ["France"],
    }
    fields.update(overrides)
    return fields


def make_profile(*, password: str | None = PASSWORD, **overrides: Any) -> Profile:
    """Store a valid profile (and a local account for it unless password is None)."""
    profile = apply(Profile(), clean_fields(profile_fields(**overrides)))
    db.session.add(profile)
    if password:
        accounts.set_account(profile.login, password)
    db.session.commit()
    return profile


def make_link(slug: str = "open-tbook", **overrides: Any) -> LaunchLink:
    values = {"title": "Open T-book", "mode": "lti", "debug": False, "connection_type": "login", "enabled": True}
    values.update(overrides)
    link = LaunchLink(slug=slug, **values)
    db.session.add(link)
    db.session.commit()
    return link
