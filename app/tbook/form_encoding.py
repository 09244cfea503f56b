"""Encoding learner fields as T-book's form fields (``entity[identifier]``, ``filter[1]``, ...)."""

from __future__ import annotations

from collections.abc import Mapping

#: Single-valued T-book learner fields, sent as they are.
SCALAR_FIELDS = (
    "login",
    "civility",
    "lastname",
    "firstname",
    "code",
    "jobTitle",
    "seniority",
    "level",
    "phone",
    "externalID",
)
#: Multi-valued fields, sent as ``name[0]``, ``name[1]``, ...
LIST_FIELDS = ("contactEmail", "filter", "location", "country")
#: 0/1 flags.
FLAG_FIELDS = ("testUser", "assignation")
#: Every field name :func:`encode_learner_fields` accepts.
LEARNER_FIELDS = frozenset(SCALAR_FIELDS + LIST_FIELDS + FLAG_FIELDS + ("entityID",))


def encode_learner_fields(fields: Mapping[str, object]) -> list[tuple[str, str]]:
    """Return form pairs for a mapping of T-book field names; None and empty values are left out.

    ``entityID`` becomes ``entity[identifier]``; lists become ``name[x]``; flags become "0"/"1".
    Raises ValueError naming an unknown field (e.g. ``password``, which the gateway never sends).
    """
    unknown = set(fields) - LEARNER_FIELDS
    if unknown:
        raise ValueError(f"unknown T-book learner fields: {', '.join(sorted(unknown))}")
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        if value is None or value == "" or value == []:
            continue
        if name == "entityID":
            pairs.append(("entity[identifier]", str(value)))
        elif name in LIST_FIELDS:
            values = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
            pairs.extend((f"{name}[{i}]", str(v)) for i, v in enumerate(values))
        elif name in FLAG_FIELDS:
            pairs.append((name, "1" if value in (True, 1, "1") else "0"))
        else:
            pairs.append((name, str(value)))
    return pairs


def flag(value: bool) -> str:
    """Return T-book's encoding of a boolean option ("1" or "0")."""
    return "1" if value else "0"
