"""Provisioning: make sure a learner exists in T-book before signing in by login (getOneLearner, insertLearner).

A learner found or created once is remembered (app/store/known_learners.py): its later clicks skip the lookup
and make one T-book call, /authToken. When T-book then says it does not know the learner, the memory is
dropped (`forget`) and the next click looks the learner up again.
"""

from __future__ import annotations

from app.services.audit import trail as audit
from app.services.catalog import profiles
from app.services.tbook_connection.clients import account_key
from app.store import known_learners
from app.store.views import ProfileView
from app.tbook import TBookClient, TBookError, TBookNotFound
from app.tbook import fields as tbook

_INSERTED = frozenset(field.name for field in tbook.taken_by(tbook.INSERT))


def learner_fields(profile: ProfileView) -> dict:
    """Return the profile's fields that insertLearner takes, by T-book name (not the link's connectionType)."""
    return {name: value for name, value in profiles.to_tbook(profile).items() if name in _INSERTED}


def learner_exists(client: TBookClient, login: str) -> bool:
    """Return whether T-book has a learner with this login (an unknown one may be a 404, empty or an envelope).

    Raises app.tbook.TBookError when T-book cannot be asked.
    """
    try:
        client.find_learner("email", login)
    except TBookNotFound:
        return False
    return True


def is_known(profile: ProfileView) -> bool:
    """Return whether T-book was seen to have this learner, under the credentials in force."""
    return known_learners.is_known(profile.login, account_key())


def forget(login: str) -> None:
    """Drop the memory that T-book has `login` (it said otherwise): the next click provisions again."""
    known_learners.forget(login, account_key())


def forget_after_sign_in_error(correlation_id: str) -> None:
    """T-book sent the click `correlation_id` to its errorUrl: forget its learner, who may be unknown to T-book.

    T-book does not say why; any failed sign-in costs the next click of that learner one lookup, no more.
    """
    known_learners.forget_clicker(correlation_id, account_key())


def ensure_learner(
    client: TBookClient, profile: ProfileView, *, correlation_id: str | None, link_slug: str | None
) -> str:
    """Return "exists" or "created" once T-book has a learner with the profile's login, and remember it.

    An insert that fails, whatever the reason, is followed by a lookup: tbook-api.md gives no status the
    meaning "this login exists" (409 is "conflicts with another request"), and a concurrent click or a
    dropped connection may have created the learner all the same. Raises app.tbook.TBookError (the
    insert's) when T-book still has no such learner, or cannot be asked.
    """
    if learner_exists(client, profile.login):
        # Remembered at once: should the click run out of time on /authToken, the next one still skips this.
        known_learners.remember(profile.login, account_key(), "found")
        return "exists"
    detail: dict = {"entityID": profile.entity_id}
    try:
        client.insert_learner(learner_fields(profile))
        outcome = "created"
    except TBookError as err:
        try:
            found = learner_exists(client, profile.login)
        except TBookError:
            found = False
        if not found:
            raise
        outcome = "exists"
        detail["insert_failed"] = f"{err.status or 'no answer'} {err.code}"
    known_learners.remember(profile.login, account_key(), "created" if outcome == "created" else "found")
    audit.record(
        "provision",
        outcome,
        actor=profile.login,
        link_slug=link_slug,
        correlation_id=correlation_id,
        detail=detail,
    )
    return outcome
