"""`flask links …`: create, list, edit, disable, enable, delete."""

import json

from sqlalchemy import select

from app.store import db
from app.store.models import AuditEvent, LaunchLink


def test_create_list_disable_enable(app, runner, client):
    created = runner.invoke(args=["links", "create", "open-tbook", "--title", "Open T-book", "--debug"])
    assert created.exit_code == 0 and "created /launch/open-tbook (lti, debug)" in created.output
    runner.invoke(args=["links", "create", "sso", "--title", "SSO", "--mode", "authtoken", "--connection-type", "id"])
    listed = runner.invoke(args=["links", "list"]).output
    assert "/launch/open-tbook" in listed and "authtoken" in listed and "debug" in listed
    assert runner.invoke(args=["links", "disable", "sso"]).exit_code == 0
    assert "DISABLED" in runner.invoke(args=["links", "list"]).output
    with app.app_context():
        link = db.session.execute(select(LaunchLink).where(LaunchLink.slug == "sso")).scalar_one()
        assert (link.mode, link.connection_type, link.enabled) == ("authtoken", "id", False)
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
        assert actions == ["link_create", "link_create", "link_disable"]
    assert runner.invoke(args=["links", "enable", "sso"]).exit_code == 0


def test_bad_input_is_a_clear_error(runner):
    assert "lower-case letters" in runner.invoke(args=["links", "create", "Bad Slug", "--title", "x"]).output
    runner.invoke(args=["links", "create", "a", "--title", "A"])
    assert "exists already" in runner.invoke(args=["links", "create", "a", "--title", "A"]).output
    assert "no link called nope" in runner.invoke(args=["links", "disable", "nope"]).output
    assert runner.invoke(args=["links", "create", "b", "--title", "B", "--mode", "magic"]).exit_code == 2


def test_create_with_a_description_and_without_lis_person(app, runner):
    created = runner.invoke(
        args=[
            "links",
            "create",
            "catalogue",
            "--title",
            "Catalogue",
            "--description",
            "Every course",
            "--no-lis-person",
        ]
    )
    assert created.exit_code == 0, created.output
    assert "no lis_person" in runner.invoke(args=["links", "list"]).output
    with app.app_context():
        link = db.session.execute(select(LaunchLink).where(LaunchLink.slug == "catalogue")).scalar_one()
        assert (link.description, link.send_lis_person) == ("Every course", False)
    runner.invoke(args=["links", "create", "plain", "--title", "Plain"])
    with app.app_context():
        plain = db.session.execute(select(LaunchLink).where(LaunchLink.slug == "plain")).scalar_one()
        assert (plain.description, plain.send_lis_person) == (None, True)
    too_long = runner.invoke(args=["links", "create", "long", "--title", "Long", "--description", "x" * 1001])
    assert too_long.exit_code == 1 and "description is longer than 1000 characters" in too_long.output


def test_edit_changes_only_what_is_given_audited(app, runner):
    runner.invoke(args=["links", "create", "open-tbook", "--title", "Open T-book", "--debug"])
    result = runner.invoke(args=["links", "edit", "open-tbook", "--mode", "auto", "--no-debug"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "saved /launch/open-tbook: mode auto, debug False\n"
    with app.app_context():
        link = db.session.execute(select(LaunchLink)).scalar_one()
        assert (link.title, link.mode, link.debug) == ("Open T-book", "auto", False)
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "link_update")).one()
        assert event.detail["before"]["mode"] == "lti" and event.detail["after"]["mode"] == "auto"
    assert (
        runner.invoke(args=["links", "edit", "open-tbook", "--mode", "auto"]).stdout == "/launch/open-tbook unchanged\n"
    )
    assert "no link called nope" in runner.invoke(args=["links", "edit", "nope", "--title", "x"]).output


def test_delete_says_what_it_changes_and_asks_first(app, runner):
    runner.invoke(args=["links", "create", "open-tbook", "--title", "Open T-book"])
    declined = runner.invoke(args=["links", "delete", "open-tbook"], input="n\n")
    assert declined.exit_code == 1 and "stop working" in declined.stderr and "Aborted" in declined.stderr
    with app.app_context():
        assert db.session.execute(select(LaunchLink)).scalar_one()
    confirmed = runner.invoke(args=["links", "delete", "open-tbook"], input="y\n")
    assert confirmed.exit_code == 0 and confirmed.stdout == "deleted /launch/open-tbook\n"
    with app.app_context():
        assert db.session.execute(select(LaunchLink)).first() is None
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "link_delete")).one()
        assert event.actor == "cli" and event.detail["before"]["title"] == "Open T-book"
    runner.invoke(args=["links", "create", "sso", "--title", "SSO"])
    assert runner.invoke(args=["links", "delete", "sso", "--yes"]).exit_code == 0


def test_list_as_json(runner):
    runner.invoke(args=["links", "create", "open-tbook", "--title", "Open T-book"])
    runner.invoke(args=["links", "disable", "open-tbook"])
    [link] = json.loads(runner.invoke(args=["links", "list", "--json"]).stdout)
    assert (link["slug"], link["mode"], link["enabled"]) == ("open-tbook", "lti", False)


def test_edit_keeps_the_description_and_lis_person_unless_given(app, runner):
    args = ["links", "create", "open-tbook", "--title", "Open T-book", "--description", "Parcours", "--no-lis-person"]
    runner.invoke(args=args)
    assert runner.invoke(args=["links", "edit", "open-tbook", "--title", "Formation"]).exit_code == 0
    with app.app_context():
        link = db.session.execute(select(LaunchLink)).scalar_one()
        assert (link.title, link.description, link.send_lis_person) == ("Formation", "Parcours", False)
    changed = runner.invoke(args=["links", "edit", "open-tbook", "--description", "", "--lis-person"])
    assert changed.stdout == "saved /launch/open-tbook: description , send_lis_person True\n"
    with app.app_context():
        link = db.session.execute(select(LaunchLink)).scalar_one()
        assert (link.description, link.send_lis_person) == (None, True)
