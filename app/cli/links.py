"""`flask links create|list|disable|enable`."""

import click

from app.cli.errors import Group
from app.services.catalog import links


@click.group("links", help="Launch links (/launch/<slug>).", cls=Group)
def group() -> None:
    pass


MODE_HELP = (
    "How a click signs the learner in. lti: the signed LTI 1.1 launch (needs the LTI shared secret). "
    "authtoken: T-book's /authToken sign-in, the learner created in T-book first if missing. "
    "auto: LTI, falling back to /authToken when LTI is not configured, the profile lacks what LTI needs, "
    "or T-book refuses the launch (once per click)."
)
CONNECTION_TYPE_HELP = "How T-book finds the learner: by login (e-mail), or by id (the profile's externalID)."


@group.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="What the intranet button says.")
@click.option("--mode", type=click.Choice(links.MODES), default="lti", show_default=True, help=MODE_HELP)
@click.option("--debug", is_flag=True, help="Send custom_debug=1 and open the launch preview.")
@click.option(
    "--connection-type",
    type=click.Choice(links.CONNECTION_TYPES),
    default="login",
    show_default=True,
    help=CONNECTION_TYPE_HELP,
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
def list_links() -> None:
    """List every launch link."""
    rows = links.all_links()
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


@group.command("disable")
@click.argument("slug")
def disable(slug: str) -> None:
    """Disable SLUG: it answers 404 until enabled again."""
    _set(slug, False)


@group.command("enable")
@click.argument("slug")
def enable(slug: str) -> None:
    """Enable SLUG again."""
    _set(slug, True)


def _set(slug: str, enabled: bool) -> None:
    links.set_enabled(slug, enabled, actor="cli")
    click.echo(f"{'enabled' if enabled else 'disabled'} /launch/{slug}")
