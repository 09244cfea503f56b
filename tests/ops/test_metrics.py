"""/metrics: launches by mode and outcome, audit write failures, and the T-book client's events."""

import pytest
from sqlalchemy import text

from app import metrics
from app.store import db
from app.store.models import AuditEvent
from app.tbook import RetryPolicy, TBookClient
from tests.factories import make_link, make_profile
from tests.ops.conftest import metric

NO_WAIT = RetryPolicy(base_delay=0.0, jitter=lambda delay: delay)


@pytest.fixture
def jane(app):
    with app.app_context():
        make_link()
        make_profile()


def test_metrics_are_in_prometheus_text_format(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    for name in (
        "gateway_launches_total",
        "gateway_fallbacks_total",
        "gateway_audit_write_failures_total",
        "gateway_tbook_call_duration_seconds",
        "gateway_tbook_token_refreshes_total",
    ):
        assert f"# TYPE {name} " in response.text


def test_launches_are_counted_by_mode_and_outcome(client, auth, jane):
    sent = metric(client, "gateway_launches_total", mode="lti", outcome="sent")
    refused = metric(client, "gateway_launches_total", mode="lti", outcome="refused")
    auth.login()
    assert client.get("/launch/open-tbook").status_code == 200
    assert client.get("/launch/open-tbook").status_code == 200
    assert metric(client, "gateway_launches_total", mode="lti", outcome="sent") == sent + 2
    assert metric(client, "gateway_launches_total", mode="lti", outcome="refused") == refused


def test_a_launch_without_profile_is_counted_as_refused(app, client, auth, jane):
    with app.app_context():
        db.session.execute(text("DELETE FROM profile"))
        db.session.commit()
    refused = metric(client, "gateway_launches_total", mode="lti", outcome="refused")
    auth.login()
    assert client.get("/launch/open-tbook").status_code == 403
    assert metric(client, "gateway_launches_total", mode="lti", outcome="refused") == refused + 1


def test_an_audit_event_the_database_refuses_is_counted_and_fails_the_launch(app, client, auth, jane):
    table = AuditEvent.__table__.name
    failures = metric(client, "gateway_audit_write_failures_total", action="launch")
    auth.login()
    with app.app_context():
        db.session.execute(text(f"ALTER TABLE {table} RENAME TO {table}_away"))
        db.session.commit()
    try:
        response = client.get("/launch/open-tbook")
    finally:
        with app.app_context():
            db.session.execute(text(f"ALTER TABLE {table}_away RENAME TO {table}"))
            db.session.commit()
    # Nothing is sent to T-book without its audit row: the launch fails rather than go unrecorded.
    assert response.status_code == 500
    assert "launch-form" not in response.text
    assert metric(client, "gateway_audit_write_failures_total", action="launch") == failures + 1


def test_tbook_client_events_become_latency_calls_retries_and_token_refreshes(client, sandbox):
    def read():
        return {
            "missing": metric(client, "gateway_tbook_token_refreshes_total", reason="missing"),
            "rejected": metric(client, "gateway_tbook_token_refreshes_total", reason="rejected"),
            "calls": metric(client, "gateway_tbook_calls_total", endpoint="getClient", status="200"),
            "503s": metric(client, "gateway_tbook_calls_total", endpoint="getClient", status="503"),
            "timed": metric(client, "gateway_tbook_call_duration_seconds_count", endpoint="getClient"),
            "retries": metric(client, "gateway_tbook_retries_total", endpoint="getClient"),
        }

    before = read()
    creds = sandbox.credentials
    with TBookClient(
        sandbox.api_url,
        creds["SANDBOX_CLIENT_ID"],
        creds["SANDBOX_CLIENT_SECRET"],
        retry=NO_WAIT,
        on_event=metrics.on_tbook_event,
    ) as tbook:
        tbook.get_client()
        sandbox.revoke_tokens()
        tbook.get_client()  # 401, new token, replayed
        sandbox.set_fault(path="/api/getClient", status=503, count=1)
        tbook.get_client()  # 503, retried
    after = read()
    assert after["missing"] - before["missing"] == 1
    assert after["rejected"] - before["rejected"] == 1
    assert after["calls"] - before["calls"] == 3
    assert after["503s"] - before["503s"] == 1
    # Each attempt is timed: 200, 401 replayed with the new token (one call), 503, 200.
    assert after["timed"] - before["timed"] == 4
    assert after["retries"] - before["retries"] == 1


def test_the_event_sink_never_raises():
    metrics.on_tbook_event("api_call", endpoint="getClient", status=200, duration="not a number")
    metrics.on_tbook_event("something_new", anything=object())
