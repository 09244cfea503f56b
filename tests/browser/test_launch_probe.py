"""Before posting the launch, the page asks T-book's launch host; when it does not answer, the learner is told,
and an automatic link offers T-book's single sign-on instead (which the gateway can see through)."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.factories import make_link, make_profile
from tests.fixtures.serving import serve

pytestmark = pytest.mark.browser


@pytest.fixture
def lti_host_down(make_gateway, unused_url):
    """A gateway whose launch URL names a host where nothing listens; T-book's API (the sandbox) still answers."""
    gateway = make_gateway(TBOOK_LTI_URL=unused_url + "/api/lti")
    with gateway.app_context():
        make_link(title="Open T-book")
        make_link("auto", title="Open T-book (automatic)", mode="auto")
        make_profile(login="noe@example.com", firstname="Noé", lastname="Nouveau", entityID="25", location=["Lyon"])
    with serve(gateway, "gateway-lti-down") as url:
        yield url


def sign_in(page, url: str) -> None:
    page.goto(url)
    page.get_by_label("E-mail").fill("noe@example.com")
    page.get_by_label("Password").fill("correct-horse")
    page.get_by_role("button", name="Sign in").click()


def test_an_auto_link_offers_single_sign_on_when_the_launch_host_does_not_answer(lti_host_down, sandbox, page):
    sign_in(page, lti_host_down + "/launch/auto")
    expect(page.get_by_role("heading", name="T-book cannot be reached")).to_be_visible()
    expect(page.get_by_role("heading", name="Opening T-book…")).to_be_hidden()
    assert page.url.startswith(lti_host_down)  # still on the gateway, not on the browser's own error page
    page.get_by_role("link", name="Use T-book's single sign-on").click()
    expect(page).to_have_url(re.compile(re.escape(sandbox.url) + r"/home"))
    expect(page.get_by_text("Welcome, Noé Nouveau")).to_be_visible()
    assert [r["path"] for r in sandbox.requests() if r["path"] in ("/api/lti", "/api/authToken")] == ["/api/authToken"]


def test_an_lti_link_says_so_plainly_and_offers_to_try_again(lti_host_down, page):
    sign_in(page, lti_host_down + "/launch/open-tbook")
    expect(page.get_by_role("heading", name="T-book cannot be reached")).to_be_visible()
    expect(page.get_by_text("tell your administrator")).to_be_visible()
    assert page.get_by_role("link", name="Use T-book's single sign-on").count() == 0
    expect(page.get_by_role("link", name="Try again")).to_have_attribute("href", "/launch/open-tbook")


def test_the_usual_launch_is_not_held_back(live_gateway, sandbox, page, app):
    with app.app_context():
        make_link(title="Open T-book")
        make_profile(login="noe@example.com", firstname="Noé", lastname="Nouveau", entityID="25", location=["Lyon"])
    sign_in(page, live_gateway.url + "/")
    started = time.monotonic()
    page.get_by_role("link", name="Open T-book").click()
    expect(page).to_have_url(re.compile(re.escape(sandbox.url) + r"/home"))
    # One round trip to the host before the post: far below the wait the page would give up after (4 s).
    assert time.monotonic() - started < 2.0
