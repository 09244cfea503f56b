"""What a sync plans from: the local learner profiles, and T-book's learners of their entities (getAllLearners)."""

from __future__ import annotations

from dataclasses import replace

from app.services.catalog.profiles import FIELD_ATTRS
from app.services.tbook_connection import clients
from app.services.tbook_connection.sync_plan import LocalLearner, SyncPlan, build
from app.store import profiles as stored_profiles
from app.tbook import TBookClient, TBookForbidden, TBookNotFound

# T-book field name -> Profile column, for the learner's own fields (not the gateway's userType).
_COLUMNS = {name: column for name, column in FIELD_ATTRS.items() if name != "userType"}


def local_learners(entity_id: str | None = None) -> list[LocalLearner]:
    """Return the learners' profiles (of one entity when given) in T-book's field names, by login."""
    return [
        LocalLearner(view.login, {name: getattr(view, column) for name, column in _COLUMNS.items()})
        for view in stored_profiles.learners()
        if entity_id is None or view.entity_id == str(entity_id)
    ]


def dry_run(entity_id: str | None = None) -> SyncPlan:
    """Return the plan a sync would carry out now, with the gateway's shared client; T-book is only read.

    Raises app.tbook.TBookError when T-book cannot be read (credentials refused, T-book down).
    """
    return read_plan(clients.client(), entity_id)


def read_plan(client: TBookClient, entity_id: str | None = None) -> SyncPlan:
    """Return the plan: the profiles against T-book's learners, read once per entity the profiles name.

    An entity T-book will not list (unknown, or another client's) blocks its profiles, with T-book's reason;
    any other T-book error (credentials refused, T-book down) is raised: without the listings there is no plan.
    """
    profiles = local_learners(entity_id)
    # An entityID that is not a number is the profile's problem (sync_plan.profile_problem), not a listing to ask for.
    named = {p.entity_id for p in profiles if p.entity_id.isdigit()}
    entities = sorted(named | ({str(entity_id)} if entity_id else set()), key=_entity_order)
    listings, refused = {}, {}
    for entity in entities:
        try:
            listings[entity] = client.get_all_learners(entity)
        except (TBookNotFound, TBookForbidden) as err:
            refused[entity] = f"T-book would not list entity {entity}: {err.message}"
    return replace(build(profiles, listings, refused), teachers=stored_profiles.teacher_count(entity_id))


def _entity_order(entity: str) -> tuple[int, str]:
    return (int(entity), "") if entity.isdigit() else (0, entity)
