"""`flask links create|list|edit|disable|enable|delete`: launch links, each change audited."""

import json

import click
from flask import current_app

from app.cli.errors import Group
from app.services.catalog import links


@click.group("links", help="Launch links (/launch/<slug>).", cls=Group)
def group() -> None:
    pass


@group.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="What the intranet button says.")
@click.option("--mode", type=click.Choice(links.MODES), default="lti", show_default=True, help=links.MODE_HELP)
@click.option("--debug", is_flag=True, help="Send custom_debug=1 and open the launch preview.")
@click.option(
    "--connection-type",
    type=click.Choice(links.CONNECTION_TYPES),
    default="login",
    show_default=True,
    help=links.CONNECTION_TYPE_HELP,
)
@click.option("--new-window", is_flag=True, help="T-book opens in a new window.")
@click.option("--description", default="", help="Sent to T-book as resource_link_description.")
@click.option(
    "--no-lis-person", "no_lis_person", is_flag=True, help="Leave lis_person_* out (custom_data keeps the profile)."
)
def create(
    slug: str,
    title: str,
    mode: str,
    debug: bool,
    connection_type: str,
    new_window: bool,
    description: str,
    no_lis_person: bool,
) -> None:
    """Create the launch link SLUG."""
    link = links.create(
        slug,
        title,
        mode=mode,
        debug=debug,
        connection_type=connection_type,
        new_window=new_window,
        description=description,
        send_lis_person=not no_lis_person,
        actor="cli",
    )
    click.echo(f"created /launch/{link.slug} ({link.mode}{', debug' if link.debug else ''})")


@group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the links as JSON.")
def list_links(as_json: bool) -> None:
    """List every launch link."""
    rows = links.all_links()
    if as_json:
        click.echo(json.dumps([links.describe(link) for link in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no launch links yet: flask --app wsgi links create SLUG --title TITLE")
    for link in rows:
        flags = ", ".join(
            f
            for f, on in (
                ("debug", link.debug),
                ("new window", link.new_window),
                ("no lis_person", not link.send_lis_person),
                ("DISABLED", not link.enabled),
            )
            if on
        )
        click.echo(
            f"/launch/{link.slug:<24} {link.mode:<9} {link.connection_type:<5} {link.title}"
            + (f"  [{flags}]" if flags else "")
        )


@group.command("edit")
@click.argument("slug")
@click.option("--title", help="What the intranet button says.")
@click.option("--mode", type=click.Choice(links.MODES), help=links.MODE_HELP)
@click.option("--debug/--no-debug", default=None, help="Send custom_debug=1 and open the launch preview, or not.")
@click.option("--connection-type", type=click.Choice(links.CONNECTION_TYPES), help=links.CONNECTION_TYPE_HELP)
@click.option("--new-window/--same-window", default=None, help="T-book opens in a new window, or in the same one.")
@click.option("--description", help="Sent to T-book as resource_link_description (an empty text removes it).")
@click.option("--lis-person/--no-lis-person", default=None, help="Send LTI's lis_person_* fields, or leave them out.")
def edit(slug: str, **given) -> None:
    """Change the settings of SLUG; what is not given stays (the slug itself never changes)."""
    current = links.describe(links.find(slug))
    lis_person = given.pop("lis_person")
    given["send_lis_person"] = lis_person
    wanted = {name: current[name] if value is None else value for name, value in given.items()}
    link = links.update(slug, **wanted, actor="cli")
    changed = [name for name in wanted if wanted[name] != current[name]]
    if not changed:
        click.echo(f"/launch/{slug} unchanged")
        return
    click.echo(f"saved /launch/{link.slug}: " + ", ".join(f"{name} {wanted[name]}" for name in changed))


@group.command("delete")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete(slug: str, yes: bool) -> None:
    """Delete SLUG, after saying what that changes; its audit history stays."""
    facts = links.consequences(slug)
    url = f"{current_app.config['GATEWAY_BASE_URL']}/launch/{slug}"
    if not yes:
        for line in facts.of_deleting(url):
            click.echo(f"- {line}", err=True)
        click.confirm(f"Delete the launch link {slug}?", abort=True, err=True)
    links.delete(slug, actor="cli")
    click.echo(f"deleted /launch/{slug}")


@group.command("disable")
@click.argument("slug")
def disable(slug: str) -> None:
    """Disable SLUG: learners read "temporarily unavailable" until it is enabled again."""
    _set(slug, False)


@group.command("enable")
@click.argument("slug")
def enable(slug: str) -> None:
    """Enable SLUG again."""
    _set(slug, True)


def _set(slug: str, enabled: bool) -> None:
    links.set_enabled(slug, enabled, actor="cli")
    click.echo(f"{'enabled' if enabled else 'disabled'} /launch/{slug}")
