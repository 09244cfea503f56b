"""Encoding learner fields as T-book's form fields (``entity[identifier]``, ``filter[1]``, ...)."""

from __future__ import annotations

from collections.abc import Mapping

from app.tbook.fields import FLAG, INSERT, LIST, UPDATE, taken_by

# The fields each form call takes, by name.
_TAKEN = {call: {field.name: field for field in taken_by(call)} for call in (INSERT, UPDATE)}


def encode_learner_fields(fields: Mapping[str, object], *, call: str = INSERT) -> list[tuple[str, str]]:
    """Return the form pairs of `call` (insertLearner or updateLearner) for T-book field names.

    None and empty values are left out. ``entityID`` becomes ``entity[identifier]``; lists become
    ``name[x]``; flags become "0"/"1". Raises ValueError naming a field the call does not take (e.g.
    ``password``, which the gateway never sends, or ``login`` for updateLearner: T-book never changes it).
    """
    taken = _TAKEN[call]
    unknown = set(fields) - set(taken)
    if unknown:
        raise ValueError(f"{call} takes no T-book learner field {', '.join(sorted(unknown))}")
    pairs: list[tuple[str, str]] = []
    for name, value in fields.items():
        if value is None or value == "" or value == []:
            continue
        field = taken[name]
        key = field.form_name or name
        if field.shape == LIST:
            values = [value] if isinstance(value, str) else list(value)  # type: ignore[call-overload]
            pairs.extend((f"{key}[{i}]", str(v)) for i, v in enumerate(values))
        elif field.shape == FLAG:
            pairs.append((key, "1" if value in (True, 1, "1") else "0"))
        else:
            pairs.append((key, str(value)))
    return pairs


def flag(value: bool) -> str:
    """Return T-book's encoding of a boolean option ("1" or "0")."""
    return "1" if value else "0"
