"""What a launch tells T-book about the gateway itself: an instance GUID that never changes."""

from __future__ import annotations

from flask import current_app

from app.store import instance_identity

_GUID = "tbook_gateway.instance_guid"


def instance_guid() -> str:
    """Return GATEWAY_INSTANCE_GUID, else the GUID stored at the first launch (read once per process).

    Never the request's host: a Tool Provider keys its records on this value, and the gateway answers on
    several names (the intranet's, a proxy's, localhost).
    """
    configured = current_app.config["GATEWAY_INSTANCE_GUID"]
    if configured:
        return configured
    guid = current_app.extensions.get(_GUID)
    if guid is None:
        guid = current_app.extensions[_GUID] = instance_identity.instance_guid()
    return guid
