"""Persistence: the database, its models, engine tuning, the launch's hot path, and the stores services call.

Services build no SQL: they call the named functions of these modules and get typed, frozen views
(`store.views`). Store functions that write leave their writes uncommitted; the service decides with
`store.commit()` or `store.rollback()`, so that a change and its audit event are one transaction. Four stores
are their own transactions: the click's audit append (`audit_log`), one-time values (`nonces`), T-book's
token cache (`token_cache`, on connections of its own), and the sync's runs and lock (`sync_runs`, likewise).

- `database`: `db`, the declarative base, `migrate`, the request's transaction; `models`: the tables;
  `engine`: SQLite's pragmas and the idle ping; `views`: `LinkView`, `ProfileView`, `AccountView`.
- The click: `hot_path` (a pooled driver connection, statements compiled once), `launch_reads` (its one joined
  read), `audit_log` (the hash chains and their append), `sqlite_writer` (SQLite's writer turn, checkpoints).
- Catalog and identity: `links`, `profiles`, `accounts`.
- The audit log's reads: `audit_events` (admin pages, export, retention), `audit_counts` (dashboard, sign-ins).
- Small stores: `console_settings`, `secrets_box`, `token_cache`, `nonces`, `instance_identity` (the lasting LTI
  instance GUID), `sync_runs` (the sync's runs, and the lock that lets one run at a time), `profile_uploads`
  (uploaded CSVs kept for their check, import and progress).
"""

from app.store.database import Base, commit, db, migrate, release, rollback

__all__ = ["Base", "commit", "db", "migrate", "release", "rollback"]
