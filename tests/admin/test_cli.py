"""`flask admins …`: the password comes from standard input, never from an argument."""

from __future__ import annotations

from sqlalchemy import select

from app.services.identity import accounts
from app.store import db
from app.store.models import AuditEvent


def test_admins_create_reads_the_password_from_stdin_and_the_admin_can_sign_in(app, runner, client, auth):
    result = runner.invoke(args=["admins", "create", "Boss@Example.com"], input="long-enough-pw\n")
    assert result.exit_code == 0, result.output
    assert "boss@example.com is an admin" in result.output
    assert "long-enough-pw" not in result.output
    assert auth.login("boss@example.com", "long-enough-pw").status_code == 303
    assert client.get("/admin/").status_code == 200
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "admin_create")).one()
        assert event.actor == "cli" and "long-enough-pw" not in str(event.detail)


def test_admins_create_takes_no_password_argument(runner):
    result = runner.invoke(args=["admins", "create", "boss@example.com", "--password", "x"])
    assert result.exit_code == 2


def test_a_short_password_is_refused(app, runner):
    result = runner.invoke(args=["admins", "create", "boss@example.com"], input="short\n")
    assert result.exit_code == 1 and "at least 8 characters" in result.output
    with app.app_context():
        assert accounts.find("boss@example.com") is None


def test_list_and_revoke(app, runner):
    runner.invoke(args=["admins", "create", "boss@example.com"], input="long-enough-pw\n")
    assert runner.invoke(args=["admins", "list"]).output == "boss@example.com\n"
    assert runner.invoke(args=["admins", "revoke", "boss@example.com"]).exit_code == 0
    assert "no local admin yet" in runner.invoke(args=["admins", "list"]).output
    assert runner.invoke(args=["admins", "revoke", "boss@example.com"]).exit_code == 1
