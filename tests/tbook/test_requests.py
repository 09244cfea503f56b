"""What the client sends: the documented grant_type spelling (then OAuth 2's, once), multipart forms, and
updateLearner's parameters only."""

from __future__ import annotations

import email
import email.policy

import httpx
import pytest

from app.tbook import BadRequest, RetryPolicy, Unauthorized

TOKEN = {"access_token": "mock-token-0123", "token_type": "bearer", "expires_in": 3600}


def grant_types(sandbox) -> list[tuple[str, int]]:
    return [(e["fields"]["grant_type"], e["status"]) for e in sandbox.requests("/api/token")]


@pytest.mark.sandbox_variants("default", "oauth-grant-type")
def test_the_spelling_t_book_accepts_is_found_once_and_kept(client, sandbox, clock):
    client.get_client()
    clock.now += 3600  # the token expires: a second token request
    client.get_entities()
    if sandbox.answers("SANDBOX_GRANT_TYPE") == "client_credential":
        assert grant_types(sandbox) == [("client_credential", 200), ("client_credential", 200)]
    else:
        assert grant_types(sandbox) == [
            ("client_credential", 400),
            ("client_credentials", 200),
            ("client_credentials", 200),  # remembered: the documented spelling is not tried again
        ]
    assert client.grant_type == sandbox.answers("SANDBOX_GRANT_TYPE")


def multipart_fields(request: httpx.Request) -> dict[str, str]:
    """Return the fields of a multipart/form-data request, read by the standard library's MIME parser."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = email.message_from_bytes(head + request.content, policy=email.policy.HTTP)
    return {part.get_param("name", header="content-disposition"): part.get_content() for part in message.iter_parts()}


def mocked(make_client, answers: dict[str, httpx.Response]):
    """Return a client and the grant types it sent, whose /token answers by grant_type as ``answers`` says."""
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        grant_type = multipart_fields(request)["grant_type"]
        sent.append(grant_type)
        return answers[grant_type]

    client = make_client(
        api_url="http://tbook.test/api", transport=httpx.MockTransport(handler), retry=RetryPolicy(max_attempts=1)
    )
    return client, sent


def test_an_oauth_style_refusal_switches_the_spelling(make_client):
    refused = httpx.Response(
        400, json={"error": "unsupported_grant_type", "error_description": "Use client_credentials"}
    )
    client, sent = mocked(
        make_client, {"client_credential": refused, "client_credentials": httpx.Response(200, json=TOKEN)}
    )
    assert client.get_token().access_token == "mock-token-0123"
    assert sent == ["client_credential", "client_credentials"]


def test_when_both_spellings_are_refused_the_documented_ones_error_is_raised(make_client):
    client, sent = mocked(
        make_client,
        {
            "client_credential": httpx.Response(400, json={"error": {"code": "bad_request", "message": "first"}}),
            "client_credentials": httpx.Response(400, json={"error": {"code": "bad_request", "message": "second"}}),
        },
    )
    with pytest.raises(BadRequest, match=r"\(400 bad_request\) on token: first$"):
        client.get_token()
    assert sent == ["client_credential", "client_credentials"] and client.grant_type == "client_credential"


def test_wrong_credentials_under_the_other_spelling_say_so(make_client):
    client, sent = mocked(
        make_client,
        {
            "client_credential": httpx.Response(400, json={"error": "unsupported_grant_type"}),
            "client_credentials": httpx.Response(
                401, json={"error": {"code": "unauthorized", "message": "Bad secret"}}
            ),
        },
    )
    with pytest.raises(Unauthorized, match="T-book refused the client credentials"):
        client.get_token()
    assert client.grant_type == "client_credential"  # nothing was shown to work


def test_a_401_does_not_try_the_other_spelling(make_client, sandbox):
    with pytest.raises(Unauthorized):
        make_client(client_secret="not-the-secret").get_token()
    assert grant_types(sandbox) == [("client_credential", 401)]


def test_forms_are_sent_as_multipart_like_the_documented_curl_examples(client, sandbox):
    client.get_token()
    client.find_learner("email", "jane.doe@example.com")
    client.auth_token(1, "login", "jane.doe@example.com", "http://gateway.example/sso/error")
    posts = [e for e in sandbox.requests() if e["method"] == "POST"]
    assert [e["path"] for e in posts] == ["/api/token", "/api/getOneLearner", "/api/authToken"]
    assert {e["content_type"] for e in posts} == {"multipart/form-data"}
    assert posts[2]["fields"] == {
        "userType": "1",
        "connectionType": "login",
        "identifier": "jane.doe@example.com",
        "errorUrl": "http://gateway.example/sso/error",
    }


@pytest.mark.parametrize("field", ["login", "entityID", "password", "sendingConnectionEmail"])
def test_update_learner_sends_only_the_parameters_of_its_table(client, sandbox, field):
    with pytest.raises(ValueError, match=f"updateLearner takes no T-book learner field {field}$"):
        client.update_learner("email", "jane.doe@example.com", {"jobTitle": "Trainer", field: "x"})
    assert sandbox.requests() == []


def test_update_learner_form_has_the_identifier_then_the_changes(client, sandbox):
    client.update_learner("learnerId", "1", {"lastname": "Durand", "contactEmail": ["j@example.com"], "testUser": 1})
    (update,) = sandbox.requests("/api/updateLearner")
    assert update["fields"] == {
        "identifierType": "learnerId",
        "identifier": "1",
        "lastname": "Durand",
        "contactEmail[0]": "j@example.com",
        "testUser": "1",
    }
