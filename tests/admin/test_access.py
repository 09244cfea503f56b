"""Access control: every admin route is for admins only; learners get 403, anonymous users sign in first."""

from __future__ import annotations

import pytest

from app.services.audit import trail as audit
from app.services.catalog import profile_uploads
from app.services.identity import accounts
from app.store import db
from tests.admin.conftest import form_token
from tests.factories import make_link, make_profile

GET_ROUTES = [
    "/admin/",
    "/admin/links",
    "/admin/links/new",
    "/admin/links/open-tbook",
    "/admin/links/open-tbook/test?login=jane.doe@example.com",
    "/admin/links/open-tbook/disable",
    "/admin/links/open-tbook/delete",
    "/admin/credentials",
    "/admin/profiles",
    "/admin/profiles/new",
    "/admin/profiles/export.csv",
    "/admin/profiles/{profile_id}",
    "/admin/profiles/{profile_id}/delete",
    "/admin/profiles/upload",
    "/admin/profiles/upload/{upload}",
    "/admin/profiles/upload/{upload}/progress",
    "/admin/accounts",
    "/admin/accounts/{account_id}",
    "/admin/audit",
    "/admin/audit/export.csv",
    "/admin/audit/verify",
    "/admin/sync",
]
POST_ROUTES = [
    "/admin/links/new",
    "/admin/links/open-tbook",
    "/admin/links/open-tbook/enabled",
    "/admin/links/open-tbook/delete",
    "/admin/credentials",
    "/admin/credentials/check",
    "/admin/profiles/new",
    "/admin/profiles/{profile_id}",
    "/admin/profiles/{profile_id}/delete",
    "/admin/profiles/upload",
    "/admin/sync/runs",
    "/admin/profiles/upload/{upload}/import",
    "/admin/accounts",
    "/admin/accounts/{account_id}/password",
    "/admin/accounts/{account_id}/unlock",
]


@pytest.fixture
def world(app):
    with app.app_context():
        make_link("open-tbook", debug=True)
        profile_id = make_profile().id
        account_id = accounts.find("jane.doe@example.com").id
        audit.record("launch", "sent", actor="jane.doe@example.com", link_slug="open-tbook")
        csv = b"login,entityID,civility,lastname,firstname\namy@example.com,24,mme,Pond,Amy\n"
        upload = profile_uploads.upload(csv, "people.csv", actor="admin@example.com", dry_run=True).token
    return {"profile_id": profile_id, "account_id": account_id, "upload": upload}


def test_every_admin_route_is_listed(app):
    admin_rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.")}
    listed = {
        p.split("?")[0]
        .replace("{profile_id}", "<int:profile_id>")
        .replace("{account_id}", "<int:account_id>")
        .replace("{upload}", "<token>")
        .replace("open-tbook", "<slug>")
        for p in GET_ROUTES + POST_ROUTES
    }
    assert admin_rules == listed


@pytest.mark.parametrize("path", GET_ROUTES)
def test_anonymous_users_are_sent_to_sign_in(client, world, path):
    response = client.get(path.format(**world))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


@pytest.mark.parametrize("path", GET_ROUTES)
def test_learners_get_403_on_every_admin_page(client, auth, world, path):
    auth.login("jane.doe@example.com")
    response = client.get(path.format(**world))
    assert response.status_code == 403
    assert "for gateway administrators" in response.text


@pytest.mark.parametrize("path", POST_ROUTES)
def test_learners_get_403_on_every_admin_form_even_with_a_valid_token(app, client, auth, world, path):
    auth.login("jane.doe@example.com")
    token = form_token(client, "/")
    with app.app_context():
        events_before = db.session.execute(db.text("select count(*) from audit_event")).scalar()
    data = {
        "csrf_token": token,
        "slug": "evil",
        "title": "Evil",
        "mode": "lti",
        "connection_type": "login",
        "enabled": "0",
        "TBOOK_CLIENT_SECRET": "attacker-secret",
        "lastname": "Hacked",
    }
    response = client.post(path.format(**world), data=data)
    assert response.status_code == 403
    with app.app_context():
        changed = db.session.execute(db.text("select count(*) from audit_event")).scalar() - events_before
        assert changed == 0  # nothing was done, not even a failed check
        assert db.session.execute(db.text("select count(*) from setting")).scalar() == 0


@pytest.mark.parametrize("path", GET_ROUTES)
def test_admins_reach_every_admin_page(as_admin, world, path):
    response = as_admin.get(path.format(**world))
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Cache-Control"] == "no-store"


def test_header_sign_in_admins_come_from_gateway_admins(app, gateway_config, client):
    app.config["GATEWAY_AUTH"] = ["header"]
    app.config["GATEWAY_ADMINS"] = frozenset({"boss@example.com"})
    assert client.get("/admin/", headers={"X-Remote-User": "Boss@example.com"}).status_code == 200
    assert client.get("/admin/", headers={"X-Remote-User": "jane.doe@example.com"}).status_code == 403
    anonymous = client.get("/admin/")
    assert anonymous.status_code == 401


def test_header_from_an_untrusted_address_is_not_an_admin(app, client):
    app.config["GATEWAY_AUTH"] = ["header"]
    app.config["GATEWAY_ADMINS"] = frozenset({"boss@example.com"})
    response = client.get(
        "/admin/", headers={"X-Remote-User": "boss@example.com"}, environ_base={"REMOTE_ADDR": "10.1.2.3"}
    )
    assert response.status_code == 401


def test_the_nav_shows_admin_only_to_admins(client, auth, as_admin, world):
    assert 'href="/admin/"' in as_admin.get("/").text
    client.post("/auth/logout", data={"csrf_token": form_token(client, "/")})
    auth.login("jane.doe@example.com")
    assert 'href="/admin/"' not in client.get("/").text
