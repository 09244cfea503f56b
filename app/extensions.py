"""Flask extensions, created unbound here and bound to the app in `create_app`."""

from flask import Flask, g
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from app.click_db import ClickConnection


class Base(DeclarativeBase):
    # Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


# Objects stay loaded after a commit: a launch commits its audit event and then renders the link it loaded,
# and expiring it would cost one more SELECT per click for data that cannot have changed within the request.
# Sessions live for one request (or one CLI command), so nothing stale outlives it.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
csrf = CSRFProtect()


_CONNECTION = "_click_connection"


def click_connection() -> ClickConnection:
    """Return this request's click connection (app/click_db.py), opened on first use, closed with the request."""
    connection = g.get(_CONNECTION)
    if connection is None:
        connection = ClickConnection(db.engine)
        setattr(g, _CONNECTION, connection)
    return connection


def init_click_connections(app: Flask) -> None:
    @app.teardown_appcontext
    def _close_click_connection(_exc: BaseException | None) -> None:
        connection = g.pop(_CONNECTION, None)
        if connection is not None:
            connection.close()
