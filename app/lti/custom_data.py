"""T-book's `custom_data`: the learner's profile as minified JSON, in the order of T-book's LTI table."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from app.lti.errors import LaunchDataError
from app.tbook.fields import CUSTOM_DATA, FLAG, LIST, required_by, taken_by

_FIELDS = taken_by(CUSTOM_DATA)
CUSTOM_DATA_FIELDS = tuple(field.name for field in _FIELDS)
_SHAPES = tuple((field.name, field.shape) for field in _FIELDS)  # read on every click: no attribute lookups
_REQUIRED = required_by(CUSTOM_DATA)
# Only the fields T-book's doc restricts: a profile passed the gateway's own limits when it was stored.
_RESTRICTED = tuple(field for field in _FIELDS if field.has_rules)


def _clean(shape: str, value: Any) -> Any:
    if shape == FLAG:
        return int(value or 0)
    if shape == LIST:
        return [str(v).strip() for v in (value or []) if str(v).strip()]
    # T-book's example sends ids as strings ("entityID":"24"); so do we, whatever the store holds.
    return "" if value is None else str(value).strip()


def build_custom_data(profile: Mapping[str, Any]) -> str:
    """Return the minified `custom_data` JSON for a profile given by T-book field names.

    Raises LaunchDataError naming the first field T-book would refuse.
    """
    data = {name: _clean(shape, profile.get(name)) for name, shape in _SHAPES}
    for name in _REQUIRED:
        if not data[name]:
            raise LaunchDataError(name, "is required by T-book and is empty")
    for field in _RESTRICTED:
        if problem := field.tbook_problem(data[field.name]):
            raise LaunchDataError(field.name, problem)
    if data["connectionType"] == "id" and not data["externalID"]:
        raise LaunchDataError("externalID", "is required when the link connects by id")
    # Optional fields that are empty are left out; the integer flags always go, as in T-book's example.
    compact = {k: v for k, v in data.items() if v not in ("", [])}
    return json.dumps(compact, ensure_ascii=False, separators=(",", ":"))
