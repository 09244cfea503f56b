"""`flask launch-preview --link SLUG --user LOGIN`: the signed launch as JSON, for integrators."""

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from app.errors import GatewayError
from app.services.launch import flow as launch
from app.web.launch.routes import launch_request


@click.command("launch-preview")
@with_appcontext
@click.option("--link", "slug", required=True, help="The launch link's slug.")
@click.option("--user", "login", required=True, help="The learner's login (e-mail).")
def command(slug: str, login: str) -> None:
    """Print the signed LTI launch SLUG would send for LOGIN: url, params, base string (never the secret)."""
    base_url = current_app.config["GATEWAY_BASE_URL"]
    # The return URL and errorUrl are absolute: build them as a request to the gateway's public URL would.
    with current_app.test_request_context(base_url=base_url):
        try:
            link = launch.find_link(slug)
            signed = launch.preview(launch_request(link, login.strip().lower(), f"cli-{slug}", preview=True))
        except GatewayError as err:
            raise click.ClickException(err.message) from err
    body = {
        "url": signed.url,
        "method": "POST",
        "params": dict(signed.params),
        "normalized_url": signed.normalized_url(),
        "base_string": signed.base_string(),
    }
    click.echo(json.dumps(body, indent=2, ensure_ascii=False))
