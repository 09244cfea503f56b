"""In a real browser: the console asks before it disables or deletes, and a large upload shows its progress."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.services.identity import accounts
from app.store import db
from app.store.models import AuditEvent, LaunchLink, Profile
from tests.admin.conftest import ADMIN
from tests.factories import PASSWORD, make_link

pytestmark = pytest.mark.browser


@pytest.fixture
def admin_account(app):
    with app.app_context():
        accounts.set_account(ADMIN, PASSWORD, is_admin=True)
        db.session.commit()


def _sign_in(page, url: str, next_path: str) -> None:
    page.goto(f"{url}{next_path}")
    page.get_by_label("E-mail").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_disabling_and_deleting_a_link_ask_first(app, live_gateway, page, admin_account):
    with app.app_context():
        make_link(title="Formation T-book")
    _sign_in(page, live_gateway.url, "/admin/links")
    page.get_by_role("link", name="Disable").click()
    expect(page.get_by_role("heading", name="Disable the launch link open-tbook?")).to_be_visible()
    expect(page.get_by_text("read “This link is temporarily unavailable”")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(f"{live_gateway.url}/admin/links")
    with app.app_context():
        assert db.session.scalars(select(LaunchLink.enabled)).one()  # cancelled: nothing changed

    page.get_by_role("link", name="Disable").click()
    page.get_by_role("button", name="Disable the link").click()
    expect(page.get_by_role("alert").filter(has_text="Disabled the launch link open-tbook")).to_be_visible()

    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete the launch link open-tbook?")).to_be_visible()
    expect(page.get_by_text("stop working: learners get “Unknown launch link”")).to_be_visible()
    page.get_by_role("button", name="Delete the link").click()
    expect(page.get_by_role("alert").filter(has_text="Deleted the launch link open-tbook")).to_be_visible()
    expect(page.get_by_text("No launch link yet.")).to_be_visible()
    with app.app_context():
        assert db.session.scalars(select(LaunchLink)).all() == []


def test_a_large_upload_shows_its_progress_then_imports_once(app, live_gateway, page, admin_account, tmp_path):
    rows = "".join(f"p{n:05d}@example.com,24,m,Person,Number {n}\n" for n in range(20_000))  # as in the issue
    csv = tmp_path / "everyone.csv"
    csv.write_text("login,entityID,civility,lastname,firstname\n" + rows, encoding="utf-8")
    _sign_in(page, live_gateway.url, "/admin/profiles/upload")
    page.get_by_label("CSV file").set_input_files(str(csv))
    page.get_by_label("Check only").check()
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("heading", name="Checking everyone.csv")).to_be_visible()
    expect(page.locator("progress#import-progress")).to_be_visible()

    confirm = page.get_by_role("button", name="Import 20000 profile(s) from this upload")
    expect(confirm).to_be_visible(timeout=120_000)  # the page follows the check, then shows its report
    expect(page.get_by_text("Would import 20000 profile(s)")).to_be_visible()
    confirm.dblclick()  # an impatient double click sends it once
    expect(page.get_by_text("Imported 20000 profile(s): 20000 new")).to_be_visible(timeout=120_000)
    assert re.search(r"/admin/profiles/upload/[^/]+$", page.url)
    with app.app_context():
        assert db.session.scalar(select(func.count(Profile.id))) == 20_000
        imports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "profiles_import")).all()
        assert len(imports) == 1 and imports[0].actor == ADMIN
