"""Every T-book endpoint through the client, over real HTTP against the sandbox."""

from __future__ import annotations

import httpx
import pytest

from app.tbook import AuthToken, Entity, Learner, TBookConflict, TBookForbidden, TBookNotFound

NEW_LEARNER = {
    "entityID": "25",
    "login": "paul.martin@example.com",
    "civility": "m",
    "lastname": "Martin",
    "firstname": "Paul",
    "jobTitle": "Engineer",
    "contactEmail": ["paul@example.com"],
    "filter": ["Onboarding", "May 2018"],
    "location": ["Lyon"],
    "country": ["France"],
    "testUser": 1,
    "externalID": "2390",
    "assignation": 0,
}


def test_get_token(client):
    token = client.get_token()
    assert token.token_type == "bearer" and token.expires_in == 3600
    assert token.expires_at == token.obtained_at + 3600


def test_get_client(client):
    assert client.get_client().name == "Demo Organisation"


def test_entities(client):
    assert [e.entity_id for e in client.get_entities()] == ["24", "25"]
    assert client.get_entity(24) == Entity(
        "24", "Paris Campus", "Head office campus", "2 avenue Charles de Gaulle", "Paris", "75008", "FR"
    )
    with pytest.raises(TBookForbidden):
        client.get_entity("99")


def test_learners(client):
    jane = client.get_learner(1)
    assert (jane.login, jane.entity_id, jane.entity_name, jane.filter) == (
        "jane.doe@example.com",
        "24",
        "Paris Campus",
        ["Session 1"],
    )
    assert client.get_all_learners() == [jane]
    assert client.get_all_learners(25) == []
    assert client.find_learner("externalId", "1001") == jane
    with pytest.raises(TBookNotFound):
        client.find_learner("email", "nobody@example.com")


def test_insert_learner(client, sandbox):
    learner = client.insert_learner(NEW_LEARNER)
    assert isinstance(learner, Learner)
    assert (learner.entity_name, learner.filter, learner.test_user, learner.job_title) == (
        "Lyon Campus",
        ["Onboarding", "May 2018"],
        1,
        "Engineer",
    )
    fields = sandbox.requests("/api/insertLearner")[0]["fields"]
    assert fields["entity[identifier]"] == "25" and fields["filter[1]"] == "May 2018"
    assert fields["entity[create]"] == "0" and fields["sendingConnectionEmail"] == "0"
    with pytest.raises(TBookConflict):
        client.insert_learner(NEW_LEARNER)


def test_insert_learner_creating_its_entity(client):
    learner = client.insert_learner({**NEW_LEARNER, "entityID": "Nantes Campus"}, entity_create=True)
    assert client.get_entity(learner.entity_id).name == "Nantes Campus"


def test_update_learner(client):
    changes = {"jobTitle": "Trainer", "filter": ["S2"]}
    learner = client.update_learner("email", "jane.doe@example.com", changes)
    assert learner.job_title == "Trainer" and learner.filter == ["Session 1", "S2"]


def test_remove_learner_session(client):
    learner = client.remove_learner_session("learnerId", "1", "Session 1", "Paris")
    assert learner.filter == [] and learner.location == []


def test_auth_token_url_signs_in_once(client, sandbox):
    token = client.auth_token(1, "login", "jane.doe@example.com", "http://gateway.example/sso/error")
    assert isinstance(token, AuthToken) and "***" in repr(token)
    first = httpx.get(token.authentification_url)
    assert first.status_code == 302 and first.headers["Location"] == "/home"
    again = httpx.get(token.authentification_url)
    assert again.headers["Location"] == "http://gateway.example/sso/error"


def test_local_argument_errors_send_nothing(client, sandbox):
    with pytest.raises(ValueError, match="identifier_type"):
        client.find_learner("phone", "1")
    with pytest.raises(ValueError, match="password"):
        client.insert_learner({**NEW_LEARNER, "password": "secret"})
    with pytest.raises(ValueError):
        client.auth_token(3, "login", "jane.doe@example.com", "http://x")
    assert sandbox.requests() == []
