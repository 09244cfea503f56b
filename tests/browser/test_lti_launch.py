"""A learner in a real browser: sign in, click Open T-book, land on T-book (the sandbox) signed in."""

import re

import pytest
from playwright.sync_api import expect

from app.cli.demo import DEMO_PASSWORD
from tests.factories import make_link, make_profile
from tests.fixtures.browser import ARTIFACTS, shot

pytestmark = pytest.mark.browser


@pytest.fixture
def seeded(app):
    with app.app_context():
        make_link(title="Open T-book")
        make_link("open-tbook-debug", title="Open T-book (debug)", debug=True)
        make_profile(firstname="Amélie", lastname="Poulain-Ébène", entityID="25", location=["Lyon"])


def test_learner_signs_in_clicks_open_tbook_and_lands_signed_in(live_gateway, sandbox, page, seeded):
    page.goto(live_gateway.url + "/")
    expect(page).to_have_url(re.compile(r"/auth/login"))
    page.get_by_label("E-mail").fill("jane.doe@example.com")
    page.get_by_label("Password").fill("correct-horse")
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Open T-book").first.click()
    # The launch page submits itself to T-book; the sandbox verifies the signature and signs the user in.
    expect(page).to_have_url(re.compile(re.escape(sandbox.url) + r"/home"))
    expect(page.get_by_text("Amélie Poulain-Ébène")).to_be_visible()
    expect(page.get_by_text("Lyon Campus")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lti-launch-landed.png"), full_page=True)


def test_wrong_password_keeps_the_learner_on_the_sign_in_form(live_gateway, page, seeded):
    page.goto(live_gateway.url + "/launch/open-tbook")
    page.get_by_label("E-mail").fill("jane.doe@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")


def test_debug_launch_shows_the_request_as_tbook_received_it(live_gateway, sandbox, page, seeded):
    page.goto(live_gateway.url + "/launch/open-tbook-debug")
    page.get_by_label("E-mail").fill("jane.doe@example.com")
    page.get_by_label("Password").fill("correct-horse")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(sandbox.url) + r"/api/lti"))
    expect(page.get_by_text("custom_debug").first).to_be_visible()
    expect(page.get_by_text("Poulain-Ébène").first).to_be_visible()


def test_the_demo_as_the_readme_shows_it(runner, live_gateway, sandbox, page):
    """`make run`'s demo data: the start page (in French), a debug link's preview, and T-book reached."""
    assert runner.invoke(args=["demo", "seed"]).exit_code == 0
    page.set_viewport_size({"width": 1100, "height": 720})
    page.goto(live_gateway.url + "/")
    page.get_by_label("E-mail").fill("amelie.poulain@example.com")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Français").click()
    expect(page.get_by_role("heading", name="Bonjour, Amélie")).to_be_visible()
    shot(page, "home")

    page.get_by_role("link", name="English").click()
    page.get_by_role("link", name="Preview").click()
    expect(page.get_by_role("heading", name="Launch preview: Open T-book (debug)")).to_be_visible()
    expect(page.locator("pre").first).to_contain_text('"login": "amelie.poulain@example.com"')
    shot(page, "preview", full_page=False)  # the top: where it posts, the signature, custom_data

    page.goto(live_gateway.url + "/")
    page.locator(".card").first.get_by_role("link", name="Open").click()
    expect(page).to_have_url(re.compile(re.escape(sandbox.url) + r"/home"))
    expect(page.get_by_text("Amélie Poulain")).to_be_visible()
    shot(page, "landed")
