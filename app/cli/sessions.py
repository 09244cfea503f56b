"""`flask sessions end LOGIN`: sign an account out of every browser (a lost laptop, a leaked cookie)."""

import click
from flask.cli import AppGroup

from app.services.identity import sessions


@click.group("sessions", help="Sign-in sessions (local form and signed links).", cls=AppGroup)
def group() -> None:
    pass


@group.command("end")
@click.argument("login")
def end(login: str) -> None:
    """End every session of LOGIN at once, on every instance; audited."""
    ended = sessions.revoke(login, actor="cli")
    click.echo(f"ended {ended} session(s) of {login.strip().lower()}")
