"""The sync's plan, worked out without I/O: what to insert, update and take out of sessions in T-book, as data.

What the plan assumes of T-book, where tbook-api.md is short: updateLearner changes only the parameters posted
and *adds* filters, locations and countries to the learner's; a learner is in the session of each of its
filters with each of its locations; removeLearnerSession takes it out of one such session, and a filter (or a
location) goes from the learner once it has left every session it had with it. The sandbox behaves so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.tbook import Learner
from app.tbook import fields as tbook

INSERT, UPDATE, UNCHANGED, BLOCKED = "insert", "update", "unchanged", "blocked"
ACTIONS = (INSERT, UPDATE, UNCHANGED, BLOCKED)

# What getAllLearners shows of a learner (tbook-api.md's example) and updateLearner takes: what a sync compares.
# externalID and assignation go with the insert only: T-book never shows them back, so a sync could not tell
# whether they differ, and would send them again on every run.
_SHOWN = ("civility", "lastname", "firstname", "code", "jobTitle", "seniority", "level", "contactEmail", "phone")
_SHOWN += ("filter", "location", "country", "testUser")
COMPARED = tuple(f for f in tbook.taken_by(tbook.UPDATE) if f.name in _SHOWN)
# T-book adds these on update rather than replacing them.
ADDED_ON_UPDATE = ("filter", "location", "country")
_INSERTED = tuple(f.name for f in tbook.taken_by(tbook.INSERT))
_ATTRIBUTES = {"jobTitle": "job_title", "contactEmail": "contact_email", "testUser": "test_user"}


@dataclass(frozen=True)
class LocalLearner:
    """A learner profile as the sync sees it: its T-book fields by T-book name (lists as sequences, flags 0/1)."""

    login: str
    fields: Mapping[str, Any]

    @property
    def entity_id(self) -> str:
        return str(self.fields.get("entityID") or "")


@dataclass(frozen=True)
class FieldChange:
    """One field that differs: T-book's value, and the profile's."""

    field: str
    before: Any
    after: Any

    def to_json(self) -> dict:
        return {"field": self.field, "before": _plain(self.before), "after": _plain(self.after)}


@dataclass(frozen=True)
class Session:
    """A session the learner leaves: one of its filters with one of its locations."""

    filter: str
    location: str

    def to_json(self) -> dict:
        return {"filter": self.filter, "location": self.location}


@dataclass(frozen=True)
class LearnerPlan:
    """What the sync does for one learner profile.

    `identifier` is the login as T-book spells it (for updateLearner and removeLearnerSession); `update` holds only
    the fields that differ (lists: the values to add); `remove_sessions` follow the update; `restore` is a second
    update for values that leaving the last session of the other list took with it. `notes` are differences
    T-book's API cannot settle; `problem` says why a BLOCKED profile is not synced.
    """

    login: str
    action: str
    entity_id: str
    identifier: str = ""
    learner_id: str | None = None
    changes: tuple[FieldChange, ...] = ()
    insert: Mapping[str, Any] = field(default_factory=dict)
    update: Mapping[str, Any] = field(default_factory=dict)
    remove_sessions: tuple[Session, ...] = ()
    restore: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    problem: str | None = None

    @property
    def writes(self) -> int:
        """Return the number of write calls the plan makes for this learner."""
        if self.action == INSERT:
            return 1
        return bool(self.update) + len(self.remove_sessions) + bool(self.restore)

    def to_json(self) -> dict:
        data: dict[str, Any] = {"login": self.login, "action": self.action, "entityID": self.entity_id}
        if self.learner_id is not None:
            data["learnerID"] = self.learner_id
        if self.insert:
            data["insert"] = {name: _plain(value) for name, value in self.insert.items()}
        if self.changes:
            data["changes"] = [change.to_json() for change in self.changes]
        if self.update:
            data["update"] = {name: _plain(value) for name, value in self.update.items()}
        if self.remove_sessions:
            data["removeSessions"] = [session.to_json() for session in self.remove_sessions]
        if self.restore:
            data["restore"] = {name: _plain(value) for name, value in self.restore.items()}
        if self.notes:
            data["notes"] = list(self.notes)
        if self.problem:
            data["problem"] = self.problem
        return data


@dataclass(frozen=True)
class TBookOnly:
    """A learner T-book has and no local profile names: reported, never deleted."""

    login: str
    learner_id: str
    entity_id: str
    name: str

    def to_json(self) -> dict:
        return {"login": self.login, "learnerID": self.learner_id, "entityID": self.entity_id, "name": self.name}


@dataclass(frozen=True)
class SyncPlan:
    """The whole plan: one LearnerPlan per local learner profile (by login), and T-book's learners left alone."""

    entities: tuple[str, ...]
    learners: tuple[LearnerPlan, ...]
    only_in_tbook: tuple[TBookOnly, ...] = ()
    # Teachers' profiles are not synced: insertLearner creates learners only, T-book creates its teachers.
    teachers: int = 0

    def of(self, action: str) -> list[LearnerPlan]:
        return [plan for plan in self.learners if plan.action == action]

    @property
    def counts(self) -> dict[str, int]:
        counts = {action: 0 for action in ACTIONS}
        for plan in self.learners:
            counts[plan.action] += 1
        counts["sessions"] = sum(len(plan.remove_sessions) for plan in self.learners)
        counts["only_in_tbook"] = len(self.only_in_tbook)
        counts["teachers"] = self.teachers
        counts["writes"] = sum(plan.writes for plan in self.learners)
        return counts

    def to_json(self) -> dict:
        return {
            "entities": list(self.entities),
            "counts": self.counts,
            # Unchanged learners are counted, not listed, unless something about them is worth reading.
            "learners": [p.to_json() for p in self.learners if p.action != UNCHANGED or p.notes],
            "onlyInTBook": [learner.to_json() for learner in self.only_in_tbook],
        }


def build(
    profiles: Iterable[LocalLearner],
    listings: Mapping[str, Iterable[Learner]],
    refused: Mapping[str, str] | None = None,
) -> SyncPlan:
    """Return the plan for `profiles`, given T-book's learners of each entity read (`listings`).

    `refused` names the entities T-book would not list, and why: their profiles are BLOCKED with that reason.
    Profiles are matched to T-book's learners by login, without case, across every entity read.
    """
    refused = refused or {}
    tbook_learners = [learner for listing in listings.values() for learner in listing]
    by_login = {learner.login.lower(): learner for learner in tbook_learners}
    plans = []
    for profile in sorted(profiles, key=lambda p: p.login):
        problem = refused.get(profile.entity_id) or profile_problem(profile)
        plans.append(plan_learner(profile, by_login.get(profile.login.lower()), problem=problem))
    local = {plan.login.lower() for plan in plans}
    only = [
        TBookOnly(learner.login, learner.learner_id, learner.entity_id, f"{learner.firstname} {learner.lastname}")
        for learner in tbook_learners
        if learner.login.lower() not in local
    ]
    return SyncPlan(tuple(sorted({*listings, *refused})), tuple(plans), tuple(sorted(only, key=lambda o: o.login)))


def profile_problem(profile: LocalLearner) -> str | None:
    """Return what keeps a profile from being sent to T-book (a required field, a value T-book refuses), or None."""
    for name in tbook.required_by(tbook.INSERT):
        if not _clean(tbook.BY_NAME[name], profile.fields.get(name)):
            return f"{name}: is required"
    for spec in tbook.taken_by(tbook.INSERT):
        problem = spec.problem(_clean(spec, profile.fields.get(spec.name)))
        if problem:
            return f"{spec.name}: {problem}"
    return None


def plan_learner(profile: LocalLearner, found: Learner | None, *, problem: str | None = None) -> LearnerPlan:
    """Return what to do so that T-book's learner (`found`, None when T-book has none) matches the profile."""
    entity = profile.entity_id
    if problem:
        return LearnerPlan(profile.login, BLOCKED, entity, problem=problem)
    if found is None:
        insert = {}
        for name in _INSERTED:
            value = _clean(tbook.BY_NAME[name], profile.fields.get(name))
            if value not in ("", ()):
                insert[name] = list(value) if isinstance(value, tuple) else value
        return LearnerPlan(profile.login, INSERT, entity, identifier=profile.login, insert=insert)
    base = {"identifier": found.login, "learner_id": found.learner_id}
    if found.entity_id != entity:
        problem = (
            f"T-book has this learner in entity {found.entity_id}, the profile says {entity}: T-book cannot move a "
            "learner to another entity (updateLearner takes no entity)"
        )
        return LearnerPlan(profile.login, BLOCKED, entity, **base, problem=problem)
    changes, update, notes = _differences(profile, found)
    sessions, restore, session_notes = _sessions(profile, found, update)
    notes += session_notes
    if update or sessions:
        return LearnerPlan(
            profile.login,
            UPDATE,
            entity,
            **base,
            changes=tuple(changes),
            update=update,
            remove_sessions=sessions,
            restore=restore,
            notes=tuple(notes),
        )
    return LearnerPlan(profile.login, UNCHANGED, entity, **base, changes=tuple(changes), notes=tuple(notes))


def _differences(profile: LocalLearner, found: Learner) -> tuple[list[FieldChange], dict[str, Any], list[str]]:
    """Return the fields that differ, what updateLearner must post for them, and what it cannot change."""
    changes: list[FieldChange] = []
    update: dict[str, Any] = {}
    notes: list[str] = []
    for spec in COMPARED:
        want = _clean(spec, profile.fields.get(spec.name))
        have = _clean(spec, getattr(found, _ATTRIBUTES.get(spec.name, spec.name)))
        if spec.name in ADDED_ON_UPDATE:
            if set(want) == set(have):
                continue
            changes.append(FieldChange(spec.name, have, want))
            added = [value for value in want if value not in have]
            if added:
                update[spec.name] = added
            gone = [value for value in have if value not in want]
            if spec.name == "country" and gone:
                notes.append(f"country {_listed(gone)} stays: T-book adds countries and has no call that removes one")
            continue
        if want == have:
            continue
        changes.append(FieldChange(spec.name, have, want))
        if want in ("", ()):
            # The client leaves empty parameters out, and T-book "will only update the parameters that are posted".
            notes.append(f"{spec.name} stays {_shown(have)}: updateLearner cannot empty a field")
        else:
            update[spec.name] = list(want) if isinstance(want, tuple) else want
    return changes, update, notes


def _sessions(
    profile: LocalLearner, found: Learner, update: Mapping[str, Any]
) -> tuple[tuple[Session, ...], dict[str, list[str]], list[str]]:
    """Return the sessions to leave after the update, the values to give back after that, and what cannot go."""
    wanted_filters = _clean(tbook.BY_NAME["filter"], profile.fields.get("filter"))
    wanted_locations = _clean(tbook.BY_NAME["location"], profile.fields.get("location"))
    filters = [*found.filter, *update.get("filter", ())]
    locations = [*found.location, *update.get("location", ())]
    sessions = tuple(
        Session(f, loc) for f in filters for loc in locations if f not in wanted_filters or loc not in wanted_locations
    )
    notes = []
    for name, values, wanted, other in (
        ("filter", filters, wanted_filters, "location"),
        ("location", locations, wanted_locations, "filter"),
    ):
        stuck = [value for value in values if value not in wanted]
        if stuck and not (locations if name == "filter" else filters):
            notes.append(
                f"{name} {_listed(stuck)} stays: removeLearnerSession needs a filter and a location, and the "
                f"learner has no {other}"
            )
    left_filters, left_locations = leave_sessions(filters, locations, sessions)
    restore = {
        name: [value for value in wanted if value not in left]
        for name, wanted, left in (
            ("filter", wanted_filters, left_filters),
            ("location", wanted_locations, left_locations),
        )
    }
    return sessions, {name: values for name, values in restore.items() if values}, notes


def leave_sessions(
    filters: Iterable[str], locations: Iterable[str], sessions: Iterable[Session]
) -> tuple[list[str], list[str]]:
    """Return the learner's filters and locations once it has left `sessions`, one after the other.

    A value goes when the learner has left every session it had with it (see the module's docstring).
    """
    filters, locations = list(filters), list(locations)
    left: set[tuple[str, str]] = set()
    for session in sessions:
        if session.filter not in filters or session.location not in locations:
            continue
        left.add((session.filter, session.location))
        filter_gone = all((session.filter, loc) in left for loc in locations)
        location_gone = all((f, session.location) in left for f in filters)
        if filter_gone:
            filters.remove(session.filter)
        if location_gone:
            locations.remove(session.location)
    return filters, locations


def _clean(spec: tbook.LearnerField, value: Any) -> Any:
    """Return a value as the sync compares it: stripped text, a tuple of stripped texts, or a 0/1 flag."""
    if spec.shape == tbook.LIST:
        items = [value] if isinstance(value, str) else (value or ())
        return tuple(dict.fromkeys(str(item).strip() for item in items if str(item).strip()))
    if spec.shape == tbook.FLAG:
        return 1 if str(value).strip() in ("1", "True", "true") else 0
    return "" if value is None else str(value).strip()


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return _listed(value) if value else "empty"
    return repr(value) if value != "" else "empty"


def _listed(values: Iterable[str]) -> str:
    return ", ".join(repr(value) for value in values)
