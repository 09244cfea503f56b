"""Profiles in the admin console: search, the editable view of one profile, and audited edits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from app import store
from app.errors import NotFound
from app.services.audit import trail as audit
from app.services.catalog.profiles import FIELD_ATTRS, LIST_FIELDS, clean_fields
from app.store import profiles as stored_profiles
from app.store.views import ProfileView

PAGE_SIZE = 25


class ProfileNotFound(NotFound):
    """No profile has this id."""


@dataclass(frozen=True)
class Results:
    profiles: list[ProfileView]
    number: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def search(query: str = "", number: int = 1) -> Results:
    """Return page `number` of the profiles whose login, name or external id contains `query`."""
    total = stored_profiles.count_matching(query)
    number = max(1, min(number, max(1, -(-total // PAGE_SIZE))))
    rows = stored_profiles.matching(query, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    return Results(rows, number, total)


def get(profile_id: int) -> ProfileView:
    profile = stored_profiles.get(profile_id)
    if profile is None:
        raise ProfileNotFound(f"There is no profile number {profile_id}.")
    return profile


def as_fields(profile: ProfileView) -> dict[str, str]:
    """Return the profile by T-book field names as form text (`|` between the values of a list)."""
    values = {}
    for name, attr in FIELD_ATTRS.items():
        value = getattr(profile, attr)
        values[name] = "|".join(value) if name in LIST_FIELDS else ("" if value is None else str(value))
    return values


def update(profile_id: int, raw: Mapping[str, str], *, actor: str) -> ProfileView:
    """Validate `raw` like the CSV import does, apply it and commit, audited with the changed fields.

    The login is not editable here (sign-in and T-book match people by it). Raises FieldError (nothing
    written) for the first wrong field, ProfileNotFound for an unknown id.
    """
    profile = get(profile_id)
    cleaned = clean_fields({**raw, "login": profile.login})
    before, after = as_fields(profile), as_fields(replace(profile, **cleaned))
    changed = {name: {"before": before[name], "after": after[name]} for name in after if before[name] != after[name]}
    if changed:
        profile = stored_profiles.change(profile_id, cleaned)
        if profile is None:
            raise ProfileNotFound(f"There is no profile number {profile_id}.")
        audit.record(
            "profile_update", "ok", actor=actor, detail={"login": profile.login, "changed": changed}, commit=False
        )
        store.commit()
    return profile
