"""Proof: T-book misbehaving (through the sandbox) gives the learner a clear answer, soon, and an audit row."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent
from tests.factories import make_link, make_profile
from tests.fixtures.sandbox import serve_sandbox
from tests.fixtures.serving import serve

AREA = "T-book faults"
TIMEOUT, MAX_TOTAL = 0.5, 3.0
# Kind -> (the sandbox fault on /api/authToken, what the learner must get).
FAULTS = {
    "a 429 burst within the retries": ({"status": 429, "count": 2, "retry_after": 0}, 303),
    "429 past every retry": ({"status": 429, "count": 50, "retry_after": 0}, 503),
    "5xx on every try": ({"status": 503, "count": 50}, 503),
    "one 500, then fine": ({"status": 500, "count": 1}, 303),
    "slower than the timeout": ({"latency": 2, "count": 50}, 503),
    "dropped connections": ({"drop": True, "count": 50}, 503),
}


def _launch(gateway, proof, artefacts, kind: str, expected: int) -> None:
    started = time.monotonic()
    response = gateway.test_client().get("/launch/sso", headers={"X-Remote-User": "jane.doe@example.com"})
    elapsed = time.monotonic() - started
    artefacts.append(response.get_data(as_text=True))
    correlation_id = response.headers["X-Correlation-ID"]
    with gateway.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.correlation_id == correlation_id)).all()
    audited = [f"{row.action}/{row.outcome}" for row in rows if row.action in ("launch", "fallback")]
    held = response.status_code == expected and elapsed < MAX_TOTAL + 2 * TIMEOUT + 2 and len(audited) == 1
    what = "redirected to T-book" if expected == 303 else f"a clear {expected} page"
    proof.count(AREA, f"{kind}: the learner got {what}, bounded in time, audited once", held=held)
    assert held, (response.status_code, round(elapsed, 2), audited, response.text[:300])


@pytest.fixture
def faulty(app, make_gateway):
    with app.app_context():
        make_link("sso", mode="authtoken")
        make_profile()
    return make_gateway(GATEWAY_AUTH="header", TBOOK_TIMEOUT=str(TIMEOUT), TBOOK_RETRY_MAX_TOTAL=str(MAX_TOTAL))


@pytest.mark.parametrize("kind", FAULTS)
def test_a_t_book_fault_gives_a_clear_answer_soon(faulty, sandbox, proof, artefacts, kind):
    fault, expected = FAULTS[kind]
    faulty.test_client().get("/readyz")  # the token first: the fault is for the sign-in call
    sandbox.set_fault(path="/api/authToken", **fault)
    _launch(faulty, proof, artefacts, kind, expected)


def test_a_token_revoked_mid_run_is_fetched_again(faulty, sandbox, proof, artefacts):
    _launch(faulty, proof, artefacts, "before the token is revoked", 303)
    sandbox.revoke_tokens()
    tokens_before = len(sandbox.requests("/api/token"))
    _launch(faulty, proof, artefacts, "a token revoked mid-run", 303)
    # Fetched again, not once per call of the click: getOneLearner and authToken each meet the revoked token
    # at most once before the new one is shared.
    assert 1 <= len(sandbox.requests("/api/token")) - tokens_before <= 2


def test_a_wrong_client_secret_is_said_plainly(app, make_gateway, sandbox, proof, artefacts):
    with app.app_context():
        make_link("sso", mode="authtoken")
        make_profile()
    gateway = make_gateway(GATEWAY_AUTH="header", TBOOK_CLIENT_SECRET="not-the-client-secret")
    _launch(gateway, proof, artefacts, "a wrong client secret", 502)


class _Malformed:
    """The sandbox, except that /authToken answers a body that is not JSON."""

    def __init__(self, app) -> None:
        self.app = app

    def __call__(self, environ, start_response):
        if not environ["PATH_INFO"].endswith("/authToken"):
            return self.app(environ, start_response)
        b"".join(self.app(environ, lambda *args: None))
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"success": "1", "authentificationUrl": ']


def test_malformed_json_from_t_book_is_a_clear_page(app, make_gateway, proof, artefacts):
    with app.app_context():
        make_link("sso", mode="authtoken")
        make_profile()
    with serve_sandbox() as real, serve(_Malformed(real.app), "malformed-tbook") as url:
        gateway = make_gateway(GATEWAY_AUTH="header", TBOOK_API_URL=f"{url}/api", TBOOK_LTI_URL=f"{url}/api/lti")
        _launch(gateway, proof, artefacts, "malformed JSON", 503)
    assert json.dumps  # the stand-in's body is cut mid-object on purpose
