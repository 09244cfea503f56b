"""config/example.env and the README's configuration table agree with the schema."""

import re
from pathlib import Path

from dotenv import dotenv_values

from app.settings.example import render
from app.settings.schema import SERVER_SETTINGS, SETTINGS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config" / "example.env"
DECLARED = {s.name for s in SETTINGS + SERVER_SETTINGS}
FILES = {f"{s.name}_FILE" for s in SETTINGS if s.file}
NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


def test_example_env_is_what_the_schema_writes():
    assert EXAMPLE.read_text(encoding="utf-8") == render(), (
        "config/example.env is out of date: python -m app.settings.example > config/example.env"
    )


def test_example_env_sets_every_setting_to_its_default():
    values = dotenv_values(EXAMPLE)
    assert values == {s.name: s.default for s in SETTINGS}


def test_example_env_documents_the_servers_settings_commented_out():
    text = EXAMPLE.read_text(encoding="utf-8")
    for setting in SERVER_SETTINGS:
        assert f"\n# {setting.name}={setting.default}\n" in text


def test_example_env_names_nothing_undeclared():
    text = EXAMPLE.read_text(encoding="utf-8")
    assert set(NAME.findall(text)) - DECLARED - FILES == set()


def test_the_readme_configuration_table_names_declared_settings():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    named = {name for row in rows for name in NAME.findall(row.split("|")[1])}
    assert len(named) >= 8
    assert named - DECLARED == set()
