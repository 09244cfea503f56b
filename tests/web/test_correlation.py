"""Correlation ids are the gateway's own: a client's X-Request-ID never becomes one (the attack review's finding 5)."""

from app.store import db
from app.store.models import AuditEvent
from tests.conftest import AuthActions
from tests.factories import make_link, make_profile


def test_two_launches_with_the_same_request_id_get_their_own_correlation_ids(app):
    with app.app_context():
        make_link()
        make_profile()
        make_profile(login="john.smith@example.com", firstname="John", lastname="Smith", externalID="1002")
    ids = []
    for login in ("jane.doe@example.com", "john.smith@example.com"):
        browser = app.test_client()
        assert AuthActions(browser).login(login).status_code == 303
        response = browser.get("/launch/open-tbook", headers={"X-Request-ID": "chosen-by-the-client"})
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == "chosen-by-the-client"  # echoed, for the client's own tracing
        ids.append(response.headers["X-Correlation-ID"])
    assert "chosen-by-the-client" not in ids and len(set(ids)) == 2
    with app.app_context():
        launches = db.session.query(AuditEvent).filter_by(action="launch").order_by(AuditEvent.id).all()
        assert [event.correlation_id for event in launches] == ids


def test_an_unsafe_request_id_is_not_echoed(client):
    response = client.get("/healthz", headers={"X-Request-ID": "bad id\twith <html>"})
    assert "X-Request-ID" not in response.headers
    assert len(response.headers["X-Correlation-ID"]) == 32
