"""T-book's `custom_data`: the learner's profile as minified JSON, in the order of T-book's LTI table."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from app.lti.errors import LaunchDataError

# The order of the LTI table in tbook-api.md; `password` is deliberately absent: never sent.
CUSTOM_DATA_FIELDS = (
    "entityID",
    "connectionType",
    "login",
    "externalID",
    "civility",
    "lastname",
    "firstname",
    "code",
    "jobTitle",
    "seniority",
    "level",
    "contactEmail",
    "phone",
    "filter",
    "location",
    "country",
    "testUser",
    "assignation",
)
LIST_FIELDS = frozenset({"contactEmail", "filter", "location", "country"})
INT_FIELDS = frozenset({"testUser", "assignation"})
REQUIRED_FIELDS = ("entityID", "connectionType", "login", "civility", "lastname", "firstname")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _clean(field: str, value: Any) -> Any:
    if field in INT_FIELDS:
        return int(value or 0)
    if field in LIST_FIELDS:
        return [str(v).strip() for v in (value or []) if str(v).strip()]
    # T-book's example sends ids as strings ("entityID":"24"); so do we, whatever the store holds.
    return "" if value is None else str(value).strip()


def build_custom_data(profile: Mapping[str, Any]) -> str:
    """Return the minified `custom_data` JSON for a profile given by T-book field names.

    Raises LaunchDataError naming the first field T-book would refuse.
    """
    data = {field: _clean(field, profile.get(field)) for field in CUSTOM_DATA_FIELDS}
    for field in REQUIRED_FIELDS:
        if not data[field]:
            raise LaunchDataError(field, "is required by T-book and is empty")
    if data["connectionType"] not in ("login", "id"):
        raise LaunchDataError("connectionType", "must be login or id")
    if not EMAIL.match(data["login"]):
        raise LaunchDataError("login", "must be an e-mail address")
    if data["civility"] not in ("m", "mme"):
        raise LaunchDataError("civility", "must be m or mme")
    if data["connectionType"] == "id" and not data["externalID"]:
        raise LaunchDataError("externalID", "is required when the link connects by id")
    for field in INT_FIELDS:
        if data[field] not in (0, 1):
            raise LaunchDataError(field, "must be 0 or 1")
    # Optional fields that are empty are left out; the integer flags always go, as in T-book's example.
    compact = {k: v for k, v in data.items() if k in INT_FIELDS or v not in ("", [])}
    return json.dumps(compact, ensure_ascii=False, separators=(",", ":"))
