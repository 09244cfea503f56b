"""`flask tbook …` against the sandbox (`flask sync`: tests/cli/test_sync.py)."""

import json

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
