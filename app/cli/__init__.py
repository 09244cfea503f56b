"""`flask --app wsgi …` commands: profiles, links, launch-preview, signed-link, demo, tbook, sync, admins, audit…"""

from flask import Flask


def register_commands(app: Flask) -> None:
    from app.cli import admins, audit, demo, launch_preview, links, profiles, sessions, signed_link, sync, tbook

    app.cli.add_command(profiles.group)
    app.cli.add_command(links.group)
    app.cli.add_command(launch_preview.command)
    app.cli.add_command(signed_link.command)
    app.cli.add_command(demo.group)
    app.cli.add_command(tbook.group)
    app.cli.add_command(sync.command)
    app.cli.add_command(admins.group)
    app.cli.add_command(sessions.group)
    app.cli.add_command(audit.group)
