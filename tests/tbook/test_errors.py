"""Every documented T-book error code maps to its exception, with a clear message and no secrets."""

from __future__ import annotations

import httpx
import pytest

from app.tbook import (
    BadRequest,
    MethodNotAllowed,
    RequestFailed,
    RetryPolicy,
    ServerError,
    TBookConflict,
    TBookError,
    TBookForbidden,
    TBookNotFound,
    TBookProtocolError,
    TooManyRequests,
    Unauthorized,
)
from app.tbook.errors import error_from_response

NO_RETRY = RetryPolicy(max_attempts=1)


@pytest.mark.parametrize(
    "status, cls, code",
    [
        (400, BadRequest, "bad_request"),
        (402, RequestFailed, "request_failed"),
        (403, TBookForbidden, "forbidden"),
        (404, TBookNotFound, "not_found"),
        (405, MethodNotAllowed, "method_not_allowed"),
        (409, TBookConflict, "conflict"),
        (429, TooManyRequests, "too_many_requests"),
        (500, ServerError, "server_errors"),
        (502, ServerError, "server_errors"),
        (503, ServerError, "server_errors"),
        (504, ServerError, "server_errors"),
    ],
)
def test_each_documented_status_maps_to_its_class(make_client, sandbox, status, cls, code):
    client = make_client(retry=NO_RETRY)
    client.get_token()
    sandbox.set_fault(path="/api/getClient", status=status)
    with pytest.raises(cls) as caught:
        client.get_client()
    err = caught.value
    assert isinstance(err, TBookError)
    assert (err.status, err.code, err.endpoint) == (status, code, "getClient")
    assert err.message == str(err)
    assert err.message.endswith(f"({status} {code}) on getClient: Injected fault: {status} on /api/getClient")


def test_real_errors_carry_t_books_message(client):
    with pytest.raises(
        BadRequest,
        match=r"\(400 bad_request\) on insertLearner: Missing required parameter: "
        r"lastname",
    ):
        client.insert_learner({"entityID": 24, "login": "a@example.com", "civility": "m", "firstname": "A"})
    with pytest.raises(TBookNotFound, match="No learner with learnerId 404"):
        client.get_learner(404)


def test_wrong_secret_is_a_plain_unauthorized(make_client, sandbox):
    client = make_client(client_secret="not-the-secret")
    with pytest.raises(Unauthorized) as caught:
        client.get_client()
    assert str(caught.value) == (
        "T-book refused the client credentials (401 unauthorized) on token: Invalid client credentials"
    )
    assert "not-the-secret" not in repr(caught.value)
    assert [e["path"] for e in sandbox.requests()] == ["/api/token"]  # credentials refused: not retried


def test_echoed_secrets_and_tokens_are_masked():
    body = {"error": {"code": "bad_request", "message": "bad s3cret and jwt.x.y"}}
    err = error_from_response(httpx.Response(400, json=body), "getClient", redact=("s3cret", "jwt.x.y"))
    assert str(err) == ("T-book rejected the request as invalid (400 bad_request) on getClient: bad *** and ***")


def test_secrets_never_appear_in_errors_or_reprs(make_client, sandbox):
    client = make_client(retry=NO_RETRY)
    token = client.get_token()
    assert token.access_token not in repr(token) and "***" in repr(token)
    sandbox.set_fault(status=503)
    with pytest.raises(ServerError) as caught:
        client.get_client()
    for text in (str(caught.value), repr(caught.value)):
        assert token.access_token not in text and "sandbox-secret" not in text


def _mock_client(make_client, answer: httpx.Response):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/token":
            return httpx.Response(
                200, json={"access_token": "mock-token-0123456789", "token_type": "bearer", "expires_in": 3600}
            )
        return answer

    transport = httpx.MockTransport(handler)
    return make_client(api_url="http://tbook.test/api", transport=transport, retry=NO_RETRY)


def test_non_json_200_is_a_protocol_error(make_client):
    client = _mock_client(
        make_client, httpx.Response(200, text="<html>maintenance</html>", headers={"Content-Type": "text/html"})
    )
    with pytest.raises(TBookProtocolError, match=r"on getClient \(200\): the body is not JSON \(text/html\)"):
        client.get_client()


def test_json_missing_documented_fields_is_a_protocol_error(make_client):
    client = _mock_client(make_client, httpx.Response(200, json={"learnerID": "1"}))
    with pytest.raises(TBookProtocolError, match="unexpected answer on getOneLearner"):
        client.get_learner(1)


def test_html_502_is_a_server_error_naming_the_body(make_client):
    client = _mock_client(
        make_client, httpx.Response(502, text="<html>Bad gateway</html>", headers={"Content-Type": "text/html"})
    )
    with pytest.raises(ServerError) as caught:
        client.get_client()
    assert caught.value.status == 502 and caught.value.code == "server_errors"
    assert "not T-book's JSON error format (text/html)" in str(caught.value)
