"""In a real browser: switching T-book's environment asks first, says what changes, and the footer follows."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from playwright.sync_api import expect

from app.services.identity import accounts
from app.store import db
from tests.admin.conftest import ADMIN
from tests.factories import PASSWORD
from tests.fixtures.browser import shot

pytestmark = pytest.mark.browser


@pytest.fixture
def gateway_config(gateway_config):
    """T-book's environment and credentials left to the console: only the sandbox's URL is unset too."""
    for name in ("TBOOK_ENV", "TBOOK_API_URL", "TBOOK_LTI_URL", "TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET"):
        gateway_config.pop(name)
    for name in ("TBOOK_LTI_KEY", "TBOOK_LTI_SECRET"):
        gateway_config.pop(name)
    gateway_config["GATEWAY_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    return gateway_config


@pytest.fixture
def admin_account(app):
    with app.app_context():
        accounts.set_account(ADMIN, PASSWORD, is_admin=True)
        db.session.commit()


def test_switching_to_live_asks_first_and_the_footer_follows(app, live_gateway, page, admin_account):
    page.goto(f"{live_gateway.url}/admin/credentials")
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    footer = page.locator("footer")
    expect(footer).to_have_text("T-book Gateway · sandbox platform")
    expect(page.get_by_text("•••• sha256").first).to_be_visible()  # a secret's fingerprint, never itself

    page.get_by_label("Environment").select_option("live")
    page.get_by_role("button", name="Save the credentials").click()
    expect(page.get_by_role("heading", name="Switch from sandbox to live?")).to_be_visible()
    expect(page.get_by_text("The sandbox's built-in credentials do not follow to live")).to_be_visible()
    shot(page, "credentials-switch")
    page.get_by_role("link", name="Cancel").click()
    expect(footer).to_have_text("T-book Gateway · sandbox platform")  # cancelled: nothing switched

    page.get_by_label("Environment").select_option("live")
    page.get_by_role("button", name="Save the credentials").click()
    page.get_by_role("button", name="Switch to live").click()
    expect(page.get_by_role("alert").filter(has_text="Saved: Environment.")).to_be_visible()
    expect(footer).to_have_text("T-book Gateway · live platform")
    page.goto(f"{live_gateway.url}/")  # a learner's page says the same
    expect(footer).to_have_text("T-book Gateway · live platform")
