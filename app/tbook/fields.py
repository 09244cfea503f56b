"""T-book's learner fields, written once: names, shapes, which calls take them, custom_data's order, and checks.

From the tables of tbook-api.md: the LTI table (custom_data), insertLearner's and updateLearner's. `password` is
deliberately absent: the gateway never sends one (T-book generates it). insertLearner's options
`entity[create]` and `sendingConnectionEmail` are the client's arguments, not learner fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# Shapes: how a value is written. A list is `name[0]`, `name[1]`… in a form and a JSON list in custom_data;
# a flag is 0 or 1 (an int in custom_data, "0"/"1" in a form); text is a string.
TEXT, LIST, FLAG = "text", "list", "flag"
# Where T-book takes a field.
CUSTOM_DATA, INSERT, UPDATE = "custom_data", "insertLearner", "updateLearner"

# Deliberately loose: T-book only says "e-mail format".
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# T-book gives no lengths; these are what the gateway accepts and stores (app/store/models.py's columns).
MAX_LENGTH = 200

_EVERYWHERE = frozenset({CUSTOM_DATA, INSERT, UPDATE})
_LTI_AND_INSERT = frozenset({CUSTOM_DATA, INSERT})


@dataclass(frozen=True)
class LearnerField:
    """One learner field of T-book: its name, shape and type, where it goes, and what T-book accepts in it."""

    name: str
    calls: frozenset[str] = _EVERYWHERE
    shape: str = TEXT
    # The Type column of the doc ("int" or "string"); ids go as strings in custom_data, as in T-book's example.
    doc_type: str = "string"
    # The calls whose table marks the field required.
    required_by: frozenset[str] = frozenset()
    # Its name in insertLearner's form when that differs.
    form_name: str | None = None
    max_length: int = MAX_LENGTH
    choices: tuple[str, ...] = ()
    email: bool = False
    # For an int written as text: what the number is, in words, for the message that refuses a non-number.
    number: str = ""

    @property
    def has_rules(self) -> bool:
        """True when T-book's doc restricts the value (a format, options, a number, a flag)."""
        return self.shape == FLAG or self.email or bool(self.choices) or bool(self.number)

    def tbook_problem(self, value: Any) -> str | None:
        """Return what T-book's doc refuses in a cleaned value (format, options, number, flag), or None.

        A cleaned value is stripped text, a list of stripped strings, or an int flag. An empty value passes:
        whether the field may be empty is `required_by`'s to say.
        """
        if self.shape == FLAG:
            return None if value in (0, 1) else f"must be 0 or 1, not {value!r}"
        if not value:
            return None
        if self.email:
            for item in value if self.shape == LIST else (value,):
                if not EMAIL.match(item):
                    return (
                        f"{item!r} is not an e-mail address"
                        if self.shape == LIST
                        else f"must be an e-mail address, not {item!r}"
                    )
        if self.choices and value not in self.choices:
            return f"must be {' or '.join(self.choices)}, not {value!r}"
        # ASCII digits only: str.isdigit() also takes "２４", "٢٤" and "²", which T-book's ints are not.
        if self.number and not (value.isascii() and value.isdigit()):
            return f"must be {self.number}, not {value!r}"
        return None

    def problem(self, value: Any) -> str | None:
        """Return what keeps a cleaned value out of a gateway profile: the gateway's limits, then T-book's rules."""
        if self.shape != FLAG:
            for item in value if self.shape == LIST else (value,):
                if len(item) > self.max_length:
                    return f"is longer than {self.max_length} characters"
                if "\x00" in item:
                    return "contains a NUL character"
        return self.tbook_problem(value)


# In the order of the LTI table, which custom_data keeps.
FIELDS: tuple[LearnerField, ...] = (
    # updateLearner's table has no entity[...]: a learner stays in the entity it was created in.
    LearnerField(
        "entityID",
        calls=_LTI_AND_INSERT,
        doc_type="int",
        required_by=_LTI_AND_INSERT,
        form_name="entity[identifier]",
        max_length=64,
        number="T-book's numeric entity id",
    ),
    # Not the learner's: the link's way of signing in (login or externalID), sent with the launch only.
    LearnerField(
        "connectionType", calls=frozenset({CUSTOM_DATA}), required_by=frozenset({CUSTOM_DATA}), choices=("login", "id")
    ),
    # updateLearner does not take it: "this login can never be modified" on T-book.
    LearnerField(
        "login",
        calls=_LTI_AND_INSERT,
        required_by=_LTI_AND_INSERT,
        max_length=254,
        email=True,
    ),
    LearnerField("externalID", doc_type="int", max_length=64, number="a whole number (T-book's externalID is an int)"),
    LearnerField("civility", required_by=_LTI_AND_INSERT, choices=("m", "mme")),
    LearnerField("lastname", required_by=_LTI_AND_INSERT),
    LearnerField("firstname", required_by=_LTI_AND_INSERT),
    LearnerField("code"),
    LearnerField("jobTitle"),
    LearnerField("seniority"),
    LearnerField("level"),
    LearnerField("contactEmail", shape=LIST, email=True),
    LearnerField("phone", max_length=64),
    LearnerField("filter", shape=LIST),
    LearnerField("location", shape=LIST),
    LearnerField("country", shape=LIST),
    LearnerField("testUser", shape=FLAG, doc_type="int"),
    LearnerField("assignation", shape=FLAG, doc_type="int"),
)
BY_NAME: dict[str, LearnerField] = {field.name: field for field in FIELDS}


def taken_by(call: str) -> tuple[LearnerField, ...]:
    """Return the fields `call` (CUSTOM_DATA, INSERT or UPDATE) takes, in the table's order."""
    return tuple(field for field in FIELDS if call in field.calls)


def required_by(call: str) -> tuple[str, ...]:
    """Return the names of the fields `call` requires, in the table's order."""
    return tuple(field.name for field in FIELDS if call in field.required_by)


#: The learner's own fields (what insertLearner takes, and a gateway profile holds).
LEARNER_FIELDS = taken_by(INSERT)
CUSTOM_DATA_FIELDS = tuple(field.name for field in taken_by(CUSTOM_DATA))
LIST_FIELDS = tuple(field.name for field in FIELDS if field.shape == LIST)
FLAG_FIELDS = tuple(field.name for field in FIELDS if field.shape == FLAG)
INT_FIELDS = tuple(field.name for field in FIELDS if field.doc_type == "int")
