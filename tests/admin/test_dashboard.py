"""The dashboard: launch attempts per day by outcome as server-rendered SVG (with a table), shares, errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from app.services.audit import trail as audit
from app.services.identity import accounts
from app.store import db
from app.store.models import AuditEvent
from tests.admin.conftest import ADMIN
from tests.factories import PASSWORD, make_link, make_profile
from tests.web.test_launch import form_of, post_form


def test_the_dashboard_charts_launches_by_day_and_lists_errors(app, as_admin):
    with app.app_context():
        for _ in range(3):
            audit.record("launch", "sent", actor="a@example.com", link_slug="open-tbook", mode="lti")
        audit.record("launch", "redirected", actor="b@example.com", link_slug="open-tbook", mode="authtoken")
        audit.record(
            "launch",
            "refused",
            actor="c@example.com",
            link_slug="open-tbook",
            mode="lti",
            correlation_id="corr-0123456789",
            detail={"reason": "invalid profile", "field": "entityID"},
        )
        old = audit.record("launch", "sent", actor="d@example.com", link_slug="open-tbook", mode="lti")
        db.session.execute(
            update(AuditEvent).where(AuditEvent.id == old.id).values(created_at=datetime.now(UTC) - timedelta(days=40))
        )
        db.session.commit()
    page = as_admin.get("/admin/").text
    assert '<svg class="chart"' in page and '<title id="chart-title">' in page and "<desc" in page
    assert "5 launch attempts from" in page  # the 40-day-old one is outside the window
    today = datetime.now(UTC).date()
    assert f"<title>{today}: 3 LTI launches sent, not refused</title>" in page
    assert f"<title>{today}: 1 /authToken sign-ins</title>" in page
    assert f"<title>{today}: 1 errors (nothing reached T-book, or T-book failed)</title>" in page
    # The table fallback: LTI sent, refused by T-book, authToken, fallback, error, total.
    assert f"<tr><td>{today}</td><td>3</td><td>0</td><td>1</td><td>0</td><td>1</td><td>5</td></tr>" in page
    assert "corr-0123456789" in page and "invalid profile (entityID)" in page


def test_an_empty_dashboard_still_renders(as_admin):
    page = as_admin.get("/admin/").text
    assert "No error recorded." in page and "0 launch attempts from" in page


def _shares(page: str) -> dict[str, tuple[int, str]]:
    rows = re.findall(
        r'<tr><td><i class="swatch [^"]*"></i>([^<]+)</td><td class="num">(\d+)</td>\s*<td class="num">([^<]+)</td>',
        page,
    )
    return {label: (int(count), share) for label, count, share in rows}


def test_outcomes_are_counted_as_they_are_and_every_share_adds_up(app, client, auth, sandbox):
    """Clicks through the real surface: LTI launches (one refused by T-book), an /authToken sign-in, an `auto` click
    that T-book refuses and that falls back, and a click refused by the gateway."""
    with app.app_context():
        make_link()
        make_link("sso", mode="authtoken")
        make_link("auto", mode="auto")
        make_profile()
        accounts.set_account("ghost@example.com", PASSWORD)  # signs in, but has no T-book profile
        accounts.set_account(ADMIN, PASSWORD, is_admin=True)
        db.session.commit()
    auth.login()
    for _ in range(2):
        action, params = form_of(client.get("/launch/open-tbook").text)
        assert post_form(action, params).status_code == 303  # T-book took it
    action, params = form_of(client.get("/launch/open-tbook").text)
    sandbox.set_fault(path="/api/lti", lti_error="Invalid signature")
    back = post_form(action, params).headers["location"]
    assert "lti_errormsg=Invalid+signature" in back
    assert client.get(back.removeprefix("http://localhost")).status_code == 200
    assert client.get("/launch/sso").status_code == 303
    action, params = form_of(client.get("/launch/auto").text)
    sandbox.set_fault(path="/api/lti", lti_error="Unknown consumer key")
    back = post_form(action, params).headers["location"]
    assert client.get(back.removeprefix("http://localhost")).status_code == 303  # the fallback
    auth.login("ghost@example.com")
    assert client.get("/launch/open-tbook").status_code == 403

    auth.login(ADMIN)
    page = client.get("/admin/").text
    shares = _shares(page)
    assert shares == {
        "LTI launches sent, not refused": (2, "29%"),
        "LTI launches refused by T-book": (2, "29%"),
        "/authToken sign-ins": (1, "14%"),
        "fallbacks to /authToken": (1, "14%"),
        "errors (nothing reached T-book, or T-book failed)": (1, "14%"),
    }
    assert sum(count for count, _ in shares.values()) == 7
    assert sum(int(share.rstrip("%")) for _, share in shares.values()) == 100
    assert '<tfoot><tr><th>Total</th><th class="num">7</th><th class="num">100%</th></tr></tfoot>' in page
    assert '<div class="stat-value">4</div>' in page and "of which <strong>2</strong> refused by T-book" in page
    assert "Invalid signature" in page  # the refusal is among the latest errors
