"""Settings tests start from an environment that sets none of the gateway's settings (the host's may)."""

import pytest

from app.settings.schema import SETTINGS


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for setting in SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
        monkeypatch.delenv(f"{setting.name}_FILE", raising=False)
