"""`flask launch-preview --link SLUG --user LOGIN`: the signed launch as JSON, for integrators."""

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from app.cli.errors import Command
from app.services.launch import flow as launch


@click.command("launch-preview", cls=Command)
@with_appcontext
@click.option("--link", "slug", required=True, help="The launch link's slug.")
@click.option("--user", "login", required=True, help="The learner's login (e-mail).")
def command(slug: str, login: str) -> None:
    """Print the signed LTI launch SLUG would send for LOGIN: url, params, base string (never the secret)."""
    # The return URL and errorUrl are absolute, under the gateway's public URL.
    cli_click = launch.Click(f"cli-{slug}", current_app.config["GATEWAY_BASE_URL"])
    signed = launch.preview(slug, login.strip().lower(), cli_click, trusted=True).signed
    body = {
        "url": signed.url,
        "method": "POST",
        "params": dict(signed.params),
        "normalized_url": signed.normalized_url(),
        "base_string": signed.base_string(),
    }
    click.echo(json.dumps(body, indent=2, ensure_ascii=False))
