"""GATEWAY_FRAME_ANCESTORS: the intranet may frame the gateway's pages; the admin console is never framed."""

from __future__ import annotations

import pytest

from app import create_app
from app.settings import ConfigError
from tests.conftest import AuthActions
from tests.factories import make_link, make_profile

INTRANET = "https://intranet.example.org"


def frame_ancestors(response) -> str:
    """The policy's frame-ancestors directive (the rest of the CSP is tests/web/test_security_headers.py's)."""
    return next(part for part in response.headers["Content-Security-Policy"].split("; ") if part.startswith("frame-"))


def test_by_default_only_the_gateway_frames_its_pages(client):
    response = client.get("/auth/login")
    assert frame_ancestors(response) == "frame-ancestors 'self'"
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_intranet_origin_may_frame_the_launch_pages(app, make_gateway, sandbox):
    with app.app_context():
        make_link()
        make_profile()
    gateway = make_gateway(GATEWAY_FRAME_ANCESTORS=f"{INTRANET}/, https://*.portal.example.org")
    client = gateway.test_client()
    for response in (client.get("/auth/login"), client.get("/healthz")):
        assert frame_ancestors(response) == (f"frame-ancestors 'self' {INTRANET} https://*.portal.example.org")
        # X-Frame-Options cannot name another origin: any value would contradict the CSP, so there is none.
        assert "X-Frame-Options" not in response.headers

    AuthActions(client).login()
    launch = client.get("/launch/open-tbook")
    assert launch.status_code == 200 and INTRANET in launch.headers["Content-Security-Policy"]
    admin = client.get("/admin/")
    assert frame_ancestors(admin) == "frame-ancestors 'none'"
    assert admin.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "value",
    ["intranet.example.org", "https://intranet.example.org/portal", "https://a.example.org; script-src *", "*"],
)
def test_anything_but_an_origin_is_refused_at_start(gateway_config, value):
    with pytest.raises(ConfigError, match="GATEWAY_FRAME_ANCESTORS takes origins"):
        create_app({**gateway_config, "GATEWAY_FRAME_ANCESTORS": value})
