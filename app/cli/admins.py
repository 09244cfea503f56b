"""`flask admins create|list|revoke`: local admin accounts (the password is read from standard input)."""

import click

from app.cli.errors import Group
from app.cli.passwords import read_password
from app.services.identity import admins


@click.group("admins", help="Admin accounts of the admin console (/admin/).", cls=Group)
def group() -> None:
    pass


@group.command("create")
@click.argument("email")
def create(email: str) -> None:
    """Create the local admin EMAIL (or make that account admin); the password comes from standard input."""
    password = read_password()
    account = admins.create(email, password, actor="cli")
    click.echo(f"{account.login} is an admin; sign in at /auth/login, then open /admin/")


@group.command("list")
def list_admins() -> None:
    """List the local admin accounts."""
    logins = admins.local_admins()
    for login in logins:
        click.echo(login)
    if not logins:
        click.echo("no local admin yet: flask --app wsgi admins create EMAIL", err=True)


@group.command("revoke")
@click.argument("email")
def revoke(email: str) -> None:
    """Take the admin role from EMAIL (the account stays, as a learner's)."""
    admins.revoke(email, actor="cli")
    click.echo(f"{email.strip().lower()} is no longer an admin")
