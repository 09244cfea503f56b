"""Profiles in the admin console: search, the editable view of one profile, audited additions, edits and deletions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from app import store
from app.errors import NotFound
from app.services.audit import trail as audit
from app.services.catalog.profiles import FIELD_ATTRS, LIST_FIELDS, FieldError, clean_fields
from app.services.identity import accounts
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


def find(login: str) -> ProfileView:
    """Return the profile of `login`; raises ProfileNotFound."""
    profile = stored_profiles.by_login(login.strip().lower())
    if profile is None:
        raise ProfileNotFound(f"There is no profile for {login.strip().lower()}.")
    return profile


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

    The login is not editable here (sign-in and T-book match people by it). Raises FieldError naming every
    wrong field (nothing written), ProfileNotFound for an unknown id.
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


def create(raw: Mapping[str, str], *, actor: str) -> ProfileView:
    """Validate `raw` like the CSV import does and add the profile, audited with its fields.

    Raises FieldError naming every wrong field, or the login when it has a profile already (nothing written).
    """
    cleaned = clean_fields(raw)
    if stored_profiles.by_login(cleaned["login"]) is not None:
        raise FieldError("login", f"{cleaned['login']} has a profile already")
    profile = stored_profiles.create(cleaned)
    audit.record(
        "profile_create", "ok", actor=actor, detail={"login": profile.login, "after": as_fields(profile)}, commit=False
    )
    store.commit()
    return profile


@dataclass(frozen=True)
class Consequences:
    """What deleting a profile changes, for the admin to read before confirming."""

    login: str
    full_name: str
    has_account: bool

    def of_deleting(self) -> list[str]:
        lines = [
            f"{self.full_name} ({self.login}) can no longer open T-book from the intranet: launches answer "
            "“No T-book profile” until a profile is added or imported again.",
            "T-book keeps its own account for this person: delete it in T-book too if they asked to be forgotten.",
            "The audit log keeps its history of this login; the deletion is audited with the profile as it was.",
        ]
        if self.has_account:
            lines.append("Their local sign-in stays: they can still sign in to the gateway (see Sign-ins).")
        return lines


def consequences(profile_id: int) -> Consequences:
    profile = get(profile_id)
    return Consequences(profile.login, profile.full_name, accounts.find(profile.login) is not None)


def delete(profile_id: int, *, actor: str) -> str:
    """Delete the profile and commit, audited with its fields as they were; return its login.

    Raises ProfileNotFound.
    """
    profile = stored_profiles.remove(profile_id)
    if profile is None:
        raise ProfileNotFound(f"There is no profile number {profile_id}.")
    detail = {"login": profile.login, "before": as_fields(profile)}
    audit.record("profile_delete", "ok", actor=actor, detail=detail, commit=False)
    store.commit()
    return profile.login
