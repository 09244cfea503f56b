"""`flask profiles import|list|export|delete`: learner and teacher profiles, each change audited."""

import json
import sys
from pathlib import Path

import click

from app.cli.errors import Group
from app.services.catalog import profile_admin, profile_export
from app.services.catalog.profile_import import import_profiles


@click.group("profiles", help="Learner and teacher profiles.", cls=Group)
def group() -> None:
    pass


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report, but write nothing.")
def import_command(file: Path, dry_run: bool) -> None:
    """Import profiles from FILE (CSV; header row = T-book field names; `|` between values)."""
    data = file.read_bytes()
    rows = max(data.count(b"\n") - 1, 1)

    def progress(reader):
        with click.progressbar(reader, length=rows, label=f"Importing {file.name}", file=sys.stderr) as bar:
            yield from bar

    report = import_profiles(data, dry_run=dry_run, actor="cli", progress=progress)
    for error in report.errors:
        click.echo(f"rejected {error}", err=True)
    verb = "would import" if dry_run else "imported"
    click.echo(
        f"{verb} {report.imported} profile(s): {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged; {report.rejected} row(s) rejected"
        + (" (dry run: nothing written)" if dry_run else "")
        + f"; read as {report.encoding}"
    )
    if report.errors:
        raise SystemExit(1)


@group.command("list")
@click.argument("query", required=False, default="")
@click.option("--page", default=1, show_default=True, help="Which page of 25.")
@click.option("--json", "as_json", is_flag=True, help="Print the profiles as JSON (T-book field names).")
def list_profiles(query: str, page: int, as_json: bool) -> None:
    """List the profiles whose login, name or external id contains QUERY (all without one), by login."""
    results = profile_admin.search(query, page)
    if as_json:
        body = {
            "total": results.total,
            "page": results.number,
            "pages": results.pages,
            "profiles": [profile_admin.as_fields(p) for p in results.profiles],
        }
        click.echo(json.dumps(body, indent=2, ensure_ascii=False))
        return
    for p in results.profiles:
        click.echo(f"{p.login:<40} {p.full_name:<30} {p.user_type:<8} entity {p.entity_id}")
    click.echo(f"{results.total} profile(s); page {results.number} of {results.pages}", err=True)


@group.command("export")
@click.argument("query", required=False, default="")
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8", lazy=True),
    default="-",
    help="Where to write the CSV (standard output by default).",
)
def export(query: str, output) -> None:
    """Write the profiles (those matching QUERY, or all) as CSV, in the format `profiles import` reads."""
    for chunk in profile_export.export_csv(query):
        output.write(chunk)


@group.command("delete")
@click.argument("login")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(login: str, yes: bool) -> None:
    """Delete the profile of LOGIN, after saying what that changes; audited with the profile as it was."""
    profile = profile_admin.find(login)
    if not yes:
        for line in profile_admin.consequences(profile.id).of_deleting():
            click.echo(f"- {line}", err=True)
        click.confirm(f"Delete the profile of {profile.login}?", abort=True, err=True)
    click.echo(f"deleted the profile of {profile_admin.delete(profile.id, actor='cli')}")
