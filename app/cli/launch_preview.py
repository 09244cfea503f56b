"""`flask launch-preview --link SLUG --user LOGIN`: the signed launch as JSON, for integrators."""

import json

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from app.errors import GatewayError
from app.services import launch, return_refs


@click.command("launch-preview")
@with_appcontext
@click.option("--link", "slug", required=True, help="The launch link's slug.")
@click.option("--user", "login", required=True, help="The learner's login (e-mail).")
def command(slug: str, login: str) -> None:
    """Print the signed LTI launch SLUG would send for LOGIN: url, params, base string (never the secret)."""
    cfg = current_app.config
    with current_app.test_request_context(base_url=cfg.get("GATEWAY_BASE_URL") or "http://127.0.0.1:5000"):
        try:
            link = launch.find_link(slug)
            correlation_id = "cli-" + slug
            signed = launch.sign_lti_launch(
                launch.LaunchRequest(
                    link=link,
                    login=login.strip().lower(),
                    correlation_id=correlation_id,
                    return_url=url_for("launch.lti_return", ref=return_refs.make(slug, correlation_id), _external=True),
                    locale=cfg["GATEWAY_LOCALE"],
                    instance_guid=cfg.get("GATEWAY_INSTANCE_GUID") or "tbook-gateway",
                    instance_name=cfg["GATEWAY_INSTANCE_NAME"],
                    preview=True,
                )
            )
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
