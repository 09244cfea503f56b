"""The sandbox's in-memory, thread-safe T-book data: entities, learners and teachers, indexed for thousands."""

from __future__ import annotations

import copy
import threading

from sandbox import seed
from sandbox.errors import ApiError
from sandbox.records import FLAG_FIELDS, LIST_FIELDS, SCALAR_FIELDS, EntityRecord, LearnerRecord

IDENTIFIER_TYPES = ("email", "learnerId", "externalId")


class Store:
    """Entities and learners of the sandbox's client; every method returns copies.

    Learners are indexed by login and externalID and numbered by a counter, so that a lookup or an insert
    costs the same with ten learners or ten thousand. Methods raise :class:`ApiError` with T-book's status for
    unknown (404), foreign (403) or conflicting (409) data, so the API can render them as they are.
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        """Restore the seed data."""
        with self._lock:
            self._entities = {e.entity_id: e for e in seed.seed_entities()}
            self._learners: dict[str, LearnerRecord] = {}
            self._by_login: dict[str, str] = {}
            # externalID need not be unique: each maps to its learners in learnerID order (the first one wins).
            self._by_external: dict[str, list[str]] = {}
            self._last_id = 0
            for learner in seed.seed_learners():
                self._add(learner)
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
            return copy.copy(self._own_entity(entity_id))

    def _own_entity(self, entity_id: str) -> EntityRecord:
        entity = self._entities.get(str(entity_id))
        if entity is None:
            raise ApiError(404, f"No entity with entityID {entity_id}")
        if entity.owner != seed.OWN_CLIENT:
            raise ApiError(403, f"Entity {entity_id} is not accessible to this client")
        return entity

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

    def learners_json(self, entity_id: str | None = None) -> list[dict]:
        """Return the learners of one entity, or of all the client's entities, as ``getAllLearners`` shows them."""
        with self._lock:
            if entity_id:
                wanted = {self._own_entity(entity_id).entity_id}
            else:
                wanted = {e.entity_id for e in self._entities.values() if e.owner == seed.OWN_CLIENT}
            return [
                learner.to_json(self._entities[learner.entity_id])
                for learner in self._learners.values()
                if learner.entity_id in wanted
            ]

    def find(self, identifier_type: str, identifier: str) -> tuple[LearnerRecord, EntityRecord]:
        """Return the learner found by email (login), learnerId or externalId; raise 404 when none."""
        if identifier_type not in IDENTIFIER_TYPES:
            raise ApiError(400, "identifierType must be one of email, learnerId, externalId")
        with self._lock:
            learner_id = self._learner_id(identifier_type, identifier)
            if learner_id is None:
                raise ApiError(404, f"No learner with {identifier_type} {identifier}")
            learner = self._learners[learner_id]
            return learner.copy(), self.entity(learner.entity_id)

    def _learner_id(self, identifier_type: str, identifier: str) -> str | None:
        if not identifier:
            return None
        if identifier_type == "email":
            return self._by_login.get(identifier)
        if identifier_type == "learnerId":
            return identifier if identifier in self._learners else None
        ids = self._by_external.get(identifier)
        return ids[0] if ids else None

    def find_teacher(self, attribute: str, identifier: str) -> tuple[LearnerRecord, EntityRecord] | None:
        """Return the teacher whose `attribute` (login, external_id or learner_id) is `identifier`, or None."""
        with self._lock:
            for teacher in self._teachers.values():
                if identifier and getattr(teacher, attribute) == identifier:
                    return teacher.copy(), self.entity(teacher.entity_id)
        return None

    def insert(self, entity: EntityRecord, login: str, fields: dict[str, object]) -> LearnerRecord:
        """Create a learner from cleaned fields; raise 409 when the login is taken."""
        with self._lock:
            if login in self._by_login:
                raise ApiError(409, f"A learner with login {login} already exists")
            learner = LearnerRecord(str(self._last_id + 1), login, entity.entity_id, "", "", "")
            _apply(learner, fields, add_lists=False)
            self._add(learner)
            return learner.copy()

    def _add(self, learner: LearnerRecord) -> None:
        self._learners[learner.learner_id] = learner
        self._by_login[learner.login] = learner.learner_id
        self._index_external(learner, None)
        self._last_id = max(self._last_id, int(learner.learner_id))

    def _index_external(self, learner: LearnerRecord, before: str | None) -> None:
        if before == learner.external_id:
            return
        if before:
            self._by_external[before].remove(learner.learner_id)
            if not self._by_external[before]:
                del self._by_external[before]
        if learner.external_id:
            ids = self._by_external.setdefault(learner.external_id, [])
            ids.append(learner.learner_id)
            ids.sort(key=int)

    def update(self, learner_id: str, fields: dict[str, object], entity_id: str | None = None) -> LearnerRecord:
        """Change only the given fields; filter, location and country are added to the existing ones."""
        with self._lock:
            learner = self._learners[learner_id]
            before = learner.external_id
            _apply(learner, fields, add_lists=True)
            self._index_external(learner, before)
            if entity_id is not None:
                learner.entity_id = entity_id
            return learner.copy()

    def upsert(self, entity: EntityRecord, login: str, external_id: str, fields: dict[str, object]) -> LearnerRecord:
        """Update the learner with this externalID (when given) or login, or create it; return it.

        This is what an LTI launch does: "if the user already exists, he will be connected seamlessly,
        else, he will be created on our platform and connected".
        """
        with self._lock:
            found = [self._learner_id("externalId", external_id), self._by_login.get(login)]
            ids = [learner_id for learner_id in found if learner_id is not None]
            if ids:
                return self.update(min(ids, key=int), fields, entity_id=entity.entity_id)
            return self.insert(entity, login, fields)

    def remove_session(self, learner_id: str, filter_: str, location: str) -> LearnerRecord:
        """Take a learner out of the session ``filter`` × ``location``; raise 404 when not in it.

        A learner is in every session of one of its filters and one of its locations. Leaving one session
        keeps the others: a filter (or location) goes from the learner's lists once the learner has left every
        session it had with it (sandbox/records.py, ``left_sessions``).
        """
        with self._lock:
            learner = self._learners[learner_id]
            left = learner.left_sessions
            session = (filter_, location)
            if filter_ not in learner.filter or location not in learner.location or session in left:
                raise ApiError(404, f"Learner {learner_id} is not in session {filter_!r} / {location!r}")
            left.add(session)
            filter_gone = all((filter_, other) in left for other in learner.location)
            location_gone = all((other, location) in left for other in learner.filter)
            if filter_gone:
                learner.filter.remove(filter_)
            if location_gone:
                learner.location.remove(location)
            learner.left_sessions = {(f, loc) for f, loc in left if f in learner.filter and loc in learner.location}
            return learner.copy()


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
                added = [v for v in dict.fromkeys(value) if v not in current]  # type: ignore[call-overload]
                current.extend(added)
                if name in ("filter", "location"):
                    # A value given again joins every session it makes with the other list.
                    side = 0 if name == "filter" else 1
                    learner.left_sessions = {s for s in learner.left_sessions if s[side] not in added}
            else:
                setattr(learner, LIST_FIELDS[name], list(value))  # type: ignore[call-overload]
    if not add_lists:
        learner.left_sessions = set()
