"""The sandbox's in-memory, thread-safe T-book data: entities, learners and teachers."""

from __future__ import annotations

import copy
import threading

from sandbox import seed
from sandbox.errors import ApiError
from sandbox.records import FLAG_FIELDS, LIST_FIELDS, SCALAR_FIELDS, EntityRecord, LearnerRecord

IDENTIFIER_TYPES = ("email", "learnerId", "externalId")


class Store:
    """Entities and learners of the sandbox's client; every method returns copies.

    Methods raise :class:`ApiError` with T-book's status for unknown (404), foreign (403) or
    conflicting (409) data, so the API can render them as they are.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Restore the seed data."""
        with self._lock:
            self._entities = {e.entity_id: e for e in seed.seed_entities()}
            self._learners = {learner.learner_id: learner for learner in seed.seed_learners()}
            self._teachers = {teacher.learner_id: teacher for teacher in seed.seed_teachers()}

    def client_info(self) -> dict:
        """Return the client's description as ``GET /getClient`` shows it."""
        return dict(seed.CLIENT_INFO)

    def entities(self) -> list[EntityRecord]:
        """Return the client's own entities."""
        with self._lock:
            return [copy.copy(e) for e in self._entities.values() if e.owner == seed.OWN_CLIENT]

    def entity(self, entity_id: str) -> EntityRecord:
        """Return one of the client's entities; raise 404 when unknown, 403 when another client's."""
        with self._lock:
            entity = self._entities.get(str(entity_id))
            if entity is None:
                raise ApiError(404, f"No entity with entityID {entity_id}")
            if entity.owner != seed.OWN_CLIENT:
                raise ApiError(403, f"Entity {entity_id} is not accessible to this client")
            return copy.copy(entity)

    def entity_for_insert(self, identifier: str, create: bool) -> EntityRecord:
        """Return the entity named by ``entity[identifier]`` (an ID, or a name created on demand)."""
        if identifier.isdigit():
            return self.entity(identifier)
        with self._lock:
            for entity in self._entities.values():
                if entity.owner == seed.OWN_CLIENT and entity.name == identifier:
                    return copy.copy(entity)
            if not create:
                raise ApiError(404, f"No entity named {identifier!r} (send entity[create]=1 to create it)")
            new_id = str(max(int(i) for i in self._entities) + 1)
            self._entities[new_id] = EntityRecord(new_id, identifier, seed.OWN_CLIENT)
            return copy.copy(self._entities[new_id])

    def learners(self, entity_id: str | None = None) -> list[tuple[LearnerRecord, EntityRecord]]:
        """Return the learners of one entity, or of all the client's entities, with their entity."""
        with self._lock:
            wanted = {self.entity(entity_id).entity_id} if entity_id else {e.entity_id for e in self.entities()}
            return [
                (copy.deepcopy(learner), copy.copy(self._entities[learner.entity_id]))
                for learner in self._learners.values()
                if learner.entity_id in wanted
            ]

    def find(self, identifier_type: str, identifier: str) -> tuple[LearnerRecord, EntityRecord]:
        """Return the learner found by email (login), learnerId or externalId; raise 404 when none."""
        if identifier_type not in IDENTIFIER_TYPES:
            raise ApiError(400, "identifierType must be one of email, learnerId, externalId")
        attribute = {"email": "login", "learnerId": "learner_id", "externalId": "external_id"}[identifier_type]
        with self._lock:
            for learner in self._learners.values():
                if identifier and getattr(learner, attribute) == identifier:
                    return copy.deepcopy(learner), self.entity(learner.entity_id)
        raise ApiError(404, f"No learner with {identifier_type} {identifier}")

    def find_teacher(self, attribute: str, identifier: str) -> tuple[LearnerRecord, EntityRecord] | None:
        """Return the teacher whose `attribute` (login, external_id or learner_id) is `identifier`, or None."""
        with self._lock:
            for teacher in self._teachers.values():
                if identifier and getattr(teacher, attribute) == identifier:
                    return copy.deepcopy(teacher), self.entity(teacher.entity_id)
        return None

    def insert(self, entity: EntityRecord, login: str, fields: dict[str, object]) -> LearnerRecord:
        """Create a learner from cleaned fields; raise 409 when the login is taken."""
        with self._lock:
            if any(learner.login == login for learner in self._learners.values()):
                raise ApiError(409, f"A learner with login {login} already exists")
            learner_id = str(max((int(i) for i in self._learners), default=0) + 1)
            learner = LearnerRecord(learner_id, login, entity.entity_id, "", "", "")
            _apply(learner, fields, add_lists=False)
            self._learners[learner_id] = learner
            return copy.deepcopy(learner)

    def update(self, learner_id: str, fields: dict[str, object], entity_id: str | None = None) -> LearnerRecord:
        """Change only the given fields; filter, location and country are added to the existing ones."""
        with self._lock:
            learner = self._learners[learner_id]
            _apply(learner, fields, add_lists=True)
            if entity_id is not None:
                learner.entity_id = entity_id
            return copy.deepcopy(learner)

    def upsert(self, entity: EntityRecord, login: str, external_id: str, fields: dict[str, object]) -> LearnerRecord:
        """Update the learner with this externalID (when given) or login, or create it; return it.

        This is what an LTI launch does: "if the user already exists, he will be connected seamlessly,
        else, he will be created on our platform and connected".
        """
        with self._lock:
            for learner in self._learners.values():
                if (external_id and learner.external_id == external_id) or learner.login == login:
                    return self.update(learner.learner_id, fields, entity_id=entity.entity_id)
            return self.insert(entity, login, fields)

    def remove_session(self, learner_id: str, filter_: str, location: str) -> LearnerRecord:
        """Detach a learner from the session ``filter`` × ``location``; raise 404 when not in it."""
        with self._lock:
            learner = self._learners[learner_id]
            if filter_ not in learner.filter or location not in learner.location:
                raise ApiError(404, f"Learner {learner_id} is not in session {filter_!r} / {location!r}")
            # The sandbox models sessions as filters × locations, so leaving one drops both values.
            learner.filter.remove(filter_)
            learner.location.remove(location)
            return copy.deepcopy(learner)


def _apply(learner: LearnerRecord, fields: dict[str, object], add_lists: bool) -> None:
    for name, value in fields.items():
        if name in SCALAR_FIELDS:
            setattr(learner, SCALAR_FIELDS[name], value)
        elif name in FLAG_FIELDS:
            setattr(learner, FLAG_FIELDS[name], value)
        elif name in LIST_FIELDS:
            current: list[str] = getattr(learner, LIST_FIELDS[name])
            # tbook-api.md: updates add filters, locations and countries; contact e-mails are replaced.
            if add_lists and name != "contactEmail":
                current.extend(v for v in value if v not in current)  # type: ignore[union-attr]
            else:
                setattr(learner, LIST_FIELDS[name], list(value))  # type: ignore[call-overload]
