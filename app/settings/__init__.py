"""Settings: what the gateway reads from the environment, and the T-book credentials in force."""

from app.settings.loading import TBOOK_URLS, ConfigError, load_settings

__all__ = ["TBOOK_URLS", "ConfigError", "load_settings"]
