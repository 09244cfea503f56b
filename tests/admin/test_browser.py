"""In a real browser: an admin signs in, creates a link, test-launches it into the sandbox; a learner cannot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.admin.conftest import ADMIN
from tests.factories import PASSWORD, make_profile

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("ADMIN_SHOTS", "/tmp/admin-shots"))  # noqa: S108 (screenshots for humans, not secrets)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sign_in(page, url: str, login: str, next_path: str) -> None:
    page.goto(f"{url}{next_path}")
    page.get_by_label("E-mail").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_an_admin_creates_a_link_and_test_launches_it(app, live_gateway, page, admin_account, sandbox):
    with app.app_context():
        make_profile(login="amy@example.com", firstname="Amy", lastname="Pond")
    _sign_in(page, live_gateway.url, ADMIN, "/admin/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    _shot(page, "dashboard-empty")

    page.get_by_role("link", name="Launch links").click()
    page.get_by_role("link", name="New launch link").click()
    page.get_by_label("Slug").fill("formation")
    page.get_by_label("Title").fill("Formation T-book")
    page.get_by_label("Debug").check()
    page.get_by_role("button", name="Create the link").click()
    expect(page.get_by_role("alert").filter(has_text="Created the launch link formation")).to_be_visible()
    expect(page.locator("#link-url")).to_have_value(f"{live_gateway.url}/launch/formation")
    _shot(page, "link-edit")

    page.get_by_label("Learner (login)").fill("amy@example.com")
    page.get_by_role("button", name="Test launch").click()
    expect(page.get_by_text("Test launch for amy@example.com")).to_be_visible()
    expect(page.locator("pre").first).to_contain_text('"login": "amy@example.com"')
    _shot(page, "test-launch-preview")

    # Sending it: the sandbox verifies the signature on its own and, with debug on, shows the request.
    page.get_by_role("button", name="Send this launch to T-book").click()
    expect(page.locator("body")).to_contain_text("amy@example.com")
    assert page.url.startswith(sandbox.url)
    _shot(page, "test-launch-sandbox")

    page.goto(f"{live_gateway.url}/admin/audit?action=launch_preview")
    expect(page.get_by_text("1 event.")).to_be_visible()
    _shot(page, "audit")


def test_a_learner_in_the_browser_is_refused(app, live_gateway, page):
    with app.app_context():
        make_profile()
    _sign_in(page, live_gateway.url, "jane.doe@example.com", "/admin/links")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)


def test_an_admin_sets_credentials_checks_them_and_fixes_a_profile(app, live_gateway, page, admin_account, sandbox):
    with app.app_context():
        make_profile(login="amy@example.com", firstname="Amy", lastname="Pond")
    _sign_in(page, live_gateway.url, ADMIN, "/admin/credentials")
    page.get_by_role("button", name="Check connection").click()
    expect(page.get_by_role("alert").filter(has_text="Connected to T-book (sandbox) as")).to_be_visible()
    _shot(page, "credentials")

    page.get_by_role("link", name="Profiles").click()
    page.get_by_role("searchbox").fill("pond")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="amy@example.com").click()
    page.get_by_label("entityID").fill("Paris")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_role("alert").first).to_contain_text("entityID")
    _shot(page, "profile-invalid")
    page.get_by_label("entityID").fill("25")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_text("Saved the profile of amy@example.com.")).to_be_visible()

    page.get_by_role("link", name="Dashboard").click()
    _shot(page, "dashboard")
