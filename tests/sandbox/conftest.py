"""Fixtures for the sandbox's own tests: an in-process sandbox app on a fake clock, and LTI signing."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from oauthlib.oauth1 import SIGNATURE_TYPE_BODY, Client

from sandbox import create_app

LTI_URL = "http://localhost/api/lti"
RETURN_URL = "http://gateway.example/lti/return?link=demo"


class FakeClock:
    """A ``time.time`` stand-in that only moves when told to."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox_app(clock: FakeClock) -> Flask:
    return create_app({"SANDBOX_CLOCK": clock, "SANDBOX_TOKEN_TTL": 120, "SANDBOX_AUTH_URL_TTL": 60})


@pytest.fixture
def api(sandbox_app: Flask) -> FlaskClient:
    return sandbox_app.test_client()


def bearer(api: FlaskClient, grant_type: str = "client_credential") -> dict[str, str]:
    """Return an Authorization header with a fresh access token from the sandbox behind ``api``."""
    response = api.post(
        "/api/token",
        data={"grant_type": grant_type, "client_id": "sandbox-client", "client_secret": "sandbox-secret"},
    )
    return {"Authorization": f"Bearer {response.json['access_token']}"}


@pytest.fixture
def auth(api: FlaskClient) -> dict[str, str]:
    """Return an Authorization header with a fresh access token."""
    return bearer(api)


@pytest.fixture
def variant_api(clock: FakeClock) -> Callable[..., tuple[FlaskClient, dict[str, str]]]:
    """Return ``make(**settings) -> (test client, Authorization header)`` for a sandbox with other variant settings."""

    def make(**settings: str) -> tuple[FlaskClient, dict[str, str]]:
        client = create_app({"SANDBOX_CLOCK": clock, **settings}).test_client()
        return client, bearer(client, settings.get("SANDBOX_GRANT_TYPE", "client_credential"))

    return make


def profile(**overrides: object) -> dict:
    """Return a valid custom_data profile for a new learner, with overrides."""
    data = {
        "entityID": "25",
        "connectionType": "login",
        "login": "paul.martin@example.com",
        "civility": "m",
        "lastname": "Martin",
        "firstname": "Paul",
        "filter": ["Onboarding"],
        "location": ["Lyon"],
        "country": ["France"],
        "testUser": 0,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def launch_params(data: dict | None = None, **overrides: str | None) -> dict[str, str]:
    """Return the parameters of a basic LTI 1.1 launch carrying ``data`` as custom_data, before signing."""
    params = {
        "lti_message_type": "basic-lti-launch-request",
        "lti_version": "LTI-1p0",
        "resource_link_id": "demo",
        "launch_presentation_return_url": RETURN_URL,
        "custom_data": json.dumps(data or profile(), separators=(",", ":")),
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


@pytest.fixture
def sign_launch() -> Callable[..., str]:
    """Return ``sign(params, url=LTI_URL, key=..., secret=..., timestamp=None, nonce=None) -> body``."""

    def sign(
        params: dict[str, str],
        url: str = LTI_URL,
        key: str = "sandbox-client",
        secret: str = "sandbox-lti-secret",
        timestamp: str | None = None,
        nonce: str | None = None,
    ) -> str:
        client = Client(key, client_secret=secret, signature_type=SIGNATURE_TYPE_BODY, timestamp=timestamp, nonce=nonce)
        _, _, body = client.sign(
            url, http_method="POST", body=params, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        return body

    return sign
