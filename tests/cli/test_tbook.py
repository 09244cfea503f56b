"""`flask tbook …` and `flask sync` against the sandbox."""

import json

import pytest
from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent
from tests.factories import make_profile

# The keys of tbook-api.md's response examples, in their order.
CLIENT_KEYS = ["name", "logo", "description", "city", "address", "zip"]
ENTITY_KEYS = ["entityID", "name", "description", "address", "city", "zip", "language"]
LEARNER_KEYS = [
    "learnerID",
    "login",
    "entity",
    "civility",
    "lastname",
    "firstname",
    "code",
    "jobTitle",
    "seniority",
    "level",
    "contactEmail",
    "phone",
    "filter",
    "location",
    "country",
    "testUser",
]


def test_whoami_prints_the_client_account(runner, sandbox):
    result = runner.invoke(args=["tbook", "whoami"])
    assert result.exit_code == 0, result.output
    assert "Demo Organisation" in result.output


def test_entities_as_a_table_and_as_json(runner, sandbox):
    table = runner.invoke(args=["tbook", "entities"]).output
    assert table.splitlines()[0].split() == ["ID", "Name", "City", "Language"]
    assert "Paris Campus" in table and "Lyon Campus" in table
    data = json.loads(runner.invoke(args=["tbook", "entities", "--json"]).output)
    assert {e["entityID"] for e in data} == {"24", "25"}


def test_entity_of_another_client_is_a_clear_error(runner, sandbox):
    result = runner.invoke(args=["tbook", "entity", "99"])
    assert result.exit_code == 1 and "403" in result.output and "Traceback" not in result.output


def test_learners_and_one_learner_by_each_identifier(runner, sandbox):
    assert "jane.doe@example.com" in runner.invoke(args=["tbook", "learners", "--entity", "24"]).output
    for args in (["1"], ["--email", "jane.doe@example.com"], ["--external-id", "1001"]):
        result = runner.invoke(args=["tbook", "learner", *args, "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["login"] == "jane.doe@example.com"
    missing = runner.invoke(args=["tbook", "learner", "--email", "nobody@example.com"])
    assert missing.exit_code == 1 and "404" in missing.output
    assert runner.invoke(args=["tbook", "learner"]).exit_code == 2


def test_wrong_secret_says_so_plainly(make_gateway, sandbox):
    result = make_gateway(TBOOK_CLIENT_SECRET="wrong-secret").test_cli_runner().invoke(args=["tbook", "whoami"])
    assert result.exit_code == 1
    assert "T-book refused the client credentials" in result.output
    assert "wrong-secret" not in result.output


def test_stopped_tbook_is_a_clear_error(make_gateway, unused_url):
    stopped = make_gateway(TBOOK_API_URL=unused_url + "/api", TBOOK_RETRY_ATTEMPTS="2")
    result = stopped.test_cli_runner().invoke(args=["tbook", "entities"])
    assert result.exit_code == 1 and "could not be reached" in result.output


def test_json_prints_t_books_own_field_names(runner, sandbox):
    def as_json(*args):
        result = runner.invoke(args=["tbook", *args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    assert list(as_json("whoami")) == CLIENT_KEYS
    assert [list(e) for e in as_json("entities")] == [ENTITY_KEYS, ENTITY_KEYS]
    assert as_json("entity", "24")["entityID"] == "24"
    jane = as_json("learner", "1")
    assert list(jane) == LEARNER_KEYS
    assert jane["learnerID"] == "1" and jane["entity"] == {"entityID": "24", "entityName": "Paris Campus"}
    assert jane["filter"] == ["Session 1"] and jane["testUser"] == 0
    assert as_json("learners") == [jane]
    assert "T-book's own field names" in runner.invoke(args=["tbook", "learners", "--help"]).output


@pytest.mark.sandbox_variants
def test_sync_creates_missing_learners_once(app, runner, sandbox):
    with app.app_context():
        make_profile()  # Jane exists in T-book
        make_profile(login="new@example.com", firstname="New", lastname="Learner", password=None)
        make_profile(login="teacher@example.com", userType="teacher", password=None)
    dry = runner.invoke(args=["sync", "--dry-run"])
    assert "1 learner(s) in T-book, 1 would be created" in dry.output
    assert sandbox.requests("/api/insertLearner") == []
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "1 created, 1 already in T-book, 0 failed" in result.output
    assert [r["fields"]["login"] for r in sandbox.requests("/api/insertLearner")] == ["new@example.com"]
    again = runner.invoke(args=["sync"])
    assert "0 created, 2 already in T-book" in again.output


def provision_events(app) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == "provision")))


# The variants that change what provisioning reads: write answers and unknown learners.
PROVISIONING_VARIANTS = pytest.mark.sandbox_variants(
    "default", "minimal-writes", "empty-writes", "unknown-learner-empty", "unknown-learner-envelope", "all-unusual"
)


@PROVISIONING_VARIANTS
@pytest.mark.parametrize("status", [409, 402])
def test_sync_looks_the_learner_up_after_a_failed_insert(app, runner, sandbox, status):
    with app.app_context():
        make_profile()  # Jane, whom T-book has
    # A concurrent click creates Jane between the lookup and the insert: the lookup misses, the insert fails.
    sandbox.set_fault(path="/api/getOneLearner", status=404)
    sandbox.set_fault(path="/api/insertLearner", status=status)
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "0 created, 1 already in T-book, 0 failed" in result.output
    assert [r["status"] for r in sandbox.requests("/api/getOneLearner")] == [404, 200]
    (event,) = provision_events(app)
    assert event.outcome == "exists" and event.detail["insert_failed"] == f"{status} {sandbox_code(status)}"


def sandbox_code(status: int) -> str:
    return {409: "conflict", 402: "request_failed"}[status]


@PROVISIONING_VARIANTS
def test_sync_finds_the_learner_whose_insert_answer_was_lost(app, runner, sandbox):
    with app.app_context():
        make_profile(login="new@example.com", firstname="New", lastname="Learner", password=None)
    sandbox.set_fault(path="/api/insertLearner", drop_after=True)  # T-book creates him; the answer never comes
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 0, result.output
    assert "0 created, 1 already in T-book, 0 failed" in result.output
    assert len(sandbox.requests("/api/insertLearner")) == 1  # never sent twice
    (event,) = provision_events(app)
    assert event.detail["insert_failed"] == "no answer connection_error"


@PROVISIONING_VARIANTS
def test_sync_reports_an_insert_that_failed_for_a_learner_t_book_still_lacks(app, runner, sandbox):
    with app.app_context():
        make_profile(login="new@example.com", firstname="New", lastname="Learner", password=None)
    sandbox.set_fault(path="/api/insertLearner", status=402)
    result = runner.invoke(args=["sync"])
    assert result.exit_code == 1
    assert "0 created, 0 already in T-book, 1 failed" in result.output
    assert "failed new@example.com: T-book could not carry out the request (402 request_failed)" in result.output
    assert provision_events(app) == []
