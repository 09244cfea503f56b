"""The sandbox's stored objects and their T-book JSON shapes."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass
class EntityRecord:
    """An entity; ``owner`` tells whether it belongs to the sandbox's client."""

    entity_id: str
    name: str
    owner: str
    description: str = ""
    address: str = ""
    city: str = ""
    zip: str = ""
    language: str = "FR"

    def to_json(self) -> dict:
        """Return the entity as ``GET /getEntity`` shows it."""
        return {
            "entityID": self.entity_id,
            "name": self.name,
            "description": self.description,
            "address": self.address,
            "city": self.city,
            "zip": self.zip,
            "language": self.language,
        }


#: T-book's single-valued learner fields and the record attribute each one is stored in.
SCALAR_FIELDS = {
    "civility": "civility",
    "lastname": "lastname",
    "firstname": "firstname",
    "code": "code",
    "jobTitle": "job_title",
    "seniority": "seniority",
    "level": "level",
    "phone": "phone",
    "externalID": "external_id",
}
#: T-book's multi-valued learner fields (``name[x]`` in forms, JSON lists).
LIST_FIELDS = {"contactEmail": "contact_email", "filter": "filter", "location": "location", "country": "country"}
#: Integer flags (0 or 1).
FLAG_FIELDS = {"testUser": "test_user", "assignation": "assignation"}


@dataclass
class LearnerRecord:
    """A learner as the sandbox stores it."""

    learner_id: str
    login: str
    entity_id: str
    civility: str
    lastname: str
    firstname: str
    code: str = ""
    job_title: str = ""
    seniority: str = ""
    level: str = ""
    contact_email: list[str] = field(default_factory=list)
    phone: str = ""
    filter: list[str] = field(default_factory=list)
    location: list[str] = field(default_factory=list)
    country: list[str] = field(default_factory=list)
    test_user: int = 0
    external_id: str = ""
    assignation: int = 0
    # The sessions (filter, location) the learner left with removeLearnerSession while keeping both values for
    # other sessions; never shown, since T-book's learner answers have no such field.
    left_sessions: set[tuple[str, str]] = field(default_factory=set)

    def copy(self) -> LearnerRecord:
        """Return a copy that shares no list or set with this record (copy.deepcopy cost 30 µs per answer)."""
        return replace(
            self,
            contact_email=list(self.contact_email),
            filter=list(self.filter),
            location=list(self.location),
            country=list(self.country),
            left_sessions=set(self.left_sessions),
        )

    def to_json(self, entity: EntityRecord) -> dict:
        """Return the learner exactly in the shape of tbook-api.md's response example."""
        return {
            "learnerID": self.learner_id,
            "login": self.login,
            "entity": {"entityID": entity.entity_id, "entityName": entity.name},
            "civility": self.civility,
            "lastname": self.lastname,
            "firstname": self.firstname,
            "code": self.code,
            "jobTitle": self.job_title,
            "seniority": self.seniority,
            "level": self.level,
            "contactEmail": list(self.contact_email),
            "phone": self.phone,
            "filter": list(self.filter),
            "location": list(self.location),
            "country": list(self.country),
            "testUser": self.test_user,
        }
