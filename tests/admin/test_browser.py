"""In a real browser: an admin signs in, creates a link, test-launches it into the sandbox; a learner cannot."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select, update

from app.services.identity import accounts
from app.store import db
from app.store.models import AuditEvent, utcnow
from tests.admin.conftest import ADMIN
from tests.conftest import AuthActions
from tests.factories import PASSWORD, make_link, make_profile
from tests.fixtures.browser import shot
from tests.web.test_launch import form_of, post_form

pytestmark = pytest.mark.browser


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
    shot(page, "dashboard-empty")

    page.get_by_role("link", name="Launch links").click()
    page.get_by_role("link", name="New launch link").click()
    page.get_by_label("Slug").fill("formation")
    page.get_by_label("Title").fill("Formation T-book")
    page.get_by_label("Debug").check()
    page.get_by_role("button", name="Create the link").click()
    expect(page.get_by_role("alert").filter(has_text="Created the launch link formation")).to_be_visible()
    expect(page.locator("#link-url")).to_have_value(f"{live_gateway.url}/launch/formation")
    shot(page, "link-edit")

    page.get_by_label("Learner (login)").fill("amy@example.com")
    page.get_by_role("button", name="Test launch").click()
    expect(page.get_by_text("Test launch for amy@example.com")).to_be_visible()
    expect(page.locator("pre").first).to_contain_text('"login": "amy@example.com"')
    shot(page, "test-launch-preview")

    # Sending it: the sandbox verifies the signature on its own and, with debug on, shows the request.
    page.get_by_role("button", name="Send this launch to T-book").click()
    expect(page.locator("body")).to_contain_text("amy@example.com")
    assert page.url.startswith(sandbox.url)
    shot(page, "test-launch-sandbox")

    page.goto(f"{live_gateway.url}/admin/audit?action=launch_preview")
    expect(page.get_by_text("1 event.")).to_be_visible()
    shot(page, "audit")


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
    shot(page, "credentials")

    page.get_by_role("link", name="Profiles").click()
    page.get_by_role("searchbox").fill("pond")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="amy@example.com").click()
    page.get_by_label("entityID").fill("Paris")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_role("alert").first).to_contain_text("entityID")
    shot(page, "profile-invalid")
    page.get_by_label("entityID").fill("25")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_text("Saved the profile of amy@example.com.")).to_be_visible()

    page.get_by_role("link", name="Dashboard").click()
    shot(page, "dashboard-quiet")


# Three weeks of clicks: mostly LTI launches that T-book takes, some it refuses, /authToken
# sign-ins, fallbacks of an auto link, and errors (T-book down, a learner without a profile).
_KINDS = ["lti"] * 12 + ["lti-refused"] * 2 + ["sso"] * 5 + ["fallback"] * 2 + ["tbook-down", "no-profile"]
_LEARNERS = [("jane.doe@example.com", "Jane", "Doe"), ("amy@example.com", "Amy", "Pond"),
             ("lea.martin@example.com", "Léa", "Martin")]  # fmt: skip


def _click(sandbox, client, kind: str) -> None:
    """One learner's click through the gateway's real surface (a test client), T-book being the sandbox."""
    if kind == "sso":
        assert client.get("/launch/open-tbook-sso").status_code == 303
    elif kind == "tbook-down":
        sandbox.set_fault(path="/api/authToken", status=503, count=4)  # each of the gateway's 4 attempts
        assert client.get("/launch/open-tbook-sso").status_code == 503
    elif kind == "no-profile":
        assert client.get("/launch/open-tbook").status_code == 403
    else:
        slug = "open-tbook-auto" if kind == "fallback" else "open-tbook"
        action, params = form_of(client.get(f"/launch/{slug}").text)
        if kind == "lti":
            assert post_form(action, params).status_code == 303
            return
        sandbox.set_fault(
            path="/api/lti", lti_error="Unknown consumer key" if kind == "fallback" else "Invalid signature"
        )
        back = post_form(action, params).headers["location"]
        assert client.get(back.removeprefix("http://localhost")).status_code == (303 if kind == "fallback" else 200)


def _launch_history(app, sandbox) -> None:
    """Real clicks of three weeks, each dated back to its day (the audit's time), as a working gateway has them."""
    with app.app_context():
        make_link(title="Open T-book")
        make_link("open-tbook-sso", title="Open T-book (single sign-on)", mode="authtoken")
        make_link("open-tbook-auto", title="Open T-book (automatic)", mode="auto")
        for login, first, last in _LEARNERS:
            make_profile(login=login, firstname=first, lastname=last)
        accounts.set_account("new.starter@example.com", PASSWORD)  # signs in, has no T-book profile yet
        db.session.commit()
    browsers = {}
    for login in [learner for learner, _, _ in _LEARNERS] + ["new.starter@example.com"]:
        browsers[login] = app.test_client()
        assert AuthActions(browsers[login]).login(login, PASSWORD).status_code == 303
    rng, now = random.Random(14), utcnow()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    for days_ago in range(20, -1, -1):
        kinds = rng.sample(_KINDS, rng.randint(0, 4) if days_ago else 2)
        # Office hours, in order; today's clicks between midnight and now.
        start, span = (midnight, now - midnight) if not days_ago else (
            midnight - timedelta(days=days_ago, hours=-7), timedelta(hours=11))  # fmt: skip
        for kind, share in zip(kinds, sorted(rng.random() for _ in kinds), strict=True):
            login = "new.starter@example.com" if kind == "no-profile" else rng.choice(_LEARNERS)[0]
            with app.app_context():
                last = db.session.scalar(select(func.max(AuditEvent.id))) or 0
            _click(sandbox, browsers[login], kind)
            with app.app_context():
                when = start + span * share
                db.session.execute(update(AuditEvent).where(AuditEvent.id > last).values(created_at=when))
                db.session.commit()


def test_the_pages_the_readme_shows_with_three_weeks_of_launches(app, live_gateway, page, admin_account, sandbox):
    """The dashboard of a working gateway, a new profile with several wrong fields, and a link's deletion."""
    _launch_history(app, sandbox)
    _sign_in(page, live_gateway.url, ADMIN, "/admin/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    for outcome in ("LTI launches refused by T-book", "/authToken sign-ins", "fallbacks to /authToken"):
        attempts = page.get_by_role("row").filter(has_text=outcome).first.get_by_role("cell").nth(1)
        expect(attempts).not_to_have_text("0")
    expect(page.get_by_role("cell", name="Invalid signature").first).to_be_visible()
    shot(page, "dashboard")

    page.get_by_role("link", name="Profiles").click()
    page.get_by_role("link", name="Add a profile").click()
    page.locator("#f-login").fill("not an address")
    page.locator("#f-entityID").fill("Lyon")
    page.locator("#f-contactEmail").fill("jane.doe@example.com|jane at home")
    page.get_by_role("button", name="Add the profile").click()
    errors = page.locator("#errors")
    expect(errors).to_contain_text("Nothing was saved: 5 fields to fix.")
    for field in ("login", "entityID", "lastname", "firstname", "contactEmail"):
        expect(page.locator(f"#f-{field}")).to_have_attribute("aria-invalid", "true")
    shot(page, "profile-errors")

    page.get_by_role("link", name="Launch links").click()
    page.get_by_role("row").filter(has_text="Open T-book (automatic)").get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete the launch link open-tbook-auto?")).to_be_visible()
    expect(page.get_by_text("launch attempt")).to_be_visible()
    shot(page, "link-delete")
    page.get_by_role("button", name="Delete the link").click()
    expect(page.get_by_role("alert").filter(has_text="Deleted the launch link open-tbook-auto")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Open T-book (automatic)")).to_have_count(0)
