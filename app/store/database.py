"""The database: the declarative base, `db` and `migrate` (bound in `create_app`), and the request's transaction."""

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, text
from sqlalchemy.orm import DeclarativeBase


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


def commit() -> None:
    """Commit the request's transaction: the store's writes so far (each store function leaves its own uncommitted)."""
    db.session.commit()


def rollback() -> None:
    """Take back the store's uncommitted writes of this request."""
    db.session.rollback()


def release() -> None:
    """End this thread's session (a background job's, once it is done), giving its connection back to the pool."""
    db.session.remove()


def ping() -> None:
    """Ask the database for `SELECT 1`, then close the session (a readiness probe's). Raises SQLAlchemyError."""
    try:
        db.session.execute(text("SELECT 1"))
    finally:
        db.session.remove()
