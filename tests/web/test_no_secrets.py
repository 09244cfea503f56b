"""No secret, token or one-time sign-in URL in an audit row, a log line or a page, whatever the way in."""

import logging

from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent, TokenCache
from tests.factories import make_link, make_profile


def test_secrets_appear_nowhere_after_every_kind_of_launch(app, client, auth, sandbox, gateway_config, capsys, caplog):
    caplog.set_level(logging.DEBUG)
    with app.app_context():
        make_link()
        make_link("debug", debug=True)
        make_link("sso", mode="authtoken")
        make_link("auto", mode="auto")
        make_profile(login="new.one@example.com", firstname="New", lastname="One")
    auth.login(login="new.one@example.com")
    pages = [client.get(path) for path in ("/launch/open-tbook", "/launch/debug", "/launch/debug/preview")]
    sso = client.get("/launch/sso")
    sandbox.set_fault(path="/api/authToken", status=500, count=10)
    failed = client.get("/launch/sso")
    sign_in_url = sso.headers["Location"]
    with app.app_context():
        access_token = db.session.scalars(select(TokenCache.access_token)).one()
        audit_events = list(db.session.scalars(select(AuditEvent)))
        rows = [repr((e.actor, e.action, e.detail, e.correlation_id, e.mode, e.outcome)) for e in audit_events]
    assert {"launch", "launch_preview", "provision", "token_refresh"} <= {e.action for e in audit_events}
    out = capsys.readouterr()
    everything = "\n".join(
        rows
        + [p.text for p in pages]
        + [failed.text, out.out, out.err, caplog.text, repr(sso.headers.get("Set-Cookie"))]
    )
    for secret in (
        gateway_config["TBOOK_CLIENT_SECRET"],
        gateway_config["TBOOK_LTI_SECRET"],
        gateway_config["SECRET_KEY"],
        access_token,
        sign_in_url,
        sign_in_url.rsplit("/", 1)[1],
    ):
        assert secret not in everything
