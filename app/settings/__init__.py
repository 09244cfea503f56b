"""Settings: one declared schema, read once at start-up, and the T-book credentials in force.

`schema` declares every setting; `kinds` types them; `precedence` decides environment > console > defaults;
`loading` reads them at start-up into app.config; `credentials` adds the admin console's values per request;
`example` writes config/example.env from the schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from app.settings import credentials
from app.settings.kinds import ConfigError
from app.settings.loading import load_settings
from app.settings.schema import TBOOK_URLS

__all__ = ["TBOOK_URLS", "ConfigError", "init_app", "load_settings"]


def init_app(app: Flask, config: Mapping[str, Any] | None = None) -> None:
    """Put the declared settings in app.config; `config` takes the environment's names and wins over it.

    Raises ConfigError naming the setting when one is unknown or malformed, or production lacks a secret.
    """
    loaded = load_settings(config, app.instance_path)
    app.config.update(loaded.config)
    credentials.init_app(app, loaded.tbook_given)
