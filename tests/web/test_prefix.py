"""A gateway published under a path prefix (X-Forwarded-Prefix from the proxy): every way back keeps the prefix."""

import pytest

from app.services.identity.signed_links import make_token
from tests.conftest import csrf_token
from tests.factories import make_link, make_profile

PROXY = {
    "X-Forwarded-For": "10.1.1.1",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "learn.example.org",
    "X-Forwarded-Prefix": "/gateway",
}
LOGIN_PAGE = "https://learn.example.org/gateway/auth/login"
# The proxy's X-Forwarded-Host is believed only for a host the gateway is configured to answer as.
BEHIND_PROXY = {"GATEWAY_PROXY_HOPS": "1", "GATEWAY_PUBLIC_HOSTS": "learn.example.org"}


@pytest.fixture
def jane(app):
    with app.app_context():
        make_link()
        return make_profile()


def _sign_in(client, next_url: str):
    page = client.get("/auth/login", query_string={"next": next_url}, headers=PROXY)
    data = {"login": "jane.doe@example.com", "password": "correct-horse", "next": next_url}
    data["csrf_token"] = csrf_token(page.text)
    return client.post("/auth/login", data=data, headers={**PROXY, "Referer": LOGIN_PAGE})


def test_sign_in_comes_back_under_the_prefix(make_gateway, jane):
    client = make_gateway(**BEHIND_PROXY).test_client()
    asked = client.get("/launch/open-tbook", headers=PROXY)
    assert asked.status_code == 302
    assert asked.headers["Location"].endswith("/gateway/auth/login?next=/gateway/launch/open-tbook")
    signed_in = _sign_in(client, "/gateway/launch/open-tbook")
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/gateway/launch/open-tbook"


def test_admin_pages_send_back_under_the_prefix(make_gateway):
    client = make_gateway(**BEHIND_PROXY).test_client()
    asked = client.get("/admin/audit", query_string={"outcome": "error"}, headers=PROXY)
    assert asked.headers["Location"].endswith("/gateway/auth/login?next=/gateway/admin/audit?outcome%3Derror")


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/gateway/", "/\\evil.example"])
def test_next_still_never_leaves_the_site_under_a_prefix(make_gateway, jane, target):
    client = make_gateway(**BEHIND_PROXY).test_client()
    response = _sign_in(client, target)
    assert response.status_code == 303 and response.headers["Location"] == "/gateway/"


def test_a_signed_link_drops_its_token_and_keeps_the_prefix(make_gateway, gateway_config, jane):
    client = make_gateway(GATEWAY_AUTH="signed-link", **BEHIND_PROXY).test_client()
    token = make_token(gateway_config["GATEWAY_LINK_SECRET"], "jane.doe@example.com", "open-tbook")
    response = client.get("/launch/open-tbook", query_string={"auth": token, "x": "1"}, headers=PROXY)
    assert response.status_code == 303 and response.headers["Location"] == "/gateway/launch/open-tbook?x=1"
