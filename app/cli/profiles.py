"""`flask profiles import FILE.csv [--dry-run]`."""

import sys
from pathlib import Path

import click

from app.cli.errors import Group
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
        f"{report.unchanged} unchanged; {len(report.errors)} row(s) rejected"
        + (" (dry run: nothing written)" if dry_run else "")
    )
    if report.errors:
        raise SystemExit(1)
