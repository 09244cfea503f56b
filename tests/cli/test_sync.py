"""`flask sync` against the sandbox: the plan, the first and second runs, edits, sessions, 429 storms and failures."""

from __future__ import annotations

import json
import threading

import httpx
import pytest
from sqlalchemy import select

from app.services.tbook_connection import sync_run
from app.store import db
from app.store.models import AuditEvent, Profile, SyncRun
from tests.factories import make_profile

WRITES = ("/api/insertLearner", "/api/updateLearner", "/api/removeLearnerSession")


def make_learners(count: int, *, entity: str = "24", start: int = 0) -> list[str]:
    logins = []
    for number in range(start, start + count):
        login = f"learner{number:03}@example.com"
        make_profile(login=login, entityID=entity, externalID=str(5000 + number), firstname=f"L{number}", password=None)
        logins.append(login)
    return logins


def tbook_learners(sandbox, entity: str | None = None) -> dict[str, dict]:
    """Return T-book's learners by login, read from the sandbox over HTTP."""
    credentials = sandbox.credentials
    token = httpx.post(
        f"{sandbox.api_url}/token",
        data={
            "grant_type": sandbox.answers("SANDBOX_GRANT_TYPE"),
            "client_id": credentials["SANDBOX_CLIENT_ID"],
            "client_secret": credentials["SANDBOX_CLIENT_SECRET"],
        },
    ).json()["access_token"]
    path = "getAllLearners" + (f"/{entity}" if entity else "")
    answer = httpx.get(f"{sandbox.api_url}/{path}", headers={"Authorization": f"Bearer {token}"})
    return {learner["login"]: learner for learner in answer.json()}


def writes(sandbox) -> list[dict]:
    return [entry for entry in sandbox.requests() if entry["path"] in WRITES]


def sync_events(app, action: str | None = None) -> list[AuditEvent]:
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action.like("sync%")).order_by(AuditEvent.id)
        events = list(db.session.scalars(query))
    return [e for e in events if action is None or e.action == action]


def run_sync(runner, *args: str):
    return runner.invoke(args=["sync", *args])


# --- the plan, and the first and second runs --------------------------------------------------------------------


@pytest.mark.sandbox_variants
def test_first_sync_inserts_all_and_the_second_only_reads(app, runner, sandbox):
    with app.app_context():
        logins = make_learners(12) + make_learners(8, entity="25", start=100)
    first = run_sync(runner)
    assert first.exit_code == 0, first.output
    assert "0 updated" in first.stdout and "20 inserted" in first.stdout and "0 failed" in first.stdout
    in_tbook = tbook_learners(sandbox)
    assert set(logins) <= set(in_tbook)
    assert in_tbook["learner100@example.com"]["entity"]["entityID"] == "25"
    before = len(sandbox.requests())
    second = run_sync(runner)
    assert second.exit_code == 0, second.output
    assert "0 inserted, 0 updated, 0 sessions removed, 20 unchanged, 1 only in T-book, 0 failed" in second.stdout
    # Only the reads: one getAllLearners per entity the profiles name (the token is the one the first run cached).
    assert [e["path"] for e in sandbox.requests()[before:]] == ["/api/getAllLearners/24", "/api/getAllLearners/25"]


@pytest.mark.sandbox_variants
def test_sync_creates_missing_learners_once(app, runner, sandbox):
    with app.app_context():
        make_profile()  # Jane exists in T-book
        make_profile(login="new@example.com", firstname="New", lastname="Learner", password=None)
        make_profile(login="teacher@example.com", userType="teacher", password=None)
    dry = run_sync(runner, "--dry-run")
    assert "1 to insert, 1 to update" in dry.output and "Dry run: nothing was changed" in dry.output
    assert sandbox.requests("/api/insertLearner") == []
    result = run_sync(runner)
    assert result.exit_code == 0, result.output
    assert "1 inserted, 1 updated, 0 sessions removed, 0 unchanged, 0 only in T-book, 0 failed" in result.output
    assert [r["fields"]["login"] for r in sandbox.requests("/api/insertLearner")] == ["new@example.com"]
    again = run_sync(runner)
    assert "0 inserted, 0 updated, 0 sessions removed, 2 unchanged" in again.output


def test_dry_run_shows_each_learner_and_field_and_changes_nothing(app, runner, sandbox):
    with app.app_context():
        make_profile(jobTitle="Trainer", filter=["Session 2"], country=["France", "Spain"])
        make_profile(login="new@example.com", firstname="New", lastname="Learner", password=None)
    result = run_sync(runner, "--dry-run")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Plan (T-book entities 24): 1 to insert, 1 to update (1 sessions to leave)")
    jane = lines.index("~ jane.doe@example.com  update (learner 1, entity 24)")
    assert lines[jane + 1 : jane + 6] == [
        "    jobTitle     (empty) -> 'Trainer'",
        "    contactEmail (empty) -> 'jane.doe@example.com'",
        "    filter       + 'Session 2'  - 'Session 1'",
        "    country      + 'Spain'",
        "    leave        'Session 1' / 'Paris'",
    ]
    new = lines.index("+ new@example.com  insert into entity 24")
    assert "    lastname     'Learner'" in lines[new:]
    assert writes(sandbox) == [] and sync_events(app) == []


def test_the_plan_says_teachers_are_left_to_t_book(app, runner, sandbox):
    with app.app_context():
        make_profile(login="teacher@example.com", userType="teacher", password=None)
    result = run_sync(runner, "--dry-run")
    assert "1 teacher profile(s) not synced: T-book creates its teachers" in result.stdout
    assert "teacher@example.com" not in result.stdout
    assert json.loads(run_sync(runner, "--dry-run", "--json").stdout)["counts"]["teachers"] == 1


def test_dry_run_as_json_is_the_plan_alone_on_stdout(app, runner, sandbox):
    with app.app_context():
        make_profile(jobTitle="Trainer")
    result = run_sync(runner, "--dry-run", "--json")
    plan = json.loads(result.stdout)
    assert plan["counts"]["update"] == 1 and plan["entities"] == ["24"]
    (jane,) = plan["learners"]
    assert jane["update"] == {"jobTitle": "Trainer", "contactEmail": ["jane.doe@example.com"]}


def test_the_run_as_json(app, runner, sandbox):
    with app.app_context():
        make_learners(2)
    result = run_sync(runner, "--json")
    outcome = json.loads(result.stdout)
    assert outcome["ok"] is True and outcome["counts"]["inserted"] == 2 and outcome["counts"]["only_in_tbook"] == 1
    with app.app_context():
        (run,) = db.session.scalars(select(SyncRun)).all()
    assert outcome["run"] == run.id and run.state == "finished" and run.summary["inserted"] == 2


def test_entity_syncs_the_profiles_of_one_entity_only(app, runner, sandbox):
    with app.app_context():
        make_learners(2)
        make_learners(3, entity="25", start=100)
    result = run_sync(runner, "--entity", "25")
    assert "3 inserted" in result.stdout and "0 only in T-book" in result.stdout
    assert {e["path"] for e in sandbox.requests() if "getAllLearners" in e["path"]} == {"/api/getAllLearners/25"}
    assert "learner000@example.com" not in tbook_learners(sandbox)


# --- updates and sessions --------------------------------------------------------------------------------------


@pytest.mark.sandbox_variants
def test_an_edited_profile_updates_only_its_fields(app, runner, sandbox):
    with app.app_context():
        make_profile()
        make_learners(3)
    assert run_sync(runner).exit_code == 0
    with app.app_context():
        jane = db.session.scalar(select(Profile).where(Profile.login == "jane.doe@example.com"))
        jane.job_title, jane.phone = "Head of training", "+33 6 00 00 00 00"
        db.session.commit()
    before = len(writes(sandbox))
    result = run_sync(runner)
    assert "0 inserted, 1 updated, 0 sessions removed, 3 unchanged" in result.stdout
    (update,) = writes(sandbox)[before:]
    assert update["path"] == "/api/updateLearner"
    assert update["fields"] == {
        "identifierType": "email",
        "identifier": "jane.doe@example.com",
        "jobTitle": "Head of training",
        "phone": "+33 6 00 00 00 00",
    }
    assert tbook_learners(sandbox)["jane.doe@example.com"]["jobTitle"] == "Head of training"


@pytest.mark.sandbox_variants
def test_a_filter_removed_from_a_profile_removes_that_session(app, runner, sandbox):
    with app.app_context():
        make_profile(filter=["Session 1", "Session 2"], location=["Paris"])
    assert run_sync(runner).exit_code == 0
    assert tbook_learners(sandbox)["jane.doe@example.com"]["filter"] == ["Session 1", "Session 2"]
    with app.app_context():
        jane = db.session.scalar(select(Profile).where(Profile.login == "jane.doe@example.com"))
        jane.filter = ["Session 1"]
        db.session.commit()
    before = len(writes(sandbox))
    result = run_sync(runner)
    assert "0 inserted, 1 updated, 1 sessions removed" in result.stdout
    (removal,) = writes(sandbox)[before:]
    assert removal["path"] == "/api/removeLearnerSession"
    assert (removal["fields"]["filter"], removal["fields"]["location"]) == ("Session 2", "Paris")
    jane = tbook_learners(sandbox)["jane.doe@example.com"]
    assert (jane["filter"], jane["location"]) == (["Session 1"], ["Paris"])
    assert "0 updated, 0 sessions removed, 1 unchanged" in run_sync(runner).stdout


def test_a_new_location_replacing_an_old_one_leaves_its_sessions_in_one_run(app, runner, sandbox):
    with app.app_context():
        make_profile(filter=["Session 1", "May 2018"], location=["Lyon"])
    result = run_sync(runner)
    assert "1 updated, 2 sessions removed" in result.stdout
    jane = tbook_learners(sandbox)["jane.doe@example.com"]
    assert (jane["filter"], jane["location"]) == (["Session 1", "May 2018"], ["Lyon"])
    assert writes(sandbox)[0]["fields"]["location[0]"] == "Lyon"  # added before Paris's sessions are left
    assert "0 updated, 0 sessions removed, 1 unchanged" in run_sync(runner).stdout


# --- every write audited with the run's id ---------------------------------------------------------------------


def test_every_write_is_an_audit_event_with_the_runs_id(app, runner, sandbox):
    with app.app_context():
        make_profile(jobTitle="Trainer", filter=["Session 2"])
        make_learners(2)
    result = run_sync(runner, "--json")
    run_id = json.loads(result.stdout)["run"]
    events = sync_events(app)
    assert sorted((e.action, e.actor, e.outcome) for e in events) == [
        ("sync", "cli", "ok"),
        ("sync_insert", "learner000@example.com", "ok"),
        ("sync_insert", "learner001@example.com", "ok"),
        ("sync_remove_session", "jane.doe@example.com", "ok"),
        ("sync_update", "jane.doe@example.com", "ok"),
    ]
    assert {e.correlation_id for e in events} == {run_id}
    assert all(e.detail.get("run") == run_id for e in events if e.action != "sync")
    removal = next(e for e in events if e.action == "sync_remove_session")
    assert (removal.detail["filter"], removal.detail["location"]) == ("Session 1", "Paris")
    update = next(e for e in events if e.action == "sync_update")
    assert update.detail["fields"] == ["contactEmail", "filter", "jobTitle"]  # names, never values


# --- robustness ---------------------------------------------------------------------------------------------------


def test_a_429_storm_is_survived_and_every_worker_pauses_for_retry_after(app, runner, sandbox):
    with app.app_context():
        logins = make_learners(20)
    sandbox.rate_limit(requests=8, per=1, retry_after=2)
    result = run_sync(runner, "--concurrency", "4")
    assert result.exit_code == 0, result.output
    assert "20 inserted" in result.stdout and "0 failed" in result.stdout
    assert set(logins) <= set(tbook_learners(sandbox))
    log = sandbox.requests()
    refusals = [entry["at"] for entry in log if entry["status"] == 429]
    assert refusals, "the storm never happened"
    for refused_at in refusals:
        # Requests already on their way may still arrive; after that, nobody sends anything until Retry-After.
        during_pause = [e for e in log if refused_at + 0.8 < e["at"] < refused_at + 1.8]
        assert during_pause == [], f"requests sent during the pause after the 429 at {refused_at}"


def test_a_bad_profile_is_reported_and_the_others_go_through(app, runner, sandbox):
    with app.app_context():
        make_learners(3)
        make_profile(login="far@example.com", entityID="99", password=None)
        # Stored behind the import's back (an old database, a hand edit): T-book would refuse it.
        bad = make_profile(login="bad@example.com", password=None)
        bad.civility = "dr"
        db.session.commit()
    result = run_sync(runner)
    assert result.exit_code == 1
    assert "3 inserted, 0 updated, 0 sessions removed, 0 unchanged, 1 only in T-book, 2 failed" in result.stdout
    assert "failed bad@example.com: civility: must be m or mme, not 'dr'" in result.stderr
    assert "failed far@example.com: T-book would not list entity 99: T-book denied access" in result.stderr
    assert "bad@example.com" not in tbook_learners(sandbox)


def test_an_insert_t_book_refuses_fails_that_learner_only(app, runner, sandbox):
    with app.app_context():
        make_learners(3)
    sandbox.set_fault(path="/api/insertLearner", status=400)
    result = run_sync(runner, "--concurrency", "1")
    assert result.exit_code == 1
    assert "2 inserted" in result.stdout and "1 failed" in result.stdout
    assert "T-book rejected the request as invalid (400 bad_request) on insertLearner" in result.stderr
    failed = [e for e in sync_events(app, "sync_insert") if e.outcome == "error"]
    assert len(failed) == 1 and failed[0].tbook_status == 400


@pytest.mark.parametrize("fault", [{"drop": True}, {"status": 503}])
def test_an_interrupted_run_converges_when_run_again(app, runner, sandbox, fault):
    with app.app_context():
        logins = make_learners(10)
    # T-book drops (or fails) a few requests mid-run: those learners fail, the others go through.
    sandbox.set_fault(path="/api/insertLearner", count=3, **fault)
    first = run_sync(runner, "--concurrency", "2")
    assert first.exit_code == 1 and "7 inserted" in first.stdout and "3 failed" in first.stdout
    second = run_sync(runner)
    assert second.exit_code == 0, second.output
    assert "3 inserted, 0 updated, 0 sessions removed, 7 unchanged" in second.stdout
    assert set(logins) <= set(tbook_learners(sandbox))
    before = len(writes(sandbox))
    assert "10 unchanged" in run_sync(runner).stdout and len(writes(sandbox)) == before


def test_credentials_refused_mid_run_stop_it_at_once_and_a_new_run_finishes_the_work(app, runner, sandbox):
    with app.app_context():
        logins = make_learners(12)
    assert run_sync(runner, "--dry-run").exit_code == 0  # the gateway holds a token
    # T-book refuses the token from the second insert on, and a new one (a client secret revoked, say).
    sandbox.set_fault(path="/api/insertLearner", latency=0.2)
    sandbox.set_fault(path="/api/insertLearner", status=401)
    sandbox.set_fault(path="/api/token", status=401)
    result = run_sync(runner, "--concurrency", "1")
    assert result.exit_code == 1
    assert "1 inserted" in result.stdout and "not attempted" in result.stdout
    assert "Error: T-book refused the gateway's credentials, so the sync stopped" in result.stderr
    assert len(sandbox.requests("/api/insertLearner")) <= 3  # stopped at once, not once per learner
    with app.app_context():
        (run,) = db.session.scalars(select(SyncRun)).all()
    assert run.state == "stopped" and "refused the gateway's credentials" in run.message
    again = run_sync(runner)
    assert again.exit_code == 0, again.output
    assert set(logins) <= set(tbook_learners(sandbox))


def test_a_t_book_that_is_down_stops_the_run_with_a_clear_message(make_gateway, unused_url):
    stopped = make_gateway(TBOOK_API_URL=unused_url + "/api", TBOOK_RETRY_ATTEMPTS="2")
    with stopped.app_context():
        make_learners(2)
    result = stopped.test_cli_runner().invoke(args=["sync"])
    assert result.exit_code == 1
    assert "Error: T-book is not answering as it should, so the sync stopped" in result.stderr
    assert "could not be reached" in result.stderr and "Traceback" not in result.output


def test_a_wrong_secret_stops_the_run_and_is_never_shown(app, make_gateway, sandbox):
    with app.app_context():
        make_learners(1)
    result = make_gateway(TBOOK_CLIENT_SECRET="wrong-secret").test_cli_runner().invoke(args=["sync"])
    assert result.exit_code == 1
    assert "T-book refused the client credentials" in result.stderr and "wrong-secret" not in result.output


def test_two_runs_never_overlap(app, runner, sandbox):
    with app.app_context():
        make_learners(1)
        holder = sync_run.begin(actor="admin@example.com")
    result = run_sync(runner)
    assert result.exit_code == 1
    assert f"Another sync is running (run {holder.id[:8]}, started by admin@example.com)" in result.stderr
    assert writes(sandbox) == []


# --- what T-book does with a failed insert (moved from tests/cli/test_tbook.py, each sandbox variant) -----------

# The variants that change what provisioning reads: write answers and unknown learners.
PROVISIONING_VARIANTS = pytest.mark.sandbox_variants(
    "default", "minimal-writes", "empty-writes", "unknown-learner-empty", "unknown-learner-envelope", "all-unusual"
)


@PROVISIONING_VARIANTS
@pytest.mark.parametrize("status", [409, 402])
def test_sync_looks_the_learner_up_after_a_failed_insert(app, runner, sandbox, status):
    with app.app_context():
        make_profile(login="new@example.com", firstname="New", lastname="Learner", password=None)
    # A click creates the learner between the sync's read and its insert: the read misses, the insert fails.
    sandbox.set_fault(path="/api/insertLearner", latency=2.0, status=status)
    results = []
    sync = threading.Thread(target=lambda: results.append(run_sync(runner)))
    sync.start()
    while not sandbox.requests("/api/insertLearner"):
        threading.Event().wait(0.02)
    click = {"entity[identifier]": "24", "login": "new@example.com", "civility": "mme", "lastname": "Learner"}
    token = tbook_token(sandbox)
    assert httpx.post(f"{sandbox.api_url}/insertLearner", headers=token, data={**click, "firstname": "New"}).is_success
    sync.join(timeout=30)
    (result,) = results
    assert result.exit_code == 0, result.output
    assert "0 inserted, 1 updated, 0 sessions removed, 0 unchanged, 1 only in T-book, 0 failed" in result.output
    assert [r["status"] for r in sandbox.requests("/api/getOneLearner")] == [200]
    inserted, *updates = sync_events(app)[:-1]
    assert inserted.outcome == "exists" and inserted.detail["insert_failed"] == f"{status} {sandbox_code(status)}"
    assert [u.action for u in updates] == ["sync_update"]  # the fields the click did not send


def tbook_token(sandbox) -> dict[str, str]:
    credentials = sandbox.credentials
    form = {
        "grant_type": sandbox.answers("SANDBOX_GRANT_TYPE"),
        "client_id": credentials["SANDBOX_CLIENT_ID"],
        "client_secret": credentials["SANDBOX_CLIENT_SECRET"],
    }
    return {"Authorization": "Bearer " + httpx.post(f"{sandbox.api_url}/token", data=form).json()["access_token"]}


def sandbox_code(status: int) -> str:
    return {409: "conflict", 402: "request_failed"}[status]


@PROVISIONING_VARIANTS
def test_sync_finds_the_learner_whose_insert_answer_was_lost(app, runner, sandbox):
    with app.app_context():
        make_profile(login="new@example.com", firstname="New", lastname="Learner", password=None)
    sandbox.set_fault(path="/api/insertLearner", drop_after=True)  # T-book creates him; the answer never comes
    result = run_sync(runner)
    assert result.exit_code == 0, result.output
    assert "1 inserted, 0 updated, 0 sessions removed, 0 unchanged, 1 only in T-book, 0 failed" in result.output
    assert len(sandbox.requests("/api/insertLearner")) == 1  # never sent twice
    (event, _run) = sync_events(app)
    assert event.outcome == "exists" and event.detail["insert_failed"] == "no answer connection_error"


@PROVISIONING_VARIANTS
def test_sync_reports_an_insert_that_failed_for_a_learner_t_book_still_lacks(app, runner, sandbox):
    with app.app_context():
        make_profile(login="new@example.com", firstname="New", lastname="Learner", password=None)
    sandbox.set_fault(path="/api/insertLearner", status=402)
    result = run_sync(runner)
    assert result.exit_code == 1
    assert "0 inserted, 0 updated, 0 sessions removed, 0 unchanged, 1 only in T-book, 1 failed" in result.output
    assert "failed new@example.com: T-book could not carry out the request (402 request_failed)" in result.output
    (event, _run) = sync_events(app)
    assert event.outcome == "error" and event.tbook_status == 402


def test_a_learner_t_book_has_in_another_entity_is_reported_not_moved(app, runner, sandbox):
    with app.app_context():
        make_profile(entityID="25")  # Jane, whom T-book has in entity 24, which no profile names
    result = run_sync(runner)
    assert result.exit_code == 1
    assert "failed jane.doe@example.com: T-book has this learner in entity 24, the profile says 25" in result.stderr
    assert tbook_learners(sandbox)["jane.doe@example.com"]["entity"]["entityID"] == "24"
