"""`flask tbook …`: T-book's API from the shell (whoami, entities, learners, check), as tables or --json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click

from app.cli.errors import Group
from app.services.tbook_connection import clients as tbook_api
from app.services.tbook_connection import connection_check

json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print T-book's answer as JSON, in T-book's own field names (entityID, ...).",
)


@click.group("tbook", help="Ask T-book's API with the configured credentials.", cls=Group)
def group() -> None:
    pass


def _print(data: Any, as_json: bool, columns: Sequence[tuple[str, str]]) -> None:
    rows = data if isinstance(data, list) else [data]
    if as_json:
        body = [row.to_json() for row in rows]
        click.echo(json.dumps(body if isinstance(data, list) else body[0], indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("(none)")
        return
    cells = [[_cell(getattr(row, attr)) for attr, _ in columns] for row in rows]
    widths = [max(len(title), *(len(r[i]) for r in cells)) for i, (_, title) in enumerate(columns)]
    click.echo("  ".join(title.ljust(w) for (_, title), w in zip(columns, widths, strict=True)).rstrip())
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else str(value)


ENTITY_COLUMNS = (("entity_id", "ID"), ("name", "Name"), ("city", "City"), ("language", "Language"))
LEARNER_COLUMNS = (
    ("learner_id", "ID"),
    ("login", "Login"),
    ("firstname", "First name"),
    ("lastname", "Last name"),
    ("entity_name", "Entity"),
    ("filter", "Filters"),
    ("location", "Locations"),
)


@group.command("whoami")
@json_option
def whoami(as_json: bool) -> None:
    """The T-book client account these credentials belong to (getClient)."""
    info = tbook_api.client().get_client()
    _print(info, as_json, (("name", "Client"), ("city", "City"), ("address", "Address"), ("zip", "Zip")))


@group.command("entities")
@json_option
def entities(as_json: bool) -> None:
    """The client's entities (getEntities)."""
    _print(tbook_api.client().get_entities(), as_json, ENTITY_COLUMNS)


@group.command("entity")
@click.argument("entity_id")
@json_option
def entity(entity_id: str, as_json: bool) -> None:
    """One entity (getEntity/ENTITY_ID)."""
    _print(tbook_api.client().get_entity(entity_id), as_json, ENTITY_COLUMNS)


@group.command("learners")
@click.option("--entity", "entity_id", help="Only this entity's learners.")
@json_option
def learners(entity_id: str | None, as_json: bool) -> None:
    """All learners of the client, or of one entity (getAllLearners)."""
    _print(tbook_api.client().get_all_learners(entity_id), as_json, LEARNER_COLUMNS)


@group.command("learner")
@click.argument("learner_id", required=False)
@click.option("--email", help="Find by login (e-mail).")
@click.option("--external-id", help="Find by the externalID given at insertion.")
@json_option
def learner(learner_id: str | None, email: str | None, external_id: str | None, as_json: bool) -> None:
    """One learner, by T-book's LEARNER_ID, --email or --external-id (getOneLearner)."""
    given = [v for v in (learner_id, email, external_id) if v]
    if len(given) != 1:
        raise click.UsageError("give exactly one of LEARNER_ID, --email or --external-id")
    client = tbook_api.client()
    if learner_id:
        found = client.get_learner(learner_id)
    elif email:
        found = client.find_learner("email", email)
    else:
        found = client.find_learner("externalId", external_id)
    _print(found, as_json, LEARNER_COLUMNS)


@group.command("check")
def check() -> None:
    """Check the configured credentials step by step: token, client, entities, LTI launch URL, clocks.

    Exits with 1 when a step fails, and says what to fix.
    """
    report = connection_check.check(actor="cli")
    click.echo(f"T-book connection check ({report.env}): API {report.api_url}, LTI {report.lti_url}")
    width = max(len(step.title) for step in report.steps)
    for step in report.steps:
        took = f"{step.seconds * 1000:5.0f} ms" if step.seconds is not None else "    -   "
        click.echo(f"{step.mark} {step.title.ljust(width)}  {took}  {step.detail}")
        if step.fix:
            click.echo(f"  {' ' * width}  {'':7}  {'Fix' if step.ok is False else 'Note'}: {step.fix}")
    if report.ok:
        click.echo("Every step passed.")
        return
    click.echo(f"Failed: {', '.join(step.title for step in report.failed)}.", err=True)
    raise SystemExit(1)
