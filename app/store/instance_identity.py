"""The gateway's lasting identity as an LTI Tool Consumer, made at the first launch and kept in the database."""

from __future__ import annotations

import uuid

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from app.store.database import db
from app.store.models import Setting

GUID_KEY = "lti.instance_guid"


def instance_guid() -> str:
    """Return the stored instance GUID, storing a new random one the first time (every instance reads the same).

    On a connection of its own, so that the caller's transaction is neither committed nor rolled back here.
    """
    query = select(Setting.value).where(Setting.key == GUID_KEY)
    with db.engine.connect() as connection:
        found = connection.execute(query).scalar()
        if found:
            return found
        try:
            connection.execute(insert(Setting).values(key=GUID_KEY, value=uuid.uuid4().hex, encrypted=False))
            connection.commit()
        except IntegrityError:
            connection.rollback()  # another instance stored one first: that one stands
        return connection.execute(query).scalar_one()
