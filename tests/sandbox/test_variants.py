"""The sandbox answers each open question of tbook-api.md in every way its settings allow."""

from __future__ import annotations

import json

import pytest

from sandbox import create_app
from tests.sandbox.test_api import NEW_LEARNER, assert_error

JANE = {"identifierType": "email", "identifier": "jane.doe@example.com"}
NOBODY = {"identifierType": "email", "identifier": "nobody@example.com"}


def write_answers(api, auth) -> list:
    """Make the three writes that tbook-api.md shows no answer for; return their responses."""
    return [
        api.post("/api/insertLearner", headers=auth, data=NEW_LEARNER),
        api.post("/api/updateLearner", headers=auth, data={**JANE, "jobTitle": "Trainer"}),
        api.post("/api/removeLearnerSession", headers=auth, data={**JANE, "filter": "Session 1", "location": "Paris"}),
    ]


def test_writes_answer_the_learner_by_default(api, auth):
    inserted, updated, removed = write_answers(api, auth)
    assert inserted.json["login"] == "john.smith@example.com"
    assert updated.json["jobTitle"] == "Trainer" and removed.json["filter"] == []


def test_writes_can_answer_success_alone(variant_api):
    api, auth = variant_api(SANDBOX_WRITE_ANSWER="minimal")
    assert [r.json for r in write_answers(api, auth)] == [{"success": "1"}] * 3
    # The writes were done all the same.
    learner = api.post("/api/getOneLearner", headers=auth, data=JANE).json
    assert learner["jobTitle"] == "Trainer" and learner["filter"] == []
    assert api.post("/api/getOneLearner", headers=auth, data={**JANE, "identifier": "john.smith@example.com"}).json


def test_writes_can_answer_an_empty_body(variant_api):
    api, auth = variant_api(SANDBOX_WRITE_ANSWER="empty")
    assert [(r.status_code, r.data) for r in write_answers(api, auth)] == [(200, b"")] * 3
    assert api.post("/api/getOneLearner", headers=auth, data=JANE).json["jobTitle"] == "Trainer"


def test_write_errors_stay_errors_whatever_the_answer_setting(variant_api):
    api, auth = variant_api(SANDBOX_WRITE_ANSWER="minimal")
    duplicate = api.post("/api/insertLearner", headers=auth, data={**NEW_LEARNER, "login": "jane.doe@example.com"})
    assert_error(duplicate, 409, "conflict")


@pytest.mark.parametrize("grant_type", ["client_credential", "client_credentials"])
def test_token_accepts_the_configured_grant_type_spelling_only(variant_api, grant_type):
    other = "client_credentials" if grant_type == "client_credential" else "client_credential"
    api, _ = variant_api(SANDBOX_GRANT_TYPE=grant_type)
    form = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}
    assert api.post("/api/token", data={**form, "grant_type": grant_type}).status_code == 200
    message = assert_error(api.post("/api/token", data={**form, "grant_type": other}), 400, "bad_request")
    assert message == f"Unsupported grant_type '{other}': use {grant_type}"


@pytest.mark.parametrize("setting", ["404", "empty", "envelope"])
def test_unknown_learner_is_answered_as_configured(variant_api, setting):
    api, auth = variant_api(SANDBOX_UNKNOWN_LEARNER=setting)
    answers = [
        api.get("/api/getOneLearner/999", headers=auth),
        api.post("/api/getOneLearner", headers=auth, data=NOBODY),
    ]
    for response in answers:
        if setting == "404":
            assert_error(response, 404, "not_found")
        elif setting == "empty":
            assert (response.status_code, response.data) == (200, b"")
        else:
            assert response.status_code == 200
            assert response.json["error"]["code"] == "not_found"
            assert "No learner with" in response.json["error"]["message"]
    # A known learner is answered the same whatever the setting; other errors keep their status.
    assert api.get("/api/getOneLearner/1", headers=auth).json["login"] == "jane.doe@example.com"
    assert_error(
        api.post("/api/getOneLearner", headers=auth, data={**NOBODY, "identifierType": "phone"}), 400, "bad_request"
    )


def test_auth_token_can_answer_exactly_as_the_documentation_writes_it(variant_api):
    api, auth = variant_api(SANDBOX_AUTHTOKEN_BODY="documented")
    data = {"userType": "1", "connectionType": "login", "errorUrl": "http://gateway.example/sso/error"}
    response = api.post("/api/authToken", headers=auth, data={**data, "identifier": "jane.doe@example.com"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert text.startswith('{\n"success": "1",\n"authentificationUrl" : "http://localhost/sso/')
    assert text.endswith('",\n}')
    with pytest.raises(ValueError):
        json.loads(text)  # the trailing comma of tbook-api.md's example


@pytest.mark.parametrize(
    "setting, value",
    [("SANDBOX_WRITE_ANSWER", "learner-ish"), ("SANDBOX_UNKNOWN_LEARNER", "410"), ("SANDBOX_GRANT_TYPE", "password")],
)
def test_a_setting_outside_its_choices_is_refused_at_start(setting, value):
    with pytest.raises(ValueError, match=f"{setting} must be one of"):
        create_app({setting: value})


def test_settings_come_from_the_environment_too(monkeypatch):
    monkeypatch.setenv("SANDBOX_WRITE_ANSWER", "empty")
    assert create_app().config["SANDBOX_WRITE_ANSWER"] == "empty"
    assert create_app({"SANDBOX_WRITE_ANSWER": "minimal"}).config["SANDBOX_WRITE_ANSWER"] == "minimal"
