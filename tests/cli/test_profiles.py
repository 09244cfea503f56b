"""`flask profiles list|export|delete`: the console's profile tasks from a shell."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent, Profile
from tests.factories import make_profile


def _two(app) -> None:
    with app.app_context():
        make_profile(password=None)
        make_profile(login="amy@example.com", firstname="Amy", lastname="Pond", externalID="2002", password=None)


def test_list_as_a_table_and_as_json(app, runner):
    _two(app)
    table = runner.invoke(args=["profiles", "list"])
    assert table.exit_code == 0
    assert [line.split()[0] for line in table.stdout.splitlines()] == ["amy@example.com", "jane.doe@example.com"]
    assert "2 profile(s); page 1 of 1" in table.stderr
    body = json.loads(runner.invoke(args=["profiles", "list", "pond", "--json"]).stdout)
    assert body["total"] == 1 and body["profiles"][0]["login"] == "amy@example.com"
    assert body["profiles"][0]["externalID"] == "2002"


def test_export_writes_the_import_format_to_stdout_or_a_file(app, runner, tmp_path):
    _two(app)
    out = runner.invoke(args=["profiles", "export"])
    assert out.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert [r["login"] for r in rows] == ["amy@example.com", "jane.doe@example.com"]
    assert rows[1]["contactEmail"] == "jane.doe@example.com" and rows[1]["civility"] == "mme"
    target = tmp_path / "jane.csv"
    assert runner.invoke(args=["profiles", "export", "jane", "-o", str(target)]).exit_code == 0
    assert [r["login"] for r in csv.DictReader(io.StringIO(target.read_text()))] == ["jane.doe@example.com"]


def test_delete_says_what_it_changes_asks_and_is_audited(app, runner):
    _two(app)
    declined = runner.invoke(args=["profiles", "delete", "Amy@Example.com"], input="n\n")
    assert declined.exit_code == 1 and "can no longer open T-book" in declined.stderr
    done = runner.invoke(args=["profiles", "delete", "amy@example.com"], input="y\n")
    assert done.exit_code == 0 and done.stdout == "deleted the profile of amy@example.com\n"
    with app.app_context():
        assert db.session.scalars(select(Profile.login)).all() == ["jane.doe@example.com"]
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "profile_delete")).one()
        assert event.actor == "cli" and event.detail["before"]["externalID"] == "2002"
    assert runner.invoke(args=["profiles", "delete", "jane.doe@example.com", "--yes"]).exit_code == 0
    missing = runner.invoke(args=["profiles", "delete", "nobody@example.com", "--yes"])
    assert missing.exit_code == 1 and "There is no profile for nobody@example.com" in missing.output
