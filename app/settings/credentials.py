"""Which T-book endpoints and credentials the gateway uses right now: the environment, else the console."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from app.settings.loading import TBOOK_URLS
from app.store import console_settings as settings_store

ENVIRONMENTS = ("sandbox", "test", "live")
SECRETS = ("TBOOK_CLIENT_SECRET", "TBOOK_LTI_SECRET")


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


@dataclass(frozen=True)
class Resolved:
    """One console setting's value in force and where it comes from: environment, sandbox default,
    console, derived (e.g. the LTI key from the client id) or unset."""

    name: str
    value: str
    source: str
    stored: settings_store.StoredSetting | None = None

    @property
    def secret(self) -> bool:
        return self.name in SECRETS


def resolve(stored: dict[str, settings_store.StoredSetting] | None = None) -> dict[str, Resolved]:
    """Return each console setting with its value in force and its source (`stored`: the stored settings)."""
    cfg = current_app.config
    explicit = cfg.get("GATEWAY_EXPLICIT_SETTINGS", frozenset())
    stored = settings_store.all_stored() if stored is None else stored

    def pick(name: str, fallback: Resolved | None = None) -> Resolved:
        row = stored.get(name)
        if name in explicit:
            return Resolved(name, str(cfg.get(name) or ""), "environment", row)
        if row is not None and row.value:
            return Resolved(name, row.value, "console", row)
        if fallback is not None:
            return fallback
        return Resolved(name, "", "unset", row)

    env = pick("TBOOK_ENV", Resolved("TBOOK_ENV", cfg["TBOOK_ENV"], "default"))
    resolved = {"TBOOK_ENV": env}
    for name in ("TBOOK_CLIENT_ID", "TBOOK_CLIENT_SECRET", "TBOOK_LTI_SECRET"):
        # config.py fills in the sandbox's well-known credentials; they only make sense against the sandbox.
        default = cfg.get(name) if env.value == "sandbox" and cfg["TBOOK_ENV"] == "sandbox" else ""
        resolved[name] = pick(name, Resolved(name, default, "sandbox default") if default else None)
    client_id = resolved["TBOOK_CLIENT_ID"].value
    resolved["TBOOK_LTI_KEY"] = pick(
        "TBOOK_LTI_KEY", Resolved("TBOOK_LTI_KEY", client_id, "derived") if client_id else None
    )
    return resolved


_CURRENT = "tbook_gateway.credentials"


def current() -> TBookCredentials:
    """Return the credentials in force: environment and create_app config win, else the admin console.

    Worked out again only when the stored settings were read again (the settings cache holds them a few
    seconds, and drops them when one changes): every click asks.
    """
    stored = settings_store.all_stored()
    cached = current_app.extensions.get(_CURRENT)
    if cached is not None and cached[0] is stored:
        return cached[1]
    credentials = _current(stored)
    current_app.extensions[_CURRENT] = (stored, credentials)
    return credentials


def _current(stored: dict[str, settings_store.StoredSetting]) -> TBookCredentials:
    cfg = current_app.config
    values = resolve(stored)
    env = values["TBOOK_ENV"].value
    explicit = cfg.get("GATEWAY_EXPLICIT_SETTINGS", frozenset())
    api_url = cfg["TBOOK_API_URL"] if "TBOOK_API_URL" in explicit or env == cfg["TBOOK_ENV"] else TBOOK_URLS[env]
    lti_url = cfg["TBOOK_LTI_URL"] if "TBOOK_LTI_URL" in explicit else f"{api_url.rstrip('/')}/lti"
    return TBookCredentials(
        env=env,
        api_url=api_url,
        lti_url=lti_url,
        client_id=values["TBOOK_CLIENT_ID"].value,
        lti_key=values["TBOOK_LTI_KEY"].value,
        client_secret=values["TBOOK_CLIENT_SECRET"].value,
        lti_secret=values["TBOOK_LTI_SECRET"].value,
    )
