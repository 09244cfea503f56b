"""Persistence: the database, its models, engine tuning, the launch's hot path and the stores on top of them.

Offers `db` and `migrate` here; the models in `store.models`; the click's connection in `store.hot_path`
(statements compiled once, a pooled driver connection); SQLite's writer turn in `store.sqlite_writer`; and the
small stores the services use: console settings, secrets at rest, T-book's token cache, one-time values.
"""

from app.store.database import Base, db, migrate

__all__ = ["Base", "db", "migrate"]
