"""The schema declares every setting the code reads, each with a default its kind accepts and one sentence."""

import re
from pathlib import Path

import pytest

from app.settings.precedence import TBOOK_SETTINGS
from app.settings.schema import BY_NAME, DERIVED, SERVER_SETTINGS, SETTINGS, is_flask_key

ROOT = Path(__file__).resolve().parents[2]
READS = re.compile(r"""\b(?:config|cfg)(?:\[|\.get\()\s*["']([A-Z][A-Z0-9_]*)["']""")


def test_every_key_the_app_reads_from_app_config_is_declared():
    read = {name for path in (ROOT / "app").rglob("*.py") for name in READS.findall(path.read_text(encoding="utf-8"))}
    assert {"GATEWAY_BASE_URL", "GATEWAY_INSTANCE_GUID", "GATEWAY_LINK_SECRET", "TBOOK_TIMEOUT"} <= read
    assert sorted(name for name in read if name not in BY_NAME and name not in DERIVED and not is_flask_key(name)) == []


def test_every_environment_name_gunicorn_reads_is_declared_with_its_default():
    conf = (ROOT / "config" / "gunicorn.conf.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""os\.environ(?:\.get\(|\[)["']([A-Z][A-Z0-9_]*)["']""", conf))
    declared = {setting.name: setting.default for setting in SERVER_SETTINGS}
    assert read - set(declared) == set()
    for name, default in re.findall(r"""os\.environ\.get\(["']([A-Z][A-Z0-9_]*)["'], ["']([^"']*)["']\)""", conf):
        assert declared[name] == default, name


def test_the_app_and_the_server_share_no_name():
    assert {s.name for s in SETTINGS} & {s.name for s in SERVER_SETTINGS} == set()
    assert not any(is_flask_key(s.name) for s in SETTINGS if s.name != "SECRET_KEY")  # SECRET_KEY is both


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_each_setting_has_a_default_its_kind_accepts_and_one_sentence(setting):
    setting.parse(setting.default)
    assert setting.doc.endswith(".") and ". " not in setting.doc, "one sentence"
    assert not (setting.secret and not setting.file), "every secret also accepts <NAME>_FILE"
    assert not setting.sandbox or setting.name in TBOOK_SETTINGS, "resolve_tbook applies the sandbox's values"
