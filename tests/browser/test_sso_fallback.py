"""In a real browser: an authtoken link, and an auto link whose LTI launch T-book refuses, both land in T-book."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import make_link, make_profile
from tests.fixtures.browser import ARTIFACTS

pytestmark = pytest.mark.browser


def sign_in(page, url):
    page.goto(url)
    page.get_by_label("E-mail").fill("noe.nouveau@example.com")
    page.get_by_label("Password").fill("correct-horse")
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture
def noe(app):
    # Not in T-book yet: the gateway inserts him before asking for the sign-in URL.
    with app.app_context():
        make_link("sso", title="Open T-book (SSO)", mode="authtoken")
        make_link("auto", title="Open T-book (auto)", mode="auto")
        make_profile(login="noe.nouveau@example.com", firstname="Noé", lastname="Nouveau", entityID="25")


def test_authtoken_link_lands_signed_in(live_gateway, sandbox, page, noe):
    sign_in(page, live_gateway.url + "/launch/sso")
    expect(page).to_have_url(re.compile(re.escape(sandbox.url) + r"/home"))
    expect(page.get_by_text("Welcome, Noé Nouveau")).to_be_visible()
    expect(page.get_by_text("Lyon Campus")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "authtoken-landed.png"), full_page=True)


def test_auto_link_refused_by_lti_falls_back_and_lands_signed_in(live_gateway, sandbox, page, noe):
    sandbox.set_fault(path="/api/lti", lti_error="Unknown consumer key")
    sign_in(page, live_gateway.url + "/launch/auto")
    # LTI launch -> T-book refuses -> /lti/return -> /authToken -> T-book signs the learner in.
    expect(page).to_have_url(re.compile(re.escape(sandbox.url) + r"/home"))
    expect(page.get_by_text("Welcome, Noé Nouveau")).to_be_visible()
    assert [r["path"] for r in sandbox.requests() if r["path"] in ("/api/lti", "/api/authToken")] == [
        "/api/lti",
        "/api/authToken",
    ]


def test_stopped_sandbox_gives_a_clear_page(live_gateway, sandbox, page, noe):
    sandbox.set_fault(path="/api/authToken", status=503, count=50)
    sign_in(page, live_gateway.url + "/launch/sso")
    expect(page.get_by_role("heading", name="T-book is not answering")).to_be_visible()
    expect(page.get_by_text("reference")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tbook-down.png"), full_page=True)
