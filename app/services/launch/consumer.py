"""What a launch tells T-book about the gateway itself: an instance GUID that never changes."""

from __future__ import annotations

from flask import current_app

from app.store import instance_identity
from app.store.hot_path import release_idle_hot_connection

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
        # Read on a connection of its own, so the click gives its own back first: a request never holds two.
        # Otherwise the first clicks of a fresh worker, arriving together, each held one and waited for a
        # second until the pool's timeout (seen with gevent, 40 new learners, a pool of 2 + 10).
        release_idle_hot_connection()
        guid = current_app.extensions[_GUID] = instance_identity.instance_guid()
    return guid
