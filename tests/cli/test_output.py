"""The real `flask` command in its own process: stdout carries only the answer, the audit log goes to stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import make_link, make_profile

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def flask_cli(app, gateway_config):
    """Run `flask --app wsgi ARGS` as a shell would, on the test's database and sandbox; return the process."""
    env = {**os.environ, **{k: str(v) for k, v in gateway_config.items() if k != "TESTING"}}
    env.pop("FLASK_APP", None)

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *args],
            cwd=ROOT,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


def _audit_lines(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith('{"audit_id"')]


def test_launch_preview_prints_only_its_json(app, flask_cli):
    with app.app_context():
        make_link("open-tbook", debug=True)
        make_profile()
    done = flask_cli("launch-preview", "--link", "open-tbook", "--user", "jane.doe@example.com")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)  # the whole of stdout: no log line before or after it
    assert dict(body["params"])["lti_message_type"] == "basic-lti-launch-request"
    assert [e["action"] for e in _audit_lines(done.stderr)] == ["launch_preview"]


def test_tbook_json_output_parses_while_the_token_refresh_is_audited(app, flask_cli, sandbox):
    done = flask_cli("tbook", "entities", "--json")
    assert done.returncode == 0, done.stderr
    assert {entity["entityID"] for entity in json.loads(done.stdout)} == {"24", "25"}
    assert "token_refresh" in [e["action"] for e in _audit_lines(done.stderr)]


def test_a_change_answers_in_one_line_and_logs_its_audit_event_to_stderr(app, flask_cli):
    done = flask_cli("links", "create", "formation", "--title", "Formation")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "created /launch/formation (lti)\n"
    [event] = _audit_lines(done.stderr)
    assert (event["action"], event["link"], event["actor"]) == ("link_create", "formation", "cli")


def test_flask_help_describes_the_gateways_commands(app, flask_cli):
    done = flask_cli("--help")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "T-book Gateway: its commands" in text
    assert "launch-preview --link SLUG --user LOGIN" in text and "audit verify | purge" in text
    # Each command's line in the list says what it is for.
    assert "Launch links (/launch/<slug>)." in text and "Ask T-book's API" in text


def test_mode_is_explained(app, flask_cli):
    done = flask_cli("links", "create", "--help")
    text = " ".join(done.stdout.split())
    assert "auto: LTI, falling back to /authToken when LTI is not configured" in text
    assert "authtoken: T-book's /authToken" in text


def test_every_change_answers_on_stdout_alone_and_audits_on_stderr(app, flask_cli, tmp_path):
    """Each command that changes something, as a shell runs it: stdout is its answer, never an audit line."""
    people = tmp_path / "people.csv"
    people.write_text("login,entityID,civility,lastname,firstname\namy@example.com,24,mme,Pond,Amy\n", "utf-8")
    steps = [
        (("links", "create", "formation", "--title", "Formation"), "", "link_create"),
        (("links", "edit", "formation", "--title", "Formation RH"), "", "link_update"),
        (("links", "disable", "formation"), "", "link_disable"),
        (("links", "enable", "formation"), "", "link_enable"),
        (("profiles", "import", str(people)), "", "profiles_import"),
        (("accounts", "create", "amy@example.com"), "long-enough-pw\n", "account_create"),
        (("accounts", "reset-password", "amy@example.com"), "another-long-pw\n", "account_password_reset"),
        (("accounts", "unlock", "amy@example.com"), "", "account_unlock"),
        (("admins", "create", "boss@example.com"), "long-enough-pw\n", "admin_create"),
        (("admins", "revoke", "boss@example.com"), "", "admin_revoke"),
        (("sessions", "end", "amy@example.com"), "", "sessions_revoke"),
        (("profiles", "delete", "amy@example.com", "--yes"), "", "profile_delete"),
        (("links", "delete", "formation", "--yes"), "", "link_delete"),
        (("audit", "purge", "--before", "2000-01-01"), "", "audit_purge"),
    ]
    for args, stdin, action in steps:
        done = flask_cli(*args, stdin=stdin)
        assert done.returncode == 0, (args, done.stderr)
        assert "audit_id" not in done.stdout and not done.stdout.lstrip().startswith("{"), (args, done.stdout)
        assert done.stdout.strip(), args  # an answer, in words
        assert action in [e["action"] for e in _audit_lines(done.stderr)], (args, done.stderr[-500:])
