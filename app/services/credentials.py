"""Which T-book endpoints and credentials the gateway uses right now."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app


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


def current() -> TBookCredentials:
    """Return the credentials in force, from the app's settings."""
    cfg = current_app.config
    return TBookCredentials(
        env=cfg["TBOOK_ENV"],
        api_url=cfg["TBOOK_API_URL"],
        lti_url=cfg["TBOOK_LTI_URL"],
        client_id=cfg.get("TBOOK_CLIENT_ID") or "",
        lti_key=cfg.get("TBOOK_LTI_KEY") or "",
        client_secret=cfg.get("TBOOK_CLIENT_SECRET") or "",
        lti_secret=cfg.get("TBOOK_LTI_SECRET") or "",
    )
