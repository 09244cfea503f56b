"""The sandbox's learners at scale: getAllLearners, updateLearner's additions and removeLearnerSession's sessions."""

from __future__ import annotations

import pytest

from tests.sandbox.test_api import assert_error

JANE = {"identifierType": "email", "identifier": "jane.doe@example.com"}


def learner(api, auth, login: str = "jane.doe@example.com") -> dict:
    return api.post("/api/getOneLearner", headers=auth, data={"identifier": login}).json


def update(api, auth, **fields: str) -> dict:
    response = api.post("/api/updateLearner", headers=auth, data={**JANE, **fields})
    assert response.status_code == 200, response.json
    return response.json


def remove(api, auth, filter_: str, location: str):
    return api.post("/api/removeLearnerSession", headers=auth, data={**JANE, "filter": filter_, "location": location})


def insert(api, auth, number: int, entity: str = "24") -> dict:
    data = {
        "entity[identifier]": entity,
        "login": f"learner{number}@example.com",
        "civility": "m",
        "lastname": f"Learner {number}",
        "firstname": "Test",
        "externalID": str(5000 + number),
        "filter[0]": "Onboarding",
    }
    response = api.post("/api/insertLearner", headers=auth, data=data)
    assert response.status_code == 200, response.json
    return response.json


class TestManyLearners:
    def test_thousands_are_listed_per_entity_and_found_by_each_identifier(self, api, auth):
        for number in range(1200):
            insert(api, auth, number, entity="24" if number % 2 else "25")
        everyone = api.get("/api/getAllLearners", headers=auth).json
        assert len(everyone) == 1201
        assert [x["learnerID"] for x in everyone] == [str(i) for i in range(1, 1202)]  # in learnerID order
        lyon = api.get("/api/getAllLearners/25", headers=auth).json
        assert len(lyon) == 600 and {x["entity"]["entityID"] for x in lyon} == {"25"}
        assert learner(api, auth, "learner1199@example.com")["learnerID"] == "1201"
        external = {"identifierType": "externalId", "identifier": "6199"}
        assert api.post("/api/getOneLearner", headers=auth, data=external).json["login"] == "learner1199@example.com"

    def test_a_login_stays_unique(self, api, auth):
        insert(api, auth, 1)
        data = {"entity[identifier]": "25", "login": "learner1@example.com", "civility": "m", "lastname": "X"}
        response = api.post("/api/insertLearner", headers=auth, data={**data, "firstname": "Y"})
        assert_error(response, 409, "conflict")

    def test_an_external_id_changed_by_an_update_finds_the_learner(self, api, auth):
        update(api, auth, externalID="777")
        find = lambda ext: api.post(  # noqa: E731
            "/api/getOneLearner", headers=auth, data={"identifierType": "externalId", "identifier": ext}
        )
        assert find("777").json["login"] == "jane.doe@example.com"
        assert_error(find("1001"), 404, "not_found")


class TestUpdateAddsToLists:
    def test_filters_locations_and_countries_are_added_contact_emails_replaced(self, api, auth):
        update(api, auth, **{"filter[0]": "Session 2", "location[0]": "Lyon", "country[0]": "Spain"})
        jane = update(api, auth, **{"filter[0]": "Session 2", "contactEmail[0]": "a@example.com"})
        assert jane["filter"] == ["Session 1", "Session 2"]
        assert jane["location"] == ["Paris", "Lyon"]
        assert jane["country"] == ["France", "Spain"]
        assert jane["contactEmail"] == ["a@example.com"]

    def test_only_the_posted_fields_change(self, api, auth):
        jane = update(api, auth, jobTitle="Trainer")
        assert (jane["jobTitle"], jane["lastname"], jane["filter"], jane["location"]) == (
            "Trainer",
            "Doe",
            ["Session 1"],
            ["Paris"],
        )


class TestSessions:
    """A learner is in each session of one of its filters and one of its locations."""

    def test_leaving_the_sessions_of_a_filter_removes_that_filter_only(self, api, auth):
        update(api, auth, **{"filter[0]": "Session 2"})
        response = remove(api, auth, "Session 2", "Paris")
        assert response.status_code == 200
        assert (response.json["filter"], response.json["location"]) == (["Session 1"], ["Paris"])

    def test_a_value_goes_once_every_session_with_it_is_left(self, api, auth):
        update(api, auth, **{"filter[0]": "Session 2", "location[0]": "Lyon"})
        assert remove(api, auth, "Session 1", "Lyon").status_code == 200
        jane = remove(api, auth, "Session 2", "Paris").json
        assert (jane["filter"], jane["location"]) == (["Session 1", "Session 2"], ["Paris", "Lyon"])
        jane = remove(api, auth, "Session 2", "Lyon").json
        assert (jane["filter"], jane["location"]) == (["Session 1"], ["Paris"])

    def test_a_session_left_cannot_be_left_again(self, api, auth):
        update(api, auth, **{"filter[0]": "Session 2", "location[0]": "Lyon"})
        assert remove(api, auth, "Session 1", "Lyon").status_code == 200
        assert_error(remove(api, auth, "Session 1", "Lyon"), 404, "not_found")
        assert learner(api, auth)["filter"] == ["Session 1", "Session 2"]

    def test_a_value_given_again_rejoins_its_sessions(self, api, auth):
        update(api, auth, **{"location[0]": "Lyon"})
        remove(api, auth, "Session 1", "Lyon")  # Lyon goes: Session 1 was its only filter
        assert learner(api, auth)["location"] == ["Paris"]
        update(api, auth, **{"location[0]": "Lyon"})
        assert remove(api, auth, "Session 1", "Lyon").status_code == 200

    @pytest.mark.parametrize("filter_, location", [("Session 9", "Paris"), ("Session 1", "Lyon")])
    def test_a_session_the_learner_is_not_in_is_not_found(self, api, auth, filter_, location):
        assert_error(remove(api, auth, filter_, location), 404, "not_found")
