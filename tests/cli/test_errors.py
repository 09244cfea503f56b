"""The CLI's one error mapping: each domain-error kind ends a command with `Error: …` and its exit code."""

from __future__ import annotations

import click
import pytest

from app.cli.errors import Command, Group
from app.errors import KINDS, GatewayError
from app.tbook import TBookForbidden
from tests.factories import make_link, make_profile

GATEWAY_COMMANDS = {"admins", "audit", "demo", "launch-preview", "links", "profiles", "signed-link", "sync", "tbook"}


def _commands(command: click.Command, path: str = ""):
    yield path or command.name, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, f"{path} {name}".strip())


def test_every_gateway_command_goes_through_the_mapping(app):
    assert GATEWAY_COMMANDS <= set(app.cli.commands)
    for name in GATEWAY_COMMANDS:
        for path, command in _commands(app.cli.commands[name], name):
            expected = Group if isinstance(command, click.Group) else Command
            assert isinstance(command, expected), f"`flask {path}` is a {type(command).__name__}"


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.__name__)
def test_every_kind_exits_with_its_code_and_its_message(runner, kind: type[GatewayError]):
    @click.command("fails", cls=Command)
    def fails() -> None:
        raise kind(f"{kind.__name__} happened", hint="a hint")

    result = runner.invoke(fails)
    assert result.exit_code == kind.exit_code == 1
    assert result.output == f"Error: {kind.__name__} happened\n"


def test_a_tbook_api_error_exits_1_with_the_clients_message(runner):
    @click.command("asks", cls=Command)
    def asks() -> None:
        raise TBookForbidden("T-book denied access to this data (403 forbidden) on getEntity: not yours", status=403)

    result = runner.invoke(asks)
    assert result.exit_code == 1 and "Error: T-book denied access" in result.output


# The services' errors, through the real commands.


def test_not_found(runner):
    assert runner.invoke(args=["links", "enable", "nope"]).output == "Error: There is no link called nope.\n"
    result = runner.invoke(args=["admins", "revoke", "nobody@example.com"])
    assert result.exit_code == 1 and "nobody@example.com is not a local admin" in result.output


def test_invalid(runner):
    result = runner.invoke(args=["links", "create", "ok", "--title", " "])
    assert result.exit_code == 1 and result.output == "Error: the title is empty\n"
    result = runner.invoke(args=["admins", "create", "not-an-email"], input="long-enough-pw\n")
    assert result.exit_code == 1 and "the login must be an e-mail address" in result.output


def test_conflict(runner):
    assert runner.invoke(args=["links", "create", "taken", "--title", "T"]).exit_code == 0
    result = runner.invoke(args=["links", "create", "taken", "--title", "T"])
    assert result.exit_code == 1 and result.output == "Error: a link called taken exists already\n"


def test_forbidden(app, runner):
    with app.app_context():
        make_link("sso", mode="authtoken")
        make_profile()
    result = runner.invoke(args=["launch-preview", "--link", "sso", "--user", "jane.doe@example.com"])
    assert result.exit_code == 1 and "it has no LTI launch to preview" in result.output


def test_unavailable(make_gateway):
    gateway = make_gateway(TBOOK_LTI_SECRET="")
    with gateway.app_context():
        make_link()
        make_profile()
    args = ["launch-preview", "--link", "open-tbook", "--user", "jane.doe@example.com"]
    result = gateway.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1 and "no LTI shared secret" in result.output
    assert "Traceback" not in result.output
