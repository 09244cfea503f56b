"""Encoding learner fields as T-book form fields, and parsing T-book JSON into typed objects."""

from __future__ import annotations

import pytest

from app.tbook import AccessToken, Learner
from app.tbook.form_encoding import encode_learner_fields


def test_encodes_t_book_form_fields():
    assert encode_learner_fields(
        {
            "entityID": 24,
            "login": "jane@example.com",
            "contactEmail": ["a@example.com", "b@example.com"],
            "filter": ["Session 1", "May 2018"],
            "location": "Paris",
            "testUser": True,
            "assignation": 0,
            "phone": None,
            "code": "",
        }
    ) == [
        ("entity[identifier]", "24"),
        ("login", "jane@example.com"),
        ("contactEmail[0]", "a@example.com"),
        ("contactEmail[1]", "b@example.com"),
        ("filter[0]", "Session 1"),
        ("filter[1]", "May 2018"),
        ("location[0]", "Paris"),
        ("testUser", "1"),
        ("assignation", "0"),
    ]


def test_unknown_fields_are_refused():
    with pytest.raises(ValueError, match="jobtitle"):
        encode_learner_fields({"jobtitle": "typo"})


def test_learner_from_documented_example():
    learner = Learner.from_json(
        {
            "learnerID": 1,
            "login": "john@example.com",
            "entity": {"entityID": 24, "entityName": "Entity n°1"},
            "civility": "m",
            "lastname": "Doe",
            "firstname": "John",
            "code": "23563",
            "jobTitle": "Communication officer",
            "seniority": "3",
            "level": "Master",
            "contactEmail": ["john@example.com"],
            "phone": "+33600000000",
            "filter": ["Session 1", "May 2018"],
            "location": ["Paris"],
            "country": ["France"],
            "testUser": 0,
            "externalID": 2390,
        }
    )
    assert (learner.learner_id, learner.entity_id, learner.job_title, learner.external_id) == (
        "1",
        "24",
        "Communication officer",
        "2390",
    )


def test_access_token_expiry_and_masked_repr():
    token = AccessToken("eyJ.secret.jwt", "bearer", 3600, obtained_at=1000.0)
    assert token.expires_at == 4600.0
    assert token.is_fresh(4539.0, margin=60) and not token.is_fresh(4541.0, margin=60)
    assert "eyJ" not in repr(token) and "eyJ" not in str(token)
