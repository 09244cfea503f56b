"""Answers tbook-api.md does not show (writes, an unknown learner) or shows as non-JSON (authToken), read as allowed."""

from __future__ import annotations

import json

import httpx
import pytest

from app.tbook import BadRequest, Learner, RequestFailed, RetryPolicy, TBookNotFound, TBookProtocolError

NO_RETRY = RetryPolicy(max_attempts=1)
NEW_LEARNER = {"entityID": "25", "login": "paul.martin@example.com", "civility": "m", "lastname": "M", "firstname": "P"}
JANE_JSON = {
    "learnerID": "1",
    "login": "jane.doe@example.com",
    "entity": {"entityID": "24", "entityName": "Paris Campus"},
    "civility": "mme",
    "lastname": "Doe",
    "firstname": "Jane",
}
# tbook-api.md's authToken response example, as written (a trailing comma after the last member).
DOCUMENTED_AUTH_TOKEN = """{
"success": "1",
"authentificationUrl" : "http://t-book.fr/eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJjbGllbnRfaWQiOiJiMDNi.WI8bgP--I3",
}"""


def mock_client(make_client, answer: httpx.Response):
    """Return a client whose T-book hands out tokens and answers every other call with ``answer``."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token":
            return httpx.Response(
                200, json={"access_token": "mock-token-0123", "token_type": "bearer", "expires_in": 60}
            )
        return answer

    return make_client(api_url="http://tbook.test/api", transport=httpx.MockTransport(handler), retry=NO_RETRY)


def writes(client) -> list:
    return [
        client.insert_learner(NEW_LEARNER),
        client.update_learner("email", "paul.martin@example.com", {"jobTitle": "Trainer", "filter": ["S2"]}),
        client.remove_learner_session("email", "paul.martin@example.com", "S2", "Lyon"),
    ]


@pytest.mark.sandbox_variants("default", "minimal-writes", "empty-writes")
def test_writes_succeed_whatever_the_variant_answers(client, sandbox):
    in_a_session = {**NEW_LEARNER, "location": ["Lyon"]}
    inserted = client.insert_learner(in_a_session)
    updated = client.update_learner("email", "paul.martin@example.com", {"jobTitle": "Trainer", "filter": ["S2"]})
    removed = client.remove_learner_session("email", "paul.martin@example.com", "S2", "Lyon")
    if sandbox.answers("SANDBOX_WRITE_ANSWER") == "learner":
        assert isinstance(inserted, Learner) and inserted.login == "paul.martin@example.com"
        assert updated.job_title == "Trainer" and removed.filter == []
    else:
        assert (inserted, updated, removed) == (None, None, None)
    learner = client.find_learner("email", "paul.martin@example.com")
    assert (learner.job_title, learner.filter, learner.location) == ("Trainer", [], [])


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json=JANE_JSON),
        httpx.Response(201, json={"success": "1", "learner": JANE_JSON}),
    ],
    ids=["learner", "learner-inside"],
)
def test_a_learner_in_a_write_answer_is_used(make_client, answer):
    assert [learner.login for learner in writes(mock_client(make_client, answer))] == ["jane.doe@example.com"] * 3


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(200, json={"success": "1"}),
        httpx.Response(200, json={"success": 1}),
        httpx.Response(200, json={"success": True}),
        httpx.Response(200),
        httpx.Response(204),
        httpx.Response(200, text="OK", headers={"Content-Type": "text/plain"}),
        httpx.Response(200, json={"learnerID": "7"}),  # a partial learner: no learner, the write was done
        httpx.Response(200, json=[]),
    ],
    ids=["success-string", "success-int", "success-true", "empty", "204", "text", "partial-learner", "list"],
)
def test_any_other_2xx_without_an_error_envelope_is_a_done_write(make_client, answer):
    assert writes(mock_client(make_client, answer)) == [None, None, None]


@pytest.mark.parametrize("success", ["0", 0, False])
def test_a_write_answered_success_0_failed(make_client, success):
    client = mock_client(make_client, httpx.Response(200, json={"success": success}))
    with pytest.raises(RequestFailed, match=r"\(200, success=.*\) on insertLearner"):
        client.insert_learner(NEW_LEARNER)


def test_an_error_envelope_in_a_2xx_is_the_error_it_names(make_client):
    envelope = {"error": {"code": "bad_request", "message": "Missing required parameter: lastname"}}
    client = mock_client(make_client, httpx.Response(200, json=envelope))
    with pytest.raises(BadRequest) as caught:
        client.insert_learner(NEW_LEARNER)
    assert caught.value.status == 200 and caught.value.code == "bad_request"
    assert str(caught.value).endswith("(200 bad_request) on insertLearner: Missing required parameter: lastname")


@pytest.mark.sandbox_variants("default", "unknown-learner-empty", "unknown-learner-envelope")
def test_an_unknown_learner_is_not_found_in_every_variant(client, sandbox):
    with pytest.raises(TBookNotFound) as by_email:
        client.find_learner("email", "nobody@example.com")
    with pytest.raises(TBookNotFound):
        client.get_learner(999)
    assert by_email.value.endpoint == "getOneLearner"
    assert by_email.value.status == (404 if sandbox.answers("SANDBOX_UNKNOWN_LEARNER") == "404" else 200)
    assert client.find_learner("email", "jane.doe@example.com").learner_id == "1"


@pytest.mark.parametrize("body", [b"", b"  \n", b"null", b'""', b"{}", b"[]"])
def test_an_empty_get_one_learner_answer_is_not_found(make_client, body):
    client = mock_client(make_client, httpx.Response(200, content=body, headers={"Content-Type": "application/json"}))
    with pytest.raises(TBookNotFound, match=r"no such resource \(200, an empty answer\) on getOneLearner"):
        client.find_learner("email", "nobody@example.com")


def test_a_get_one_learner_page_that_is_not_json_is_a_protocol_error(make_client):
    client = mock_client(make_client, httpx.Response(200, text="<html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(TBookProtocolError, match=r"on getOneLearner \(200\): the body is not JSON \(text/html\)"):
        client.get_learner(1)


@pytest.mark.parametrize(
    "body",
    [
        DOCUMENTED_AUTH_TOKEN,
        json.dumps({"success": 1, "authentificationUrl": "http://t-book.fr/eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"}),
        json.dumps({"success": True, "authentificationUrl": "http://t-book.fr/eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"}),
        "\ufeff" + DOCUMENTED_AUTH_TOKEN,
        DOCUMENTED_AUTH_TOKEN.replace('"1",', "'1',"),  # a stray single quote: read key by key
        '{"authentificationUrl": "http://t-book.fr/eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9"}',  # success left out
    ],
    ids=["as-documented", "success-int", "success-true", "bom", "single-quotes", "no-success"],
)
def test_auth_token_reads_the_documented_keys_despite_small_defects(make_client, body):
    client = mock_client(make_client, httpx.Response(200, text=body, headers={"Content-Type": "application/json"}))
    token = client.auth_token(1, "login", "jane.doe@example.com", "http://gateway.example/sso/error")
    assert token.authentification_url.startswith("http://t-book.fr/eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9")


@pytest.mark.parametrize("success", ['"0"', "0", "false"])
def test_auth_token_answered_success_0_failed(make_client, success):
    body = f'{{"success": {success}, "authentificationUrl": "",}}'
    client = mock_client(make_client, httpx.Response(200, text=body))
    with pytest.raises(RequestFailed, match="on authToken"):
        client.auth_token(1, "login", "jane.doe@example.com", "http://gateway.example/sso/error")


@pytest.mark.parametrize(
    "body",
    [
        "",
        "<html>sign in</html>",
        '{"success": "1"}',
        '{"authentificationUrl": "javascript:x"}',
        '{"success": "1", "authenticationUrl": "http://t-book.fr/x"}',  # not T-book's documented spelling
    ],
)
def test_auth_token_without_a_url_is_a_protocol_error(make_client, body):
    client = mock_client(make_client, httpx.Response(200, text=body))
    with pytest.raises(TBookProtocolError, match="unexpected answer on authToken"):
        client.auth_token(1, "login", "jane.doe@example.com", "http://gateway.example/sso/error")


@pytest.mark.sandbox_variants("default", "documented-authtoken-body")
def test_auth_token_from_each_sandbox_body(client, sandbox):
    token = client.auth_token(1, "login", "jane.doe@example.com", "http://gateway.example/sso/error")
    assert httpx.get(token.authentification_url).headers["Location"] == "/home"
