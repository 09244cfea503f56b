"""The `flask --app wsgi …` commands (profiles, links, accounts, launch-preview, tbook, sync, admins, audit…)."""

import click
from flask import Flask
from flask.cli import FlaskGroup

GATEWAY_HELP = """\b
T-book Gateway: its commands, each with --help for the details. Standard
output carries only a command's answer; the audit log's JSON lines go to
standard error, and every change is audited.

\b
  demo seed                     the sandbox's demo profiles, sign-ins and links
  links create SLUG --title T   a launch link at /launch/SLUG (--mode lti|authtoken|auto)
  links list | edit | disable | enable | delete
  profiles import FILE.csv      profiles from a CSV (--dry-run checks only)
  profiles list | export | delete
  accounts create | reset-password | unlock LOGIN   learners' local sign-ins
  admins create EMAIL           an admin of the console at /admin/
  sessions end LOGIN            sign an account out of every browser
  launch-preview --link SLUG --user LOGIN   the signed LTI launch, as JSON
  tbook whoami | entities | learners [--json]   T-book's API, with these credentials
  sync                          create in T-book the learners it does not know yet
  audit verify | purge          the audit log's hash chain, and its retention
"""


def register_commands(app: Flask) -> None:
    from app.cli import (
        accounts,
        admins,
        audit,
        demo,
        launch_preview,
        links,
        profiles,
        sessions,
        signed_link,
        sync,
        tbook,
    )

    app.cli.add_command(profiles.group)
    app.cli.add_command(links.group)
    app.cli.add_command(accounts.group)
    app.cli.add_command(launch_preview.command)
    app.cli.add_command(signed_link.command)
    app.cli.add_command(demo.group)
    app.cli.add_command(tbook.group)
    app.cli.add_command(sync.command)
    app.cli.add_command(admins.group)
    app.cli.add_command(sessions.group)
    app.cli.add_command(audit.group)
    _describe_the_gateway()


def _describe_the_gateway() -> None:
    # `flask` is Flask's own command: its opening sentence is written before any app is loaded. The app is loaded
    # while `flask --help` lists the commands, which is in time for the epilog printed after them.
    ctx = click.get_current_context(silent=True)
    if ctx is not None and isinstance(ctx.find_root().command, FlaskGroup):
        ctx.find_root().command.epilog = GATEWAY_HELP
