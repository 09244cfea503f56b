"""`flask audit verify|anchor|purge`: the audit log's sealed hash chains, their anchors, and retention."""

import json
from datetime import UTC, datetime

import click

from app.cli.errors import Group
from app.services.audit import queries as audit_queries
from app.services.audit import seal
from app.services.audit import trail as audit


@click.group("audit", help="The tamper-evident audit log.", cls=Group)
def group() -> None:
    pass


@group.command("verify")
@click.option(
    "--anchor",
    "anchor_file",
    type=click.File("r"),
    help="An anchor from `flask audit anchor`: also find every anchored chain, at least as long, unchanged.",
)
@click.option(
    "--allow-unkeyed",
    is_flag=True,
    help="Accept chains written before GATEWAY_AUDIT_KEY was set (their hashes are not keyed).",
)
def verify(anchor_file, allow_unkeyed: bool) -> None:
    """Check every event's seal and its link to the previous one (and the anchor); exit 1 at the first break."""
    anchored = None
    if anchor_file is not None:
        try:
            anchored = json.load(anchor_file)
        except ValueError as err:
            raise click.ClickException(f"{anchor_file.name} is not JSON: {err}") from err
    checked, broken = audit.verify_chain(allow_unkeyed=allow_unkeyed)
    if broken is not None:
        where = f"event #{broken.event_id} ({broken.created_at.isoformat()})" if broken.event_id else "the chain's end"
        click.echo(f"audit chain BROKEN at {where}: {broken.reason}; {checked} event(s) before it hold", err=True)
        raise SystemExit(1)
    if anchored is not None:
        try:
            problems = audit.verify_anchor(anchored)
        except seal.AnchorError as err:
            raise click.ClickException(f"the anchor cannot be used: {err}") from err
        if problems:
            for problem in problems:
                click.echo(f"audit log CHANGED since the anchor of {anchored.get('at')}: {problem}", err=True)
            raise SystemExit(1)
        click.echo(f"every chain of the anchor of {anchored.get('at')} is still there, unchanged")
    click.echo(f"audit chain intact: {checked} event(s) verified")


@group.command("anchor")
def anchor() -> None:
    """Print a signed anchor of every chain head (JSON): keep it outside the database, for `verify --anchor`."""
    try:
        taken = audit.anchor()
    except seal.AnchorError as err:
        raise click.ClickException(str(err)) from err
    click.echo(json.dumps(taken, sort_keys=True))


@group.command("purge")
@click.option("--before", "before", required=True, type=click.DateTime(["%Y-%m-%d"]), help="UTC date, YYYY-MM-DD.")
@click.option("--dry-run", is_flag=True, help="Say how many events would go, delete nothing.")
def purge(before: datetime, dry_run: bool) -> None:
    """Delete the events older than DATE (retention); the purge itself is audited."""
    before = before.replace(tzinfo=UTC)
    count = audit_queries.purge(before, actor="cli", dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {count} audit event(s) before {before.date().isoformat()}")
