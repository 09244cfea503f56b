"""The sandbox's T-book API: every endpoint, its documented errors and the token lifecycle."""

from __future__ import annotations

from urllib.parse import urlsplit

import jwt
import pytest

CREDENTIALS = {"grant_type": "client_credential", "client_id": "sandbox-client", "client_secret": "sandbox-secret"}
NEW_LEARNER = {
    "entity[identifier]": "24",
    "login": "john.smith@example.com",
    "civility": "m",
    "lastname": "Smith",
    "firstname": "John",
    "code": "23563",
    "jobTitle": "Communication officer",
    "seniority": "3",
    "level": "Master",
    "contactEmail[0]": "john@example.com",
    "contactEmail[1]": "js@example.com",
    "phone": "+33600000000",
    "filter[1]": "May 2018",
    "filter[0]": "Session 1",
    "location[0]": "Paris",
    "country[0]": "France",
    "testUser": "1",
    "externalID": "23",
    "assignation": "0",
    "sendingConnectionEmail": "0",
    "password": "ignored-by-sandbox",
}


def assert_error(response, status: int, code: str) -> str:
    assert response.status_code == status
    assert response.json["error"]["code"] == code
    return response.json["error"]["message"]


class TestToken:
    def test_issues_an_expiring_hs256_jwt(self, api, clock):
        response = api.post("/api/token", data=CREDENTIALS)
        assert response.status_code == 200
        body = response.json
        assert body["token_type"] == "bearer" and body["expires_in"] == 120
        header = jwt.get_unverified_header(body["access_token"])
        claims = jwt.decode(body["access_token"], options={"verify_signature": False})
        assert header["alg"] == "HS256"
        assert claims["exp"] == int(clock.now) + 120

    @pytest.mark.parametrize("field, value", [("client_secret", "wrong"), ("client_id", "someone-else")])
    def test_wrong_credentials_are_unauthorized(self, api, field, value):
        response = api.post("/api/token", data={**CREDENTIALS, field: value})
        message = assert_error(response, 401, "unauthorized")
        assert "wrong" not in message and "sandbox-secret" not in message

    @pytest.mark.parametrize("missing", ["grant_type", "client_id", "client_secret"])
    def test_missing_parameter_is_bad_request(self, api, missing):
        data = {k: v for k, v in CREDENTIALS.items() if k != missing}
        assert missing in assert_error(api.post("/api/token", data=data), 400, "bad_request")

    def test_other_grant_type_is_bad_request(self, api):
        response = api.post("/api/token", data={**CREDENTIALS, "grant_type": "password"})
        assert_error(response, 400, "bad_request")

    def test_wrong_method_is_json_405(self, api):
        response = api.get("/api/token")
        assert_error(response, 405, "method_not_allowed")
        assert response.headers["Allow"].startswith(("POST", "OPTIONS"))

    def test_token_expires(self, api, auth, clock):
        assert api.get("/api/getClient", headers=auth).status_code == 200
        clock.advance(121)
        assert "expired" in assert_error(api.get("/api/getClient", headers=auth), 401, "unauthorized")

    def test_revoked_token_is_refused(self, api, auth):
        api.post("/_sandbox/tokens/revoke")
        assert_error(api.get("/api/getClient", headers=auth), 401, "unauthorized")

    @pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer not.a.jwt"])
    def test_missing_or_bad_token_is_unauthorized(self, api, header):
        headers = {"Authorization": header} if header else {}
        assert_error(api.get("/api/getEntities", headers=headers), 401, "unauthorized")


def test_unknown_api_path_is_json_404(api, auth):
    assert_error(api.get("/api/getCourses", headers=auth), 404, "not_found")


def test_get_client(api, auth):
    assert api.get("/api/getClient", headers=auth).json == {
        "name": "Demo Organisation",
        "logo": "static/demo-organisation.png",
        "description": "Demonstration client of the T-book sandbox",
        "city": "Paris",
        "address": "2 avenue Charles de Gaulle",
        "zip": "75008",
    }


class TestEntities:
    def test_lists_only_the_clients_entities(self, api, auth):
        entities = api.get("/api/getEntities", headers=auth).json
        assert [(e["entityID"], e["name"]) for e in entities] == [("24", "Paris Campus"), ("25", "Lyon Campus")]
        assert set(entities[0]) == {"entityID", "name", "description", "address", "city", "zip", "language"}

    def test_get_entity(self, api, auth):
        assert api.get("/api/getEntity/25", headers=auth).json["name"] == "Lyon Campus"

    def test_other_clients_entity_is_forbidden(self, api, auth):
        assert_error(api.get("/api/getEntity/99", headers=auth), 403, "forbidden")

    def test_unknown_entity_is_not_found(self, api, auth):
        assert_error(api.get("/api/getEntity/12345", headers=auth), 404, "not_found")


class TestLearners:
    def test_all_learners_in_the_documented_shape(self, api, auth):
        assert api.get("/api/getAllLearners", headers=auth).json == [
            {
                "learnerID": "1",
                "login": "jane.doe@example.com",
                "entity": {"entityID": "24", "entityName": "Paris Campus"},
                "civility": "mme",
                "lastname": "Doe",
                "firstname": "Jane",
                "code": "",
                "jobTitle": "",
                "seniority": "",
                "level": "",
                "contactEmail": [],
                "phone": "",
                "filter": ["Session 1"],
                "location": ["Paris"],
                "country": ["France"],
                "testUser": 0,
            }
        ]

    def test_learners_of_one_entity(self, api, auth):
        assert [x["learnerID"] for x in api.get("/api/getAllLearners/24", headers=auth).json] == ["1"]
        assert api.get("/api/getAllLearners/25", headers=auth).json == []
        assert_error(api.get("/api/getAllLearners/99", headers=auth), 403, "forbidden")
        assert_error(api.get("/api/getAllLearners/7", headers=auth), 404, "not_found")

    def test_get_one_learner(self, api, auth):
        assert api.get("/api/getOneLearner/1", headers=auth).json["login"] == "jane.doe@example.com"
        assert_error(api.get("/api/getOneLearner/999", headers=auth), 404, "not_found")

    @pytest.mark.parametrize(
        "identifier_type, identifier", [("email", "jane.doe@example.com"), ("learnerId", "1"), ("externalId", "1001")]
    )
    def test_find_one_learner(self, api, auth, identifier_type, identifier):
        response = api.post(
            "/api/getOneLearner", headers=auth, data={"identifierType": identifier_type, "identifier": identifier}
        )
        assert response.json["learnerID"] == "1"

    def test_identifier_type_defaults_to_email(self, api, auth):
        # tbook-api.md marks identifierType "Required: true" and gives it "Default : email".
        response = api.post("/api/getOneLearner", headers=auth, data={"identifier": "jane.doe@example.com"})
        assert response.json["learnerID"] == "1"

    def test_the_post_form_needs_the_bearer_token_too(self, api):
        # The POST example of getOneLearner shows no authorization header; the API is private all the same.
        response = api.post("/api/getOneLearner", data={"identifierType": "learnerId", "identifier": "1"})
        assert_error(response, 401, "unauthorized")

    def test_find_one_learner_errors(self, api, auth):
        post = lambda data: api.post("/api/getOneLearner", headers=auth, data=data)  # noqa: E731
        assert_error(post({"identifierType": "email", "identifier": "nobody@example.com"}), 404, "not_found")
        assert_error(post({"identifierType": "phone", "identifier": "1"}), 400, "bad_request")
        assert "identifier" in assert_error(post({"identifierType": "email"}), 400, "bad_request")


class TestInsertLearner:
    def test_inserts_from_the_documented_form(self, api, auth):
        learner = api.post("/api/insertLearner", headers=auth, data=NEW_LEARNER).json
        assert learner["learnerID"] == "2"
        assert learner["entity"] == {"entityID": "24", "entityName": "Paris Campus"}
        assert learner["filter"] == ["Session 1", "May 2018"]
        assert learner["contactEmail"] == ["john@example.com", "js@example.com"]
        assert learner["testUser"] == 1 and learner["jobTitle"] == "Communication officer"
        found = api.post(
            "/api/getOneLearner", headers=auth, data={"identifierType": "externalId", "identifier": "23"}
        ).json
        assert found == learner

    @pytest.mark.parametrize("missing", ["entity[identifier]", "login", "civility", "lastname", "firstname"])
    def test_required_fields(self, api, auth, missing):
        data = {k: v for k, v in NEW_LEARNER.items() if k != missing}
        assert missing in assert_error(api.post("/api/insertLearner", headers=auth, data=data), 400, "bad_request")

    @pytest.mark.parametrize("field, value", [("civility", "dr"), ("login", "not-an-email"), ("testUser", "2")])
    def test_invalid_values(self, api, auth, field, value):
        response = api.post("/api/insertLearner", headers=auth, data={**NEW_LEARNER, field: value})
        assert_error(response, 400, "bad_request")

    def test_duplicate_login_is_conflict(self, api, auth):
        response = api.post("/api/insertLearner", headers=auth, data={**NEW_LEARNER, "login": "jane.doe@example.com"})
        assert_error(response, 409, "conflict")

    def test_entity_by_name_is_created_on_demand(self, api, auth):
        data = {**NEW_LEARNER, "entity[identifier]": "Marseille Campus"}
        assert_error(api.post("/api/insertLearner", headers=auth, data=data), 404, "not_found")
        learner = api.post("/api/insertLearner", headers=auth, data={**data, "entity[create]": "1"}).json
        entity_id = learner["entity"]["entityID"]
        assert api.get(f"/api/getEntity/{entity_id}", headers=auth).json["name"] == "Marseille Campus"

    def test_other_clients_entity_is_forbidden(self, api, auth):
        data = {**NEW_LEARNER, "entity[identifier]": "99"}
        response = api.post("/api/insertLearner", headers=auth, data=data)
        assert_error(response, 403, "forbidden")


class TestUpdateLearner:
    def test_changes_only_posted_fields_and_adds_sessions(self, api, auth):
        response = api.post(
            "/api/updateLearner",
            headers=auth,
            data={
                "identifierType": "email",
                "identifier": "jane.doe@example.com",
                "jobTitle": "Trainer",
                "filter[0]": "Session 2",
                "filter[1]": "Session 1",
                "location[0]": "Lyon",
                "contactEmail[0]": "jane@example.com",
            },
        )
        learner = response.json
        assert learner["jobTitle"] == "Trainer"
        assert learner["lastname"] == "Doe" and learner["civility"] == "mme"
        assert learner["filter"] == ["Session 1", "Session 2"]
        assert learner["location"] == ["Paris", "Lyon"]
        assert learner["contactEmail"] == ["jane@example.com"]

    def test_unknown_learner_is_not_found(self, api, auth):
        response = api.post(
            "/api/updateLearner",
            headers=auth,
            data={"identifierType": "learnerId", "identifier": "404", "lastname": "X"},
        )
        assert_error(response, 404, "not_found")


class TestRemoveLearnerSession:
    def test_removes_the_session(self, api, auth):
        response = api.post(
            "/api/removeLearnerSession",
            headers=auth,
            data={"identifierType": "learnerId", "identifier": "1", "filter": "Session 1", "location": "Paris"},
        )
        assert response.json["filter"] == [] and response.json["location"] == []

    def test_errors(self, api, auth):
        base = {"identifierType": "email", "identifier": "jane.doe@example.com"}
        post = lambda data: api.post("/api/removeLearnerSession", headers=auth, data=data)  # noqa: E731
        assert_error(post({**base, "filter": "Session 9", "location": "Paris"}), 404, "not_found")
        assert "location" in assert_error(post({**base, "filter": "Session 1"}), 400, "bad_request")


class TestAuthToken:
    REQUEST = {
        "userType": "1",
        "connectionType": "login",
        "identifier": "jane.doe@example.com",
        "errorUrl": "http://gateway.example/sso/error",
    }

    def test_returns_a_one_time_url_on_the_sandbox(self, api, auth):
        body = api.post("/api/authToken", headers=auth, data=self.REQUEST).json
        assert body["success"] == "1"
        assert body["authentificationUrl"].startswith("http://localhost/sso/")

    def test_by_external_id(self, api, auth):
        data = {**self.REQUEST, "connectionType": "id", "identifier": "1001"}
        assert api.post("/api/authToken", headers=auth, data=data).status_code == 200

    @pytest.mark.parametrize(
        "field, value, status, code",
        [
            ("userType", "3", 400, "bad_request"),
            ("connectionType", "sso", 400, "bad_request"),
            ("errorUrl", "", 400, "bad_request"),
        ],
    )
    def test_errors(self, api, auth, field, value, status, code):
        response = api.post("/api/authToken", headers=auth, data={**self.REQUEST, field: value})
        assert_error(response, status, code)

    def test_unknown_user_gets_a_url_that_lands_on_the_error_url(self, api, auth):
        body = api.post("/api/authToken", headers=auth, data={**self.REQUEST, "identifier": "nobody@example.com"}).json
        assert body["success"] == "1"
        landing = api.get(urlsplit(body["authentificationUrl"]).path)
        assert landing.status_code == 302 and landing.headers["Location"] == self.REQUEST["errorUrl"]
        assert "Not signed in" in api.get("/home").get_data(as_text=True)

    def test_unknown_user_is_a_404_at_once_when_errors_are_immediate(self, variant_api):
        api, auth = variant_api(SANDBOX_AUTHTOKEN_ERRORS="immediate")
        response = api.post("/api/authToken", headers=auth, data={**self.REQUEST, "identifier": "nobody@example.com"})
        assert_error(response, 404, "not_found")
