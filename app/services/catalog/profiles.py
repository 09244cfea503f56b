"""Profiles in T-book's vocabulary: validation of one profile's fields, and the mapping to T-book's names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.errors import FieldProblem, Invalid
from app.store.models import Profile
from app.store.views import ProfileView
from app.tbook import fields as tbook

# A profile holds the learner's T-book fields, the login first (sign-in and T-book match people by it), and
# the gateway's own `userType` (learner or teacher: /authToken's userType 1 or 2).
_LEARNER_FIELDS = sorted(tbook.LEARNER_FIELDS, key=lambda field: field.name != "login")
USER_TYPES = ("learner", "teacher")


def _attribute(name: str) -> str:
    """Return Profile's attribute for a T-book field name: its snake_case (externalID -> external_id)."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", name.replace("ID", "Id")).lower()


# T-book field name -> Profile attribute.
FIELD_ATTRS = {**{field.name: _attribute(field.name) for field in _LEARNER_FIELDS}, "userType": "user_type"}
LIST_FIELDS = tbook.LIST_FIELDS
REQUIRED = tbook.required_by(tbook.INSERT)


class FieldError(Invalid):
    """One field of one profile is wrong; `field` is its T-book name."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(problems=[FieldProblem(field, message)])


def _flag(name: str, value: str) -> int:
    if value in ("", None):
        return 0
    if str(value).strip() not in ("0", "1"):
        raise FieldError(name, f"must be 0 or 1, not {value!r}")
    return int(value)


def clean_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one profile given by T-book field names (strings, lists as lists or `|`-joined).

    Returns the cleaned values by Profile attribute; raises FieldError for the first wrong field.
    """
    values: dict[str, Any] = {}
    for field in _LEARNER_FIELDS:
        value = raw.get(field.name)
        if field.shape == tbook.LIST:
            items = value if isinstance(value, list | tuple) else str(value or "").split("|")
            values[field.name] = [str(item).strip() for item in items if str(item).strip()]
        elif field.shape == tbook.FLAG:
            values[field.name] = _flag(field.name, "" if value is None else str(value).strip())
        else:
            values[field.name] = "" if value is None else str(value).strip()
    for name in REQUIRED:
        if not values[name]:
            raise FieldError(name, "is required")
    # Logins and civility are matched without case; T-book's options are lower-case.
    values["login"] = values["login"].lower()
    values["civility"] = values["civility"].lower()
    for field in _LEARNER_FIELDS:
        if problem := field.problem(values[field.name]):
            raise FieldError(field.name, problem)
    user_type = str(raw.get("userType") or "").strip().lower() or "learner"
    if user_type not in USER_TYPES:
        raise FieldError("userType", f"must be learner or teacher, not {user_type!r}")
    values["userType"] = user_type
    return {FIELD_ATTRS[name]: (value if value != "" else None) for name, value in values.items()}


def apply(profile: Profile, cleaned: Mapping[str, Any]) -> Profile:
    """Copy cleaned values (from `clean_fields`) onto `profile`."""
    for attr, value in cleaned.items():
        setattr(profile, attr, value)
    return profile


# Read on every click: (T-book name, Profile attribute) of the learner's fields.
_TBOOK_ATTRS = tuple((field.name, FIELD_ATTRS[field.name]) for field in _LEARNER_FIELDS)


def to_tbook(profile: ProfileView, connection_type: str = "login") -> dict[str, Any]:
    """Return the profile as a mapping of T-book field names (with the link's connectionType), for custom_data."""
    data = {name: getattr(profile, attr) for name, attr in _TBOOK_ATTRS}
    data["connectionType"] = connection_type
    return data
