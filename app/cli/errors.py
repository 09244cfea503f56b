"""The CLI's one error mapping: a domain error (or a T-book API error) ends a command with its kind's exit code."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import AppGroup

from app.errors import GatewayError
from app.tbook import TBookError


class CommandError(click.ClickException):
    """Printed as `Error: <message>` on standard error; the process exits with `exit_code`."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Command(click.Command):
    """A gateway command: what it raises is answered here, so no command catches errors one by one."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GatewayError as err:
            raise CommandError(err.message, err.exit_code) from err
        except TBookError as err:
            # T-book's answer as the client words it (status, code, T-book's message; secrets masked).
            raise CommandError(err.message, 1) from err


class Group(AppGroup):
    """A group of gateway commands: its commands (and sub-groups) are `Command`s (and `Group`s)."""

    command_class = Command

    def group(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("cls", Group)
        return super().group(*args, **kwargs)
