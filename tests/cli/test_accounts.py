"""`flask accounts …`: learners' local sign-ins from a shell; passwords come from standard input."""

from __future__ import annotations

from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent
from tests.conftest import AuthActions
from tests.factories import PASSWORD, make_profile


def test_create_list_and_the_learner_signs_in(app, runner, client):
    created = runner.invoke(args=["accounts", "create", "Amy@Example.com"], input="long-enough-pw\n")
    assert created.exit_code == 0, created.output
    assert created.stdout == "created the local sign-in of amy@example.com\n"
    assert "long-enough-pw" not in created.output
    assert AuthActions(client).login("amy@example.com", "long-enough-pw").status_code == 303
    listed = runner.invoke(args=["accounts", "list"])
    assert listed.stdout == "amy@example.com                          learner  no profile\n"
    again = runner.invoke(args=["accounts", "create", "amy@example.com"], input="long-enough-pw\n")
    assert again.exit_code == 1 and "has a local sign-in already" in again.output
    short = runner.invoke(args=["accounts", "create", "rory@example.com"], input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output


def test_reset_password_and_unlock(app, runner):
    with app.app_context():
        make_profile()
    learner = AuthActions(app.test_client())
    for n in range(5):
        learner.login("jane.doe@example.com", f"wrong-{n}")
    assert learner.login("jane.doe@example.com", PASSWORD).status_code == 429
    unlocked = runner.invoke(args=["accounts", "unlock", "jane.doe@example.com"])
    assert (
        unlocked.exit_code == 0
        and unlocked.stdout == "unlocked jane.doe@example.com (it was paused from 1 address(es))\n"
    )
    assert learner.login("jane.doe@example.com", PASSWORD).status_code == 303
    reset = runner.invoke(args=["accounts", "reset-password", "jane.doe@example.com"], input="another-password\n")
    assert reset.exit_code == 0 and reset.stdout == "set a new password for jane.doe@example.com\n"
    assert AuthActions(app.test_client()).login("jane.doe@example.com", "another-password").status_code == 303
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor == "cli").order_by(AuditEvent.id)
        ).all()
        assert actions == ["account_unlock", "account_password_reset", "account_unlock"]
    missing = runner.invoke(args=["accounts", "unlock", "nobody@example.com"])
    assert missing.exit_code == 1 and "nobody@example.com has no local sign-in" in missing.output
