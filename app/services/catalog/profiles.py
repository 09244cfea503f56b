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


# What the console calls each field (the CSV and T-book keep T-book's names), and what a hint says about it.
LABELS = {
    "login": "Login (e-mail)",
    "externalID": "External id",
    "entityID": "Entity id",
    "civility": "Civility",
    "lastname": "Last name",
    "firstname": "First name",
    "code": "Code",
    "jobTitle": "Job title",
    "seniority": "Seniority",
    "level": "Degree level",
    "contactEmail": "Contact e-mails",
    "phone": "Phone",
    "filter": "Filters",
    "location": "Locations",
    "country": "Countries",
    "testUser": "Test user",
    "assignation": "Assign to courses",
    "userType": "User type",
}
HINTS = {
    "login": "T-book's login, an e-mail address; sign-in and T-book match people by it.",
    "externalID": "Your platform's numeric id for this person; links that connect by id need it.",
    "entityID": "T-book's numeric entity id (flask tbook entities lists them).",
    "code": "An alpha-numeric code, if your organisation uses one.",
    "filter": "Attach the learner to sessions.",
    "location": "Attach the learner to sessions.",
    "testUser": "Yes: T-book leaves this person out of its statistics.",
    "assignation": "Yes: once created, T-book assigns the learner to the courses of their filters and locations.",
    "userType": "Teachers are created in T-book by T-book itself; the gateway inserts learners only.",
}
# The drop-downs: (value stored and sent to T-book, what the console shows).
CHOICES = {
    "civility": (("mme", "Ms"), ("m", "Mr")),
    "testUser": (("0", "No"), ("1", "Yes")),
    "assignation": (("0", "No"), ("1", "Yes")),
    "userType": (("learner", "Learner"), ("teacher", "Teacher")),
}


class FieldError(Invalid):
    """Fields of one profile are wrong: `problems` names each by its T-book name, the first one given here."""

    def __init__(self, field: str, message: str, *more: FieldProblem) -> None:
        super().__init__(problems=[FieldProblem(field, message), *more])


def _flag(value: str) -> int | str:
    """Return 0 or 1 for "", "0" or "1"; any other text as it is, for the field's check to name."""
    return int(value) if value in ("0", "1") else 0 if value == "" else value


def clean_fields(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one profile given by T-book field names (strings, lists as lists or `|`-joined).

    Returns the cleaned values by Profile attribute; raises FieldError naming every wrong field at once.
    """
    values: dict[str, Any] = {}
    for field in _LEARNER_FIELDS:
        value = raw.get(field.name)
        if field.shape == tbook.LIST:
            items = value if isinstance(value, list | tuple) else str(value or "").split("|")
            values[field.name] = [str(item).strip() for item in items if str(item).strip()]
        elif field.shape == tbook.FLAG:
            values[field.name] = _flag("" if value is None else str(value).strip())
        else:
            values[field.name] = "" if value is None else str(value).strip()
    problems = [FieldProblem(name, "is required") for name in REQUIRED if not values[name]]
    # Logins and civility are matched without case; T-book's options are lower-case.
    values["login"] = values["login"].lower()
    values["civility"] = values["civility"].lower()
    missing = {problem.field for problem in problems}
    for field in _LEARNER_FIELDS:
        if field.name not in missing and (problem := field.problem(values[field.name])):
            problems.append(FieldProblem(field.name, problem))
    user_type = str(raw.get("userType") or "").strip().lower() or "learner"
    if user_type not in USER_TYPES:
        problems.append(FieldProblem("userType", f"must be learner or teacher, not {user_type!r}"))
    if problems:
        raise FieldError(problems[0].field, problems[0].message, *problems[1:])
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
