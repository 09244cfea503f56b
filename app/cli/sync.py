"""`flask sync`: create in T-book every local learner profile it does not have yet (getOneLearner, insertLearner)."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from app.cli.errors import Command
from app.services.audit import trail as audit
from app.services.tbook_connection import clients as tbook_api
from app.services.tbook_connection import provisioning
from app.store import profiles as stored_profiles
from app.tbook import TBookConnectionError, TBookError, Unauthorized


@click.command("sync", cls=Command)
@with_appcontext
@click.option("--dry-run", is_flag=True, help="Only look up learners; create nothing.")
def command(dry_run: bool) -> None:
    """Provision learners: insert into T-book each local learner profile T-book does not know."""
    profiles = stored_profiles.learners()
    client = tbook_api.client()
    counts = {"exists": 0, "created": 0, "missing": 0, "failed": 0}
    failures: list[str] = []
    with click.progressbar(profiles, label="Syncing learners with T-book", file=sys.stderr) as bar:
        for profile in bar:
            try:
                if dry_run:
                    exists = provisioning.learner_exists(client, profile.login)
                    counts["exists" if exists else "missing"] += 1
                else:
                    counts[provisioning.ensure_learner(client, profile, correlation_id=None, link_slug=None)] += 1
            except (Unauthorized, TBookConnectionError) as err:
                raise click.ClickException(f"{err.message} (stopped after {sum(counts.values())} learners)") from err
            except TBookError as err:
                counts["failed"] += 1
                failures.append(f"{profile.login}: {err.message}")
    for failure in failures:
        click.echo(f"failed {failure}", err=True)
    if dry_run:
        click.echo(f"{counts['exists']} learner(s) in T-book, {counts['missing']} would be created (dry run)")
        return
    audit.record("sync", "partial" if failures else "ok", actor="cli", detail=counts)
    click.echo(f"{counts['created']} created, {counts['exists']} already in T-book, {counts['failed']} failed")
    if failures:
        raise SystemExit(1)
