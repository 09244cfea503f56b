"""Provisioning: make sure a learner exists in T-book before signing in by login (getOneLearner, insertLearner)."""

from __future__ import annotations

from app.services.audit import trail as audit
from app.services.catalog import profiles
from app.store.models import Profile
from app.tbook import TBookClient, TBookConflict, TBookNotFound
from app.tbook import fields as tbook

_INSERTED = frozenset(field.name for field in tbook.taken_by(tbook.INSERT))


def learner_fields(profile: Profile) -> dict:
    """Return the profile's fields that insertLearner takes, by T-book name (not the link's connectionType)."""
    return {name: value for name, value in profiles.to_tbook(profile).items() if name in _INSERTED}


def ensure_learner(client: TBookClient, profile: Profile, *, correlation_id: str | None, link_slug: str | None) -> str:
    """Return "exists" or "created" once T-book has a learner with the profile's login.

    Raises app.tbook.TBookError when T-book cannot be asked or refuses the insert.
    """
    try:
        client.find_learner("email", profile.login)
        return "exists"
    except TBookNotFound:
        pass
    try:
        client.insert_learner(learner_fields(profile))
        outcome = "created"
    except TBookConflict:
        outcome = "exists"  # created by a concurrent click between our lookup and our insert
    audit.record(
        "provision",
        outcome,
        actor=profile.login,
        link_slug=link_slug,
        correlation_id=correlation_id,
        detail={"entityID": profile.entity_id},
    )
    return outcome
