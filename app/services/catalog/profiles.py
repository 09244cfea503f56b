"""Profiles in T-book's vocabulary: validation of one profile's fields, and the mapping to T-book's names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.errors import FieldProblem, Invalid
from app.store.models import Profile

# T-book field name -> Profile attribute.
FIELD_ATTRS = {
    "login": "login",
    "externalID": "external_id",
    "entityID": "entity_id",
    "civility": "civility",
    "lastname": "lastname",
    "firstname": "firstname",
    "code": "code",
    "jobTitle": "job_title",
    "seniority": "seniority",
    "level": "level",
    "contactEmail": "contact_email",
    "phone": "phone",
    "filter": "filter",
    "location": "location",
    "country": "country",
    "testUser": "test_user",
    "assignation": "assignation",
    "userType": "user_type",
}
LIST_FIELDS = ("contactEmail", "filter", "location", "country")
REQUIRED = ("login", "entityID", "civility", "lastname", "firstname")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_LENGTH = 200
# Narrower columns (app/store/models.py): a longer value would fail the whole import on PostgreSQL.
MAX_LENGTHS = {"login": 254, "entityID": 64, "externalID": 64, "phone": 64}


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
    for name in FIELD_ATTRS:
        value = raw.get(name)
        if name in LIST_FIELDS:
            items = value if isinstance(value, list | tuple) else str(value or "").split("|")
            values[name] = [str(item).strip() for item in items if str(item).strip()]
        else:
            values[name] = "" if value is None else str(value).strip()
    for name in REQUIRED:
        if not values[name]:
            raise FieldError(name, "is required")
    for name, value in values.items():
        limit = MAX_LENGTHS.get(name, MAX_LENGTH)
        for item in value if isinstance(value, list) else [value]:
            if len(item) > limit:
                raise FieldError(name, f"is longer than {limit} characters")
            if "\x00" in item:
                raise FieldError(name, "contains a NUL character")
    values["login"] = values["login"].lower()
    if not EMAIL.match(values["login"]):
        raise FieldError("login", f"must be an e-mail address, not {values['login']!r}")
    for email in values["contactEmail"]:
        if not EMAIL.match(email):
            raise FieldError("contactEmail", f"{email!r} is not an e-mail address")
    values["civility"] = values["civility"].lower()
    if values["civility"] not in ("m", "mme"):
        raise FieldError("civility", f"must be m or mme, not {values['civility']!r}")
    if not values["entityID"].isdigit():
        raise FieldError("entityID", f"must be T-book's numeric entity id, not {values['entityID']!r}")
    if values["externalID"] and not values["externalID"].isdigit():
        raise FieldError(
            "externalID", f"must be a whole number (T-book's externalID is an int), not {values['externalID']!r}"
        )
    values["testUser"] = _flag("testUser", values["testUser"])
    values["assignation"] = _flag("assignation", values["assignation"])
    values["userType"] = (values["userType"] or "learner").lower()
    if values["userType"] not in ("learner", "teacher"):
        raise FieldError("userType", f"must be learner or teacher, not {values['userType']!r}")
    return {FIELD_ATTRS[name]: (value if value != "" else None) for name, value in values.items()}


def apply(profile: Profile, cleaned: Mapping[str, Any]) -> Profile:
    """Copy cleaned values (from `clean_fields`) onto `profile`."""
    for attr, value in cleaned.items():
        setattr(profile, attr, value)
    return profile


def to_tbook(profile: Profile, connection_type: str = "login") -> dict[str, Any]:
    """Return the profile as a mapping of T-book field names, ready for custom_data or insertLearner."""
    data = {name: getattr(profile, attr) for name, attr in FIELD_ATTRS.items() if name != "userType"}
    data["connectionType"] = connection_type
    return data
