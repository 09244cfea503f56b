"""Behind a reverse proxy: absolute URLs follow X-Forwarded-* for the configured hops, and only then."""

from html import unescape

import pytest

from app import create_app
from app.settings.loading import ConfigError
from app.store import db
from tests.factories import make_link, make_profile
from tests.web.test_launch import form_of

PROXY = "127.0.0.1"
OUTSIDER = "203.0.113.9"


@pytest.fixture
def gateway(gateway_config, app):
    """Return a test client of a gateway with header sign-in and `hops` proxies, on `app`'s database."""
    with app.app_context():
        make_link()
        make_profile()
    built = []

    def make(hops: int = 0, **more: str):
        built.append(create_app({**gateway_config, **settings(hops), **more}))
        return built[-1].test_client()

    yield make
    for other in built:
        with other.app_context():
            db.engine.dispose()


def settings(hops: int) -> dict:
    # The public host is configured: a forwarded host is believed only when it is one of the gateway's own.
    return {
        "GATEWAY_AUTH": "header",
        "GATEWAY_TRUSTED_PROXIES": PROXY,
        "GATEWAY_PROXY_HOPS": hops,
        "GATEWAY_PUBLIC_HOSTS": "learn.example.org",
    }


def launch(client, peer: str = PROXY, **headers: str):
    headers = {"X-Remote-User": "jane.doe@example.com", **headers}
    return client.get("/launch/open-tbook", headers=headers, environ_base={"REMOTE_ADDR": peer})


def return_url(response) -> str:
    return dict(form_of(response.text)[1])["launch_presentation_return_url"]


def test_return_url_uses_the_public_scheme_host_and_prefix_behind_one_proxy(gateway):
    response = launch(
        gateway(hops=1),
        **{
            "X-Forwarded-For": "198.51.100.7",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "learn.example.org",
            "X-Forwarded-Prefix": "/gateway",
        },
    )
    assert response.status_code == 200
    assert return_url(response).startswith("https://learn.example.org/gateway/lti/return?ref=")
    # The page's own assets follow the prefix too, or the browser would fetch them from the wrong place.
    assert 'src="/gateway/static/launch.js"' in unescape(response.text)


def test_only_the_configured_number_of_hops_is_believed(gateway):
    # The client forged the first values; the proxy appended the true ones. Only the last hop counts.
    response = launch(
        gateway(hops=1),
        **{"X-Forwarded-Proto": "http,https", "X-Forwarded-Host": "evil.example,learn.example.org"},
    )
    assert return_url(response).startswith("https://learn.example.org/lti/return?ref=")


def test_without_hops_forwarded_headers_change_nothing(gateway):
    response = launch(gateway(hops=0), **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert response.status_code == 200
    assert return_url(response).startswith("http://localhost/lti/return?ref=")


def test_a_forged_forwarded_for_does_not_make_an_outsider_a_trusted_proxy(gateway):
    response = launch(gateway(hops=0), peer=OUTSIDER, **{"X-Forwarded-For": PROXY})
    assert response.status_code == 401
    assert "jane.doe" not in response.text


def test_behind_proxy_fix_the_user_header_is_still_trusted_only_from_the_proxy_itself(gateway):
    client = gateway(hops=1)
    # An outsider claiming to be the proxy through X-Forwarded-For: ProxyFix makes the claimed address the
    # remote address, but the sign-in checks the real peer.
    assert launch(client, peer=OUTSIDER, **{"X-Forwarded-For": PROXY}).status_code == 401
    assert launch(client, peer=PROXY, **{"X-Forwarded-For": "198.51.100.7"}).status_code == 200


@pytest.mark.parametrize("hops", ["-1", "two"])
def test_proxy_hops_must_be_a_count(gateway_config, hops):
    gateway_config["GATEWAY_PROXY_HOPS"] = hops
    with pytest.raises(ConfigError, match="GATEWAY_PROXY_HOPS"):
        create_app(gateway_config)


# --- Forwarded headers are believed only for what they may say (the attack review's finding 4) ---


def test_a_forwarded_host_not_configured_never_reaches_the_urls_sent_to_t_book(gateway):
    response = launch(gateway(hops=1), **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert response.status_code == 200
    url = return_url(response)
    assert "evil.example" not in response.text
    assert url.startswith("https://learn.example.org/lti/return?ref=")  # the configured host instead


def test_the_public_base_url_s_host_is_accepted_and_is_the_fallback(gateway):
    client = gateway(hops=1, GATEWAY_PUBLIC_HOSTS="", GATEWAY_BASE_URL="https://portal.example.net/")
    accepted = launch(client, **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "portal.example.net"})
    assert return_url(accepted).startswith("https://portal.example.net/lti/return?ref=")
    refused = launch(client, **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example:443"})
    assert return_url(refused).startswith("https://portal.example.net/lti/return?ref=")


def test_with_no_public_host_configured_a_forwarded_host_is_ignored(gateway):
    client = gateway(hops=1, GATEWAY_PUBLIC_HOSTS="")
    response = launch(client, **{"X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example"})
    assert return_url(response).startswith("https://localhost/lti/return?ref=")


@pytest.mark.parametrize("prefix", ["//evil.example", "/\\evil.example", "https://evil.example", "/a//b", "/../x", "x"])
def test_a_forwarded_prefix_is_believed_only_as_a_path(gateway, prefix):
    client = gateway(hops=1, GATEWAY_AUTH="local")
    to_sign_in = client.get(
        "/launch/open-tbook", headers={"X-Forwarded-Prefix": prefix}, environ_base={"REMOTE_ADDR": PROXY}
    )
    assert to_sign_in.status_code == 302
    assert to_sign_in.headers["Location"].startswith("/auth/login?next=/launch/open-tbook")
    form = client.get("/auth/login", headers={"X-Forwarded-Prefix": prefix}, environ_base={"REMOTE_ADDR": PROXY})
    assert 'action="/auth/login' in form.text or 'action=""' in form.text
    assert "evil.example" not in form.text


def test_a_forwarded_prefix_that_is_a_path_still_counts(gateway):
    client = gateway(hops=1, GATEWAY_AUTH="local")
    to_sign_in = client.get(
        "/launch/open-tbook", headers={"X-Forwarded-Prefix": "/gateway"}, environ_base={"REMOTE_ADDR": PROXY}
    )
    assert to_sign_in.headers["Location"].startswith("/gateway/auth/login?next=/gateway/launch/open-tbook")


@pytest.mark.parametrize("proto", ["javascript", "ftp", "https://evil.example"])
def test_a_forwarded_scheme_is_http_or_https_only(gateway, proto):
    response = launch(gateway(hops=1), **{"X-Forwarded-Proto": proto, "X-Forwarded-Host": "learn.example.org"})
    assert return_url(response).startswith("http://learn.example.org/lti/return?ref=")
