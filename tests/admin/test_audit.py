"""The audit log in the console and on the command line: filters, pages, CSV export, chain check, purge."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text, update

from app.services.audit import trail as audit
from app.store import db
from app.store.models import AuditEvent


def _events(app, n: int = 3, **fields):
    with app.app_context():
        for i in range(n):
            audit.record(
                fields.get("action", "launch"),
                fields.get("outcome", "sent"),
                actor=fields.get("actor", f"user{i}@example.com"),
                link_slug=fields.get("link", "open-tbook"),
            )


def test_filters_by_user_link_action_and_outcome(app, as_admin):
    _events(app, 2)
    _events(app, 1, actor="jane.doe@example.com", outcome="refused", link="formation")
    page = as_admin.get("/admin/audit", query_string={"actor": "Jane.Doe@example.com"}).text
    assert "1 event." in page and "formation" in page
    assert "1 event." in as_admin.get("/admin/audit", query_string={"outcome": "refused"}).text
    assert "2 events." in as_admin.get("/admin/audit", query_string={"link": "open-tbook", "action": "launch"}).text


def test_filters_by_time(app, as_admin):
    _events(app, 2)
    with app.app_context():
        db.session.execute(
            update(AuditEvent).where(AuditEvent.id == 1).values(created_at=datetime(2020, 1, 1, 9, 2, tzinfo=UTC))
        )
        db.session.commit()
    page = as_admin.get("/admin/audit", query_string={"since": "2020-01-01T09:00", "until": "2020-01-01T09:05"}).text
    assert "1 event." in page and "2020-01-01 09:02:00" in page


def test_pages_of_fifty_newest_first(app, as_admin):
    _events(app, 55, action="launch", outcome="sent", actor="bulk@example.com")
    first = as_admin.get("/admin/audit", query_string={"actor": "bulk@example.com"}).text
    assert "Page 1 of 2" in first and 'href="/admin/audit?page=2&amp;actor=bulk@example.com"' in first
    second = as_admin.get("/admin/audit", query_string={"actor": "bulk@example.com", "page": 2}).text
    assert "Page 2 of 2" in second and second.count('<td class="muted">') == 5


def test_csv_export_streams_the_filtered_events_without_secrets(app, as_admin):
    _events(app, 2)
    with app.app_context():
        audit.record(
            "credentials_update", "ok", actor='=HYPERLINK("http://evil")', detail={"client_secret": "hunter2-secret"}
        )
    response = as_admin.get("/admin/audit/export.csv")
    assert response.is_streamed
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["credentials_update", "launch", "launch", "sign_in"]  # as on the screen
    assert "hunter2-secret" not in response.get_data(as_text=True)
    spreadsheet_safe = [r for r in rows if r["action"] == "credentials_update"][0]
    assert spreadsheet_safe["actor"].startswith("'=")
    only = as_admin.get("/admin/audit/export.csv", query_string={"action": "credentials_update"}).get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(only)))) == 1


def test_editing_a_row_breaks_the_chain_and_verify_names_it(app, as_admin, runner):
    _events(app, 4)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "intact" in result.output
    with app.app_context():
        # An insider "fixes" the log behind the gateway's back.
        db.session.execute(
            update(AuditEvent).where(AuditEvent.id == 3).values(outcome="sent", actor="someone@example.com")
        )
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at event #3" in result.output and "2 event(s) before it hold" in result.output
    page = as_admin.get("/admin/audit/verify").text
    assert "The chain is broken" in page and "event #3" in page


def test_deleting_a_row_breaks_the_chain(app, runner):
    _events(app, 4)
    with app.app_context():
        db.session.execute(text("DELETE FROM audit_event WHERE id = 2"))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "event #3" in result.output


def test_purge_deletes_old_events_audits_itself_and_keeps_the_chain_verifiable(app, runner):
    _events(app, 3)
    with app.app_context():
        old = datetime.now(UTC) - timedelta(days=400)
        db.session.execute(update(AuditEvent).where(AuditEvent.id <= 2).values(created_at=old))
        db.session.commit()  # (this breaks rows 1 and 2's hashes; the purge removes exactly those)
    cutoff = (datetime.now(UTC) - timedelta(days=365)).date().isoformat()
    dry = runner.invoke(args=["audit", "purge", "--before", cutoff, "--dry-run"])
    assert "would delete 2 audit event(s)" in dry.output
    result = runner.invoke(args=["audit", "purge", "--before", cutoff])
    assert result.exit_code == 0 and "deleted 2 audit event(s)" in result.output
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.action for e in rows] == ["launch", "audit_purge"]
        assert rows[-1].actor == "cli" and rows[-1].detail["deleted"] == 2
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "2 event(s) verified" in verified.output


def test_purge_wants_a_date(runner, app):
    result = runner.invoke(args=["audit", "purge", "--before", "last year"])
    assert result.exit_code == 2 and "does not match the format '%Y-%m-%d'" in result.output


HOSTILE = [
    'x;=HYPERLINK("http://evil")',
    "x;+1+1",
    "x;-1+1",
    "x;@SUM(1)",
    "x; =1+1",
    'x;"=1+1"',
    "x;\t=1+1",
    "x\n=1+1",
    "x\r\n@SUM(1)",
    "x\t=1+1",
    "-1+1",
    "\t=1+1",
]


def _formula_cells(text: str, delimiter: str) -> list[str]:
    """Cells that a spreadsheet splitting the file at `delimiter` would run as a formula."""
    found = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        for cell in row:
            # Some spreadsheets trim blanks and quotes before deciding; a `'` first makes the rest text.
            if cell.lstrip(' "\t\r\n').startswith(("=", "+", "-", "@")):
                found.append(cell)
    return found


def test_csv_export_runs_no_formula_whichever_separator_the_spreadsheet_picks(app, as_admin):
    with app.app_context():
        for value in HOSTILE:
            audit.record("sign_in", value[:16], actor=value, link_slug=value, mode=value[:10], detail={"login": value})
    text = as_admin.get("/admin/audit/export.csv").get_data(as_text=True)
    for delimiter in (",", ";", "\t"):
        assert _formula_cells(text, delimiter) == [], delimiter
    # Read back with the separator it was written with, every value is still there, only made inert.
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    actors = [row["actor"] for row in rows if row["action"] == "sign_in" and row["actor"] != "admin@example.com"]
    # The export runs newest first, as the screen does.
    assert [actor.replace("'", "") for actor in actors] == [value.replace("'", "") for value in reversed(HOSTILE)]


def test_user_link_and_correlation_id_match_any_part(app, as_admin):
    _events(app, 1, actor="jane.doe@example.com", link="formation-rh")
    _events(app, 1, actor="marc@example.com", link="open-tbook")
    with app.app_context():
        audit.record("launch", "sent", actor="amy@example.com", correlation_id="4f2a9c0d11e24b5f")
    assert "1 event." in as_admin.get("/admin/audit", query_string={"actor": "JANE"}).text
    assert "1 event." in as_admin.get("/admin/audit", query_string={"link": "formation"}).text
    by_id = as_admin.get("/admin/audit", query_string={"correlation_id": "4f2a9c0d"}).text
    assert "1 event." in by_id and "amy@example.com" in by_id
    # What the admin types is looked for as such: % and _ are not wildcards.
    assert "0 events." in as_admin.get("/admin/audit", query_string={"actor": "%"}).text


def test_actions_read_as_words(app, as_admin):
    _events(app, 1, action="link_create", outcome="ok")
    page = as_admin.get("/admin/audit").text
    assert 'Link created <code class="field-name">link_create</code>' in page
    assert '<option value="link_create" >Link created</option>' in page


def test_the_export_runs_newest_first_like_the_screen_with_offsets(app, as_admin):
    with app.app_context():
        for n in range(1003):  # more than one batch of the streamed export
            audit.record("launch", "sent", actor=f"user{n}@example.com", link_slug="open-tbook", mode="lti")
    text = as_admin.get("/admin/audit/export.csv", query_string={"link": "open"}).get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [int(r["id"]) for r in rows] == sorted((int(r["id"]) for r in rows), reverse=True)
    assert len(rows) == 1003 and rows[0]["actor"] == "user1002@example.com"
    assert rows[0]["what"] == "Launch"
    for row in (rows[0], rows[-1]):
        assert row["created_at"].endswith("+00:00")
        assert datetime.fromisoformat(row["created_at"]).utcoffset() == timedelta(0)
    screen = as_admin.get("/admin/audit", query_string={"link": "open"}).text
    first_on_screen = re.search(r'<td class="muted">(\d+)</td>', screen).group(1)
    assert first_on_screen == rows[0]["id"]


def test_numbered_pages_of_the_log(app, as_admin):
    _events(app, 260, actor="bulk@example.com")
    page = as_admin.get("/admin/audit", query_string={"actor": "bulk", "page": 3}).text
    assert "Page 3 of 6" in page
    assert re.findall(r'class="page(?: current)?"[^>]*>(\d+)</a>', page) == ["1", "2", "3", "4", "5", "6"]
    assert 'href="/admin/audit?page=6&amp;actor=bulk"' in page
