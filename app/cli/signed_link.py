"""`flask signed-link LOGIN [--link SLUG]`: make a signed link as an intranet portal would."""

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.errors import Command
from app.services.identity import signed_links


@click.command("signed-link", cls=Command)
@with_appcontext
@click.argument("login")
@click.option("--link", "slug", default="open-tbook", show_default=True, help="The launch link it opens.")
def command(login: str, slug: str) -> None:
    """Print a short-lived /launch/SLUG URL that signs LOGIN in (GATEWAY_AUTH must include signed-link)."""
    cfg = current_app.config
    secret = cfg.get("GATEWAY_LINK_SECRET")
    if not secret:
        raise click.ClickException("GATEWAY_LINK_SECRET is not set: the portal and the gateway share that key.")
    token = signed_links.make_token(secret, login.strip().lower(), slug)
    click.echo(f"{cfg['GATEWAY_BASE_URL']}/launch/{slug}?auth={token}")
    click.echo(f"valid for {cfg['GATEWAY_SIGNED_LINK_MAX_AGE']} seconds", err=True)
