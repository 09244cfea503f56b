"""`flask audit verify|purge`: the audit log's hash chain and its retention."""

from datetime import UTC, datetime

import click

from app.cli.errors import Group
from app.services.audit import queries as audit_queries
from app.services.audit import trail as audit


@click.group("audit", help="The tamper-evident audit log.", cls=Group)
def group() -> None:
    pass


@group.command("verify")
def verify() -> None:
    """Check every event's hash and its link to the previous one; exit 1 at the first break."""
    checked, broken = audit.verify_chain()
    if broken is None:
        click.echo(f"audit chain intact: {checked} event(s) verified")
        return
    where = f"event #{broken.event_id} ({broken.created_at.isoformat()})" if broken.event_id else "the chain's end"
    click.echo(f"audit chain BROKEN at {where}: {broken.reason}; {checked} event(s) before it hold", err=True)
    raise SystemExit(1)


@group.command("purge")
@click.option("--before", "before", required=True, type=click.DateTime(["%Y-%m-%d"]), help="UTC date, YYYY-MM-DD.")
@click.option("--dry-run", is_flag=True, help="Say how many events would go, delete nothing.")
def purge(before: datetime, dry_run: bool) -> None:
    """Delete the events older than DATE (retention); the purge itself is audited."""
    before = before.replace(tzinfo=UTC)
    count = audit_queries.purge(before, actor="cli", dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    click.echo(f"{verb} {count} audit event(s) before {before.date().isoformat()}")
