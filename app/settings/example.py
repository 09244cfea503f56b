"""config/example.env, written from the schema: `python -m app.settings.example > config/example.env`."""

from __future__ import annotations

import sys
import textwrap

from app.settings.schema import SERVER_SECTION, SERVER_SETTINGS, SETTINGS, Setting

WIDTH = 116
HEADER = """\
T-book Gateway settings. Copy to `.env` at the project root (read when present) or set them in the
environment; the environment wins over `.env`, and `create_app(config)` wins over both. An empty value
counts as unset. Names marked "console" may also be set in the admin console; set here, they win.
Names marked "_FILE" also accept <NAME>_FILE: a path to read the value from (Docker / Kubernetes secrets).

Written from app/settings/schema.py by `python -m app.settings.example > config/example.env`;
tests/settings/test_example.py checks that they agree: change the schema, then run that command."""


def _comment(text: str) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines():
        lines += textwrap.wrap(paragraph, WIDTH - 2, break_on_hyphens=False, drop_whitespace=True) or [""]
    return [f"# {line}".rstrip() for line in lines]


def _setting(setting: Setting, *, commented: bool) -> list[str]:
    marks = [mark for mark, on in (("secret", setting.secret), ("console", setting.console)) if on]
    if setting.file:
        marks.append("_FILE")
    doc = (f"[{', '.join(marks)}] " if marks else "") + setting.doc
    lines = _comment(doc) + (_comment(setting.note) if setting.note else [])
    return [*lines, f"{'# ' if commented else ''}{setting.name}={setting.default}"]


def _section(title: str) -> list[str]:
    rule = f"# --- {title} "
    return ["", rule + "-" * max(3, WIDTH - len(rule))]


def render() -> str:
    """Return the text of config/example.env."""
    lines = _comment(HEADER)
    section = None
    for setting in SETTINGS:
        if setting.section != section:
            section = setting.section
            lines += _section(section)
        lines += _setting(setting, commented=False)
    # The server's settings, commented out: gunicorn reads them from its own environment, never from .env.
    lines += [*_section(SERVER_SECTION), "# docs/deployment.md says more of each."]
    for setting in SERVER_SETTINGS:
        lines += _setting(setting, commented=True)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
