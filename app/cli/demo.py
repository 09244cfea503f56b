"""`flask demo seed`: the demo's profiles, sign-ins and links (what `make run` starts with)."""

import logging
from pathlib import Path

import click
from flask import current_app

from app.cli.errors import Group
from app.services.catalog import links
from app.services.catalog.profile_import import import_profiles
from app.services.identity import accounts
from app.store import db

DEMO_PROFILES = Path(__file__).resolve().parents[2] / "config" / "demo-profiles.csv"
DEMO_PASSWORD = "tbook-demo"  # noqa: S105  (the demo sign-in, printed by make run)
DEMO_ADMIN = ("admin@example.com", "admin-demo")  # noqa: S105
DEMO_LINKS = (
    ("open-tbook", "Open T-book", "lti", False),
    ("open-tbook-debug", "Open T-book (debug)", "lti", True),
    ("open-tbook-sso", "Open T-book (single sign-on)", "authtoken", False),
    ("open-tbook-auto", "Open T-book (automatic)", "auto", False),
)


@click.group("demo", help="Demo data for the sandbox.", cls=Group)
def group() -> None:
    pass


@group.command("seed")
def seed() -> None:
    """Load the demo profiles, sign-ins and links (idempotent); refused outside the sandbox."""
    if current_app.config["TBOOK_ENV"] != "sandbox":
        raise click.ClickException("demo data belongs to the sandbox (TBOOK_ENV=sandbox) only")
    # Seeding is audited in the database like any change; its JSON log lines would only bury the sign-ins below.
    logging.getLogger("tbook_gateway.audit").setLevel(logging.WARNING)
    report = import_profiles(DEMO_PROFILES.read_bytes(), actor="demo-seed")
    logins = [line.split(",")[0] for line in DEMO_PROFILES.read_text(encoding="utf-8").splitlines()[1:]]
    for login in logins:
        accounts.set_account(login, DEMO_PASSWORD)
    accounts.set_account(DEMO_ADMIN[0], DEMO_ADMIN[1], is_admin=True)
    db.session.commit()
    existing = {link.slug for link in links.all_links()}
    for slug, title, mode, debug in DEMO_LINKS:
        if slug not in existing:
            links.create(slug, title, mode=mode, debug=debug, actor="demo-seed")
    click.echo(f"demo data ready: {report.imported} profiles, {len(DEMO_LINKS)} links")
    click.echo(f"sign in as any of {', '.join(logins)} with the password {DEMO_PASSWORD}")
    click.echo(f"admin: {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]}")
