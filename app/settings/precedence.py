"""Where a setting's value comes from: the environment (or create_app's config) > the admin console > defaults.

`pick` is the one rule; `resolve_tbook` applies it to T-book's settings, whose defaults depend on each other
(the sandbox's credentials, the LTI key from the client id, the URLs from the environment). The start-up uses
it without the console (the database may not even exist yet: `flask db upgrade` builds the app too), and
`credentials` uses it with the console's stored values on each settings read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from app.settings.schema import BY_NAME, TBOOK_URLS

ENVIRONMENT = "environment"
CONSOLE = "console"
SANDBOX_DEFAULT = "sandbox default"
DERIVED = "derived"
DEFAULT = "default"
UNSET = "unset"

TBOOK_SETTINGS = (
    "TBOOK_ENV",
    "TBOOK_CLIENT_ID",
    "TBOOK_CLIENT_SECRET",
    "TBOOK_LTI_KEY",
    "TBOOK_LTI_SECRET",
    "TBOOK_API_URL",
    "TBOOK_LTI_URL",
)


class Stored(Protocol):
    """What `pick` needs of a console setting as stored (app.store.console_settings.StoredSetting has it)."""

    value: str | None


@dataclass(frozen=True)
class Resolved:
    """One setting's value in force and where it comes from (one of the names above); `stored` is the console's
    row for it, if any, even when another source wins."""

    name: str
    value: Any
    source: str
    stored: Any = None

    @property
    def secret(self) -> bool:
        return BY_NAME[self.name].secret


def pick(
    name: str, given: Mapping[str, Any], stored: Mapping[str, Stored], fallback: Resolved | None = None
) -> Resolved:
    """Return `name`'s value in force: given (environment or create_app's config) > console > `fallback` > unset.

    `given` holds the names the environment or create_app's config set; an empty value there counts as unset.
    Only settings the schema marks console-editable are taken from `stored`.
    """
    row = stored.get(name)
    value = given.get(name)
    if value not in (None, ""):
        return Resolved(name, value, ENVIRONMENT, row)
    if row is not None and row.value and BY_NAME[name].console:
        return Resolved(name, row.value, CONSOLE, row)
    if fallback is not None:
        return fallback
    return Resolved(name, "", UNSET, row)


def resolve_tbook(given: Mapping[str, Any], stored: Mapping[str, Stored]) -> dict[str, Resolved]:
    """Return T-book's environment, credentials and URLs in force (TBOOK_SETTINGS), each with its source.

    `given` holds typed values (TBOOK_ENV lower-case, TBOOK_API_URL without its trailing slash).
    """
    default_env = BY_NAME["TBOOK_ENV"].default
    env = pick("TBOOK_ENV", given, stored, Resolved("TBOOK_ENV", default_env, DEFAULT))
    resolved = {"TBOOK_ENV": env}
    for name in (name for name in TBOOK_SETTINGS if BY_NAME[name].sandbox):  # the client id, client secret, LTI secret
        # The sandbox's well-known credentials only make sense against the sandbox. A name create_app's config
        # gives empty means "none" (a gateway without an LTI secret), not "the sandbox's".
        sandbox = BY_NAME[name].sandbox if env.value == "sandbox" and name not in given else ""
        resolved[name] = pick(name, given, stored, Resolved(name, sandbox, SANDBOX_DEFAULT) if sandbox else None)
    client_id = resolved["TBOOK_CLIENT_ID"].value
    derived_key = Resolved("TBOOK_LTI_KEY", client_id, DERIVED) if client_id else None
    resolved["TBOOK_LTI_KEY"] = pick("TBOOK_LTI_KEY", given, stored, derived_key)
    api_url = pick("TBOOK_API_URL", given, stored, Resolved("TBOOK_API_URL", TBOOK_URLS.get(env.value, ""), DERIVED))
    resolved["TBOOK_API_URL"] = api_url
    lti_url = Resolved("TBOOK_LTI_URL", f"{api_url.value}/lti", DERIVED)
    resolved["TBOOK_LTI_URL"] = pick("TBOOK_LTI_URL", given, stored, lti_url)
    return resolved
