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

    def make(hops: int = 0):
        built.append(create_app({**gateway_config, **settings(hops)}))
        return built[-1].test_client()

    yield make
    for other in built:
        with other.app_context():
            db.engine.dispose()


def settings(hops: int) -> dict:
    return {"GATEWAY_AUTH": "header", "GATEWAY_TRUSTED_PROXIES": PROXY, "GATEWAY_PROXY_HOPS": hops}


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
