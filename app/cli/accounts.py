"""`flask accounts list|create|reset-password|unlock`: learners' local sign-ins (passwords from standard input)."""

import click

from app.cli.errors import Group
from app.cli.passwords import read_password
from app.services.identity import accounts


@click.group("accounts", help="Local sign-ins of learners (GATEWAY_AUTH=local).", cls=Group)
def group() -> None:
    pass


@group.command("list")
@click.argument("query", required=False, default="")
@click.option("--page", default=1, show_default=True, help="Which page of 25.")
def list_accounts(query: str, page: int) -> None:
    """List the local sign-ins whose login contains QUERY (all without one): login, role, profile."""
    results = accounts.search(query, page)
    for a in results.accounts:
        role = "admin" if a.is_admin else "learner"
        click.echo(f"{a.login:<40} {role:<8} {'profile' if a.has_profile else 'no profile'}")
    click.echo(f"{results.total} sign-in(s); page {results.number} of {results.pages}", err=True)


@group.command("create")
@click.argument("login")
def create(login: str) -> None:
    """Create the local sign-in of the learner LOGIN; the password comes from standard input."""
    account = accounts.create_learner(login, read_password(), actor="cli")
    click.echo(f"created the local sign-in of {account.login}")


@group.command("reset-password")
@click.argument("login")
def reset_password(login: str) -> None:
    """Give LOGIN a new password, read from standard input; it also lifts a sign-in pause."""
    account = accounts.reset_password(login, read_password(), actor="cli")
    click.echo(f"set a new password for {account.login}")


@group.command("unlock")
@click.argument("login")
def unlock(login: str) -> None:
    """Lift the sign-in pause of LOGIN: its failed attempts so far stop counting."""
    paused = accounts.unlock(login, actor="cli")
    where = f"paused from {paused} address(es)" if paused else "not paused"
    click.echo(f"unlocked {login.strip().lower()} (it was {where})")
