"""Reading the learner profile that an LTI launch carries in ``custom_data`` (minified JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sandbox.errors import ApiError
from sandbox.fields import check_login, clean_fields
from sandbox.lti_verify import LaunchRefused

#: Required keys of custom_data, from the LTI table of tbook-api.md.
REQUIRED = ("entityID", "connectionType", "login", "civility", "lastname", "firstname")


@dataclass
class LaunchProfile:
    """Who the launch signs in, and the learner fields to create or update them with."""

    entity_id: str
    connection_type: str
    login: str
    fields: dict[str, object]

    @property
    def external_id(self) -> str:
        """Return the externalID sent, or an empty string."""
        return str(self.fields.get("externalID", ""))


def parse_custom_data(raw: str | None) -> LaunchProfile:
    """Return the profile in ``custom_data``; raise LaunchRefused naming what is missing or invalid."""
    if not raw:
        raise LaunchRefused("The launch has no custom_data: T-book needs the learner profile there.")
    try:
        data = json.loads(raw)
    except ValueError:
        raise LaunchRefused("custom_data is not valid JSON.") from None
    if not isinstance(data, dict):
        raise LaunchRefused("custom_data must be a JSON object.")
    try:
        fields = clean_fields(data, required=REQUIRED)
        login = check_login(data["login"])
    except ApiError as err:
        raise LaunchRefused(f"custom_data: {err.message}.") from None
    connection_type = data["connectionType"]
    if connection_type not in ("login", "id"):
        raise LaunchRefused("custom_data: connectionType must be login or id.")
    if connection_type == "id" and not fields.get("externalID"):
        raise LaunchRefused("custom_data: externalID is required when connectionType is id.")
    if not isinstance(data["entityID"], str | int) or isinstance(data["entityID"], bool):
        raise LaunchRefused("custom_data: entityID must be a number.")
    return LaunchProfile(str(data["entityID"]), connection_type, login, fields)
