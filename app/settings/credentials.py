"""Which T-book endpoints and credentials the gateway uses right now: the environment, else the console."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Flask, current_app

from app.settings.precedence import TBOOK_SETTINGS, Resolved, resolve_tbook
from app.settings.schema import BY_NAME
from app.store import console_settings as settings_store

ENVIRONMENTS = ("sandbox", "test", "live")
SECRETS = tuple(name for name in TBOOK_SETTINGS if BY_NAME[name].console and BY_NAME[name].secret)
_GIVEN = "tbook_gateway.settings_given"
_CURRENT = "tbook_gateway.credentials"


@dataclass(frozen=True)
class TBookCredentials:
    """T-book's URLs and credentials; the secrets are kept out of `repr`."""

    env: str
    api_url: str
    lti_url: str
    client_id: str
    lti_key: str
    client_secret: str = field(repr=False)
    lti_secret: str = field(repr=False)

    @property
    def lti_configured(self) -> bool:
        return bool(self.lti_url and self.lti_key and self.lti_secret)


def init_app(app: Flask, given: dict[str, object]) -> None:
    """Keep T-book's settings the environment (or create_app's config) gave: they win over the console."""
    app.extensions[_GIVEN] = given


def resolve(stored: dict[str, settings_store.StoredSetting] | None = None) -> dict[str, Resolved]:
    """Return each console setting with its value in force and its source (`stored`: the stored settings)."""
    stored = settings_store.all_stored() if stored is None else stored
    resolved = resolve_tbook(current_app.extensions[_GIVEN], stored)
    return {name: value for name, value in resolved.items() if BY_NAME[name].console}


def current() -> TBookCredentials:
    """Return the credentials in force: environment and create_app config win, else the admin console.

    Worked out again only when the stored settings were read again (the settings cache holds them a few
    seconds, and drops them when one changes): every click asks.
    """
    stored = settings_store.all_stored()
    cached = current_app.extensions.get(_CURRENT)
    if cached is not None and cached[0] is stored:
        return cached[1]
    credentials = in_force(stored)
    current_app.extensions[_CURRENT] = (stored, credentials)
    return credentials


def in_force(stored: dict[str, settings_store.StoredSetting]) -> TBookCredentials:
    """Return the credentials these stored console settings put in force (e.g. values about to be saved)."""
    values = resolve_tbook(current_app.extensions[_GIVEN], stored)
    return TBookCredentials(
        env=values["TBOOK_ENV"].value,
        api_url=values["TBOOK_API_URL"].value,
        lti_url=values["TBOOK_LTI_URL"].value,
        client_id=values["TBOOK_CLIENT_ID"].value,
        lti_key=values["TBOOK_LTI_KEY"].value,
        client_secret=values["TBOOK_CLIENT_SECRET"].value,
        lti_secret=values["TBOOK_LTI_SECRET"].value,
    )
