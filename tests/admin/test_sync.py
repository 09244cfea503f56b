"""The console's Sync page: the plan on demand, a run started in the background and followed, the latest runs."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from app.services.identity import accounts
from app.services.tbook_connection import sync_run
from app.store import db
from app.store.models import AuditEvent, SyncRun
from tests.admin.conftest import ADMIN, form_token
from tests.conftest import AuthActions
from tests.factories import PASSWORD, make_profile


def new_learners(count: int = 2) -> None:
    for number in range(count):
        make_profile(login=f"new{number}@example.com", externalID=str(8000 + number), password=None)


def start(client):
    return client.post("/admin/sync/runs", data={"csrf_token": form_token(client, "/admin/sync")})


def wait_until_finished(app, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    with app.app_context():
        while db.session.scalar(select(func.count()).where(SyncRun.state == "running")):
            assert time.monotonic() < deadline, "the run did not finish"
            db.session.rollback()  # see the background thread's commits
            time.sleep(0.05)


def test_the_page_is_in_the_admin_nav_and_for_admins_only(app, as_admin, client):
    page = as_admin.get("/admin/sync")
    assert page.status_code == 200
    assert 'href="/admin/sync" aria-current="page">Sync</a>' in page.text
    assert "Start a sync now" in page.text and "No sync yet." in page.text
    assert "Refresh" not in page.headers


def test_learners_cannot_see_it(as_learner):
    assert as_learner.get("/admin/sync").status_code == 403
    assert as_learner.post("/admin/sync/runs").status_code in (400, 403)


def test_the_plan_is_shown_on_demand_and_changes_nothing(app, as_admin, sandbox):
    with app.app_context():
        make_profile(jobTitle="Trainer", filter=["Session 2"], password=None)
        new_learners(1)
        make_profile(login="far@example.com", entityID="99", password=None)
    page = as_admin.get("/admin/sync", query_string={"plan": 1})
    assert page.status_code == 200
    text = page.text
    assert "1 to insert, 1 to update (1 sessions to leave), 0\n    unchanged" in text and "1 cannot be synced" in text
    assert "leave session <code>Session 1</code> / <code>Paris</code>" in text
    assert "<code>jobTitle</code>:\n" in text and "(empty) → Trainer" in text
    assert "T-book would not list entity 99" in text
    assert "learners only in T-book" not in text  # Jane has her profile
    assert [e["path"] for e in sandbox.requests() if e["method"] == "POST" and e["path"] != "/api/token"] == []


def test_a_t_book_that_cannot_be_read_is_said_plainly(app, make_gateway, unused_url):
    down = make_gateway(TBOOK_API_URL=unused_url + "/api", TBOOK_RETRY_ATTEMPTS="1")
    with down.app_context():
        make_profile()
        accounts.set_account(ADMIN, PASSWORD, is_admin=True)
        db.session.commit()
    client = down.test_client()
    AuthActions(client).login(ADMIN, PASSWORD)
    page = client.get("/admin/sync", query_string={"plan": 1})
    assert page.status_code == 200
    assert "The plan could not be read from T-book" in page.text and "could not be reached" in page.text


def test_a_run_starts_in_the_background_and_the_page_shows_both_runs(app, as_admin, sandbox):
    with app.app_context():
        new_learners(3)
        make_profile(login="far@example.com", entityID="99", password=None)
    started = start(as_admin)
    assert started.status_code == 303 and started.headers["Location"].endswith("/admin/sync")
    assert "started: this page follows it" in as_admin.get("/admin/sync").text
    wait_until_finished(app)
    assert start(as_admin).status_code == 303
    wait_until_finished(app)
    page = as_admin.get("/admin/sync").text
    assert page.count("admin@example.com") >= 2
    assert "3 inserted, 0 updated, 0 sessions removed,\n  0 unchanged, 1 only in T-book, 1 failed" in page
    assert "0 inserted, 0 updated, 0 sessions removed,\n  3 unchanged, 1 only in T-book, 1 failed" in page
    assert "far@example.com</span>: T-book would not list entity 99" in page
    with app.app_context():
        runs = db.session.scalars(select(SyncRun).order_by(SyncRun.started_at)).all()
        assert [(r.actor, r.state) for r in runs] == [(ADMIN, "finished"), (ADMIN, "finished")]
        inserts = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sync_insert")).all()
        assert {e.correlation_id for e in inserts} == {runs[0].id}
        assert all(e.detail["by"] == ADMIN for e in inserts)
    assert f"/admin/audit?correlation_id={runs[0].id}" in page


def test_a_running_sync_is_followed_and_never_started_twice(app, as_admin, sandbox):
    with app.app_context():
        new_learners(1)
        holder = sync_run.begin(actor="cli")  # `flask sync` on another instance, say
    page = as_admin.get("/admin/sync")
    assert page.headers["Refresh"] == "2"
    assert f"Sync {holder.id[:8]} is running" in page.text and "Started by cli" in page.text
    assert "<progress" in page.text and "Start a sync now" not in page.text
    refused = start(as_admin)
    assert refused.status_code == 303
    assert f"Another sync is running (run {holder.id[:8]}, started by cli)" in as_admin.get("/admin/sync").text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 1
    assert [e for e in sandbox.requests() if e["path"] == "/api/insertLearner"] == []


def test_starting_needs_the_forms_csrf_token(app, as_admin, sandbox):
    assert as_admin.post("/admin/sync/runs").status_code == 400
    assert as_admin.post("/admin/sync/runs", data={"csrf_token": "forged"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SyncRun)) == 0
