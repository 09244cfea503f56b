"""`flask tbook …` and `flask sync` against the sandbox."""

import json

from tests.factories import make_profile


def test_whoami_prints_the_client_account(runner, sandbox):
    result = runner.invoke(args=["tbook", "whoami"])
    assert result.exit_code == 0, result.output
    assert "Demo Organisation" in result.output


def test_entities_as_a_table_and_as_json(runner, sandbox):
    table = runner.invoke(args=["tbook", "entities"]).output
    assert table.splitlines()[0].split() == ["ID", "Name", "City", "Language"]
    assert "Paris Campus" in table and "Lyon Campus" in table
    data = json.loads(runner.invoke(args=["tbook", "entities", "--json"]).output)
    assert {e["entity_id"] for e in data} == {"24", "25"}


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
