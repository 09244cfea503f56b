"""The dashboard: launches per day by outcome as server-rendered SVG (with a table), LTI share, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from app.services.audit import trail as audit
from app.store import db
from app.store.models import AuditEvent


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
    assert "5 launches from" in page  # the 40-day-old one is outside the window
    today = datetime.now(UTC).date()
    assert f"<title>{today}: 4 succeeded</title>" in page and f"<title>{today}: 1 refused</title>" in page
    assert f"<tr><td>{today}</td><td>4</td><td>1</td><td>0</td><td>5</td></tr>" in page  # the table fallback
    assert "75%" in page  # 3 LTI of 4 successful launches
    assert "corr-0123456789" in page and "invalid profile (entityID)" in page


def test_an_empty_dashboard_still_renders(as_admin):
    page = as_admin.get("/admin/").text
    assert "No error recorded." in page and "0 launches from" in page
