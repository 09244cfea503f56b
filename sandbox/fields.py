"""Reading and checking learner fields, whether posted as a form or sent in ``custom_data``."""

from __future__ import annotations

import re
from collections.abc import Mapping

from werkzeug.datastructures import MultiDict

from sandbox.errors import ApiError
from sandbox.records import FLAG_FIELDS, LIST_FIELDS, SCALAR_FIELDS

_INDEXED = re.compile(r"^(?P<name>\w+)\[(?P<index>\d+)\]$")
# Deliberately loose: T-book only says "e-mail format"; the sandbox rejects obvious mistakes.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
#: Fields a learner profile accepts but the sandbox never stores (T-book generates its own password).
IGNORED_FIELDS = {"password"}


def collect_form(form: MultiDict) -> dict[str, object]:
    """Return the learner fields of a T-book form: ``filter[1]=x`` becomes ``{"filter": [..., "x"]}``.

    Indexed values are ordered by index; a list field also accepts un-indexed repeats.
    """
    indexed: dict[str, dict[int, str]] = {}
    fields: dict[str, object] = {}
    for key, value in form.items(multi=True):
        match = _INDEXED.match(key)
        if match and match["name"] in LIST_FIELDS:
            indexed.setdefault(match["name"], {})[int(match["index"])] = value
        elif key in LIST_FIELDS:
            fields.setdefault(key, [])
            fields[key].append(value)  # type: ignore[union-attr]
        else:
            fields[key] = value
    for name, values in indexed.items():
        fields[name] = [values[i] for i in sorted(values)]
    return fields


def check_login(login: object) -> str:
    """Return the login when it is e-mail shaped; raise ApiError 400 otherwise."""
    if not isinstance(login, str) or not _EMAIL.match(login):
        raise ApiError(400, "login must be an e-mail address")
    return login


def clean_fields(raw: Mapping[str, object], required: tuple[str, ...] = ()) -> dict[str, object]:
    """Return the known learner fields of ``raw``, normalised (str, list[str], int flags).

    Raises ApiError 400 naming the first missing required field or invalid value.
    """
    for name in required:
        if raw.get(name) in (None, "", []):
            raise ApiError(400, f"Missing required parameter: {name}")
    cleaned: dict[str, object] = {}
    for name, value in raw.items():
        if name in SCALAR_FIELDS:
            if not isinstance(value, str | int) or isinstance(value, bool):
                raise ApiError(400, f"{name} must be a string")
            cleaned[name] = str(value)
        elif name in LIST_FIELDS:
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ApiError(400, f"{name} must be a list of strings")
            cleaned[name] = [v for v in values if v]
        elif name in FLAG_FIELDS:
            if str(value) not in ("0", "1"):
                raise ApiError(400, f"{name} must be 0 or 1")
            cleaned[name] = int(str(value))
    if "civility" in cleaned and cleaned["civility"] not in ("m", "mme"):
        raise ApiError(400, "civility must be m or mme")
    return cleaned
