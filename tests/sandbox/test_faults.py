"""Fault injection, reset and the request log, over real HTTP against the shared sandbox."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.conftest import launch_params

CREDENTIALS = {"grant_type": "client_credential", "client_id": "sandbox-client", "client_secret": "sandbox-secret"}


def get_token(sandbox) -> httpx.Response:
    return httpx.post(f"{sandbox.api_url}/token", data=CREDENTIALS)


def test_429_with_retry_after_then_normal(sandbox):
    sandbox.set_fault(path="/api/token", status=429, count=2, retry_after=7)
    for _ in range(2):
        response = get_token(sandbox)
        assert response.status_code == 429 and response.headers["Retry-After"] == "7"
        assert response.json()["error"]["code"] == "too_many_requests"
    assert get_token(sandbox).status_code == 200


def test_fault_applies_only_to_its_path_prefix(sandbox):
    sandbox.set_fault(path="/api/getOneLearner", status=503)
    assert get_token(sandbox).status_code == 200
    response = httpx.get(f"{sandbox.api_url}/getOneLearner/1")
    assert response.status_code == 503 and response.json()["error"]["code"] == "server_errors"
    assert httpx.get(f"{sandbox.url}/_sandbox/faults").json() == {"faults": []}


def test_latency_delays_the_answer(sandbox):
    sandbox.set_fault(path="/api/token", latency=1.0)
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{sandbox.api_url}/token", data=CREDENTIALS, timeout=0.1)
    assert get_token(sandbox).status_code == 200


def test_drop_closes_the_connection_without_a_response(sandbox):
    sandbox.set_fault(path="/api/token", drop=True)
    with pytest.raises(httpx.RemoteProtocolError):
        get_token(sandbox)
    assert [e["status"] for e in sandbox.requests("/api/token")] == [None]
    assert get_token(sandbox).status_code == 200


def test_drop_after_carries_the_request_out_then_closes_the_connection(sandbox):
    token = get_token(sandbox).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    sandbox.set_fault(path="/api/updateLearner", drop_after=True)
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(
            f"{sandbox.api_url}/updateLearner",
            headers=headers,
            data={"identifier": "1", "identifierType": "learnerId", "lastname": "Done"},
        )
    assert [e["status"] for e in sandbox.requests("/api/updateLearner")] == [None]
    assert httpx.get(f"{sandbox.api_url}/getOneLearner/1", headers=headers).json()["lastname"] == "Done"


def test_lti_error_refuses_the_launch(sandbox, sign_launch):
    sandbox.set_fault(path="/api/lti", lti_error="Your account is suspended")
    body = sign_launch(launch_params(), url=sandbox.lti_url)
    response = httpx.post(sandbox.lti_url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 302
    assert "lti_errormsg=Your+account+is+suspended" in response.headers["Location"]


def test_faults_are_listed_and_checked(sandbox):
    sandbox.set_fault(status=500, count=3)
    assert httpx.get(f"{sandbox.url}/_sandbox/faults").json()["faults"] == [
        {
            "path": "/api",
            "status": 500,
            "count": 3,
            "latency": 0.0,
            "retry_after": None,
            "drop": False,
            "drop_after": False,
            "lti_error": None,
        }
    ]
    for bad in ({"status": 200}, {"count": 0, "status": 500}, {"path": "api"}, {}, {"colour": "red"}):
        response = httpx.post(f"{sandbox.url}/_sandbox/faults", json=bad)
        assert response.status_code == 400, bad


def test_reset_restores_the_seed_and_clears_faults(sandbox):
    token = get_token(sandbox).json()["access_token"]
    httpx.post(
        f"{sandbox.api_url}/updateLearner",
        headers={"Authorization": f"Bearer {token}"},
        data={"identifier": "jane.doe@example.com", "lastname": "Changed"},
    )
    sandbox.set_fault(status=500)
    sandbox.reset()
    assert sandbox.requests() == []
    jane = httpx.get(f"{sandbox.api_url}/getOneLearner/1", headers={"Authorization": f"Bearer {token}"})
    assert jane.json()["lastname"] == "Doe"


def test_request_log_never_holds_secrets_or_tokens(sandbox):
    token = get_token(sandbox).json()["access_token"]
    httpx.post(
        f"{sandbox.api_url}/getOneLearner",
        headers={"Authorization": f"Bearer {token}"},
        data={"identifierType": "learnerId", "identifier": "1"},
    )
    log = sandbox.requests()
    assert [(e["method"], e["path"], e["status"]) for e in log] == [
        ("POST", "/api/token", 200),
        ("POST", "/api/getOneLearner", 200),
    ]
    assert log[0]["fields"] == {
        "grant_type": "client_credential",
        "client_id": "sandbox-client",
        "client_secret": "***",
    }
    assert "sandbox-secret" not in str(log) and token not in str(log)


def test_request_counts_outlive_the_trimmed_request_list(sandbox):
    import httpx

    for _ in range(3):
        httpx.post(sandbox.api_url + "/token", data={"grant_type": "client_credential"})
    body = httpx.get(sandbox.url + "/_sandbox/requests").json()
    assert body["counts"]["/api/token"] == 3
    sandbox.reset()
    assert httpx.get(sandbox.url + "/_sandbox/requests").json()["counts"] == {}
