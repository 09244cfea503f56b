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
@click.option(
    "--language",
    type=click.Choice(["fr", "en"]),
    help="The language of the learner's pages, which T-book opens in (default: GATEWAY_LANGUAGE, what a browser "
    "asking for neither gets).",
)
def command(slug: str, login: str, language: str | None) -> None:
    """Print the signed LTI launch SLUG would send for LOGIN: url, params, base string (never the secret)."""
    # Signed as a browser's click is: T-book comes back under the gateway's public URL, and opens in the language
    # of the learner's pages (a click always has one).
    cfg = current_app.config
    cli_click = launch.Click(f"cli-{slug}", cfg["GATEWAY_BASE_URL"], language=language or cfg["GATEWAY_LANGUAGE"])
    signed = launch.preview(slug, login.strip().lower(), cli_click, trusted=True, actor="cli").signed
    body = {
        "url": signed.url,
        "method": "POST",
        "params": dict(signed.params),
        "normalized_url": signed.normalized_url(),
        "base_string": signed.base_string(),
    }
    click.echo(json.dumps(body, indent=2, ensure_ascii=False))
