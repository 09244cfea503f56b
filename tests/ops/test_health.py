"""/healthz and /readyz: alive, and ready only when the database and a T-book token can be had."""


def test_healthz_answers_without_touching_anything(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_ready_when_database_and_tbook_token_are_there(client, sandbox):
    response = client.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.get_json() == {"status": "ready", "checks": {"database": "ok", "tbook": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert len(sandbox.requests("/api/token")) == 1


def test_a_failed_check_is_reused_for_a_few_seconds_then_checked_again(gateway_with, sandbox):
    sandbox.set_fault(path="/api/token", status=503, count=1)
    cached, uncached = gateway_with(), gateway_with(GATEWAY_READY_CACHE_SECONDS=0)

    first = cached.get("/readyz")
    assert first.status_code == 503
    assert first.get_json()["status"] == "not ready"
    assert first.get_json()["checks"]["database"] == "ok"
    assert first.get_json()["checks"]["tbook"].startswith("no access token:")
    # The fault is spent, but a probe storm within the cache time costs T-book nothing more.
    assert cached.get("/readyz").status_code == 503
    assert len(sandbox.requests("/api/token")) == 1

    assert uncached.get("/readyz").status_code == 200
    assert len(sandbox.requests("/api/token")) == 2


def test_refused_credentials_make_it_unready_without_showing_them(gateway_with, sandbox):
    client = gateway_with(TBOOK_CLIENT_SECRET="not-the-secret-at-all")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["tbook"].startswith("no access token:")
    assert "not-the-secret-at-all" not in response.text


def test_unreachable_tbook_makes_it_unready(gateway_with, unused_url):
    response = gateway_with(TBOOK_API_URL=f"{unused_url}/api").get("/readyz")
    assert response.status_code == 503
    assert "could not be reached" in response.get_json()["checks"]["tbook"]


def test_missing_tbook_credentials_are_named(gateway_with):
    response = gateway_with(TBOOK_CLIENT_ID="", TBOOK_CLIENT_SECRET="").get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["tbook"] == "T-book API credentials are not configured"


def test_unreachable_database_makes_it_unready_without_showing_the_url(gateway_with, unused_url):
    port = unused_url.rsplit(":", 1)[1]
    url = f"postgresql://gateway:db-password-123@127.0.0.1:{port}/gateway"
    response = gateway_with(DATABASE_URL=url).get("/readyz")
    assert response.status_code == 503
    checks = response.get_json()["checks"]
    assert checks["database"].startswith("unreachable (")
    assert checks["tbook"].startswith("not checked")
    assert "db-password-123" not in response.text


def test_a_probe_does_not_queue_behind_a_worker_stuck_fetching_the_token(gateway_with, app, sandbox):
    from datetime import timedelta

    from sqlalchemy import update

    from app.store import db
    from app.store.models import TokenCache, utcnow

    probe = gateway_with(GATEWAY_READY_CACHE_SECONDS=0)
    assert probe.get("/readyz").status_code == 200  # the token row exists now
    with app.app_context():
        # Another worker took the refresh lease a moment ago and has not come back; the token is gone.
        db.session.execute(
            update(TokenCache).values(access_token=None, expires_at=None, lease_until=utcnow() + timedelta(minutes=1))
        )
        db.session.commit()
    response = probe.get("/readyz")
    assert response.status_code == 503
    assert "fetching the T-book token for too long" in response.get_json()["checks"]["tbook"]
