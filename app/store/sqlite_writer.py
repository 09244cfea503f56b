"""Writers to one SQLite file take turns behind a file lock, and a waiting writer wakes as soon as it is free;
the WAL is checkpointed outside that turn.

SQLite lets one writer in at a time; the others get SQLITE_BUSY and its busy handler puts them to sleep for
1, 2, 5, 10 … ms before they try again, whatever the time the writer needs (a click's audit write holds the lock
for about 0.1 ms). Under a burst most of the gunicorn workers were asleep in that back-off while the CPU sat
idle (bench/README.md). `flock` queues them in the kernel instead, which wakes the next one at once. It only
orders the hot writers: SQLite's own locks still guard the file for everyone else.

SQLite checkpoints the WAL into the database file from inside the COMMIT that crosses its threshold, fsync
included: inside the turn, every other writer queued behind that fsync. The click path checkpoints itself,
after its turn, every CHECKPOINT_EVERY commits of the process (`checkpoint_due`); the automatic checkpoint stays
as a safety net at a higher threshold (app/store/engine.py).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

CHECKPOINT_EVERY = 100  # click commits of one process between two of its checkpoints
AUTO_CHECKPOINT_PAGES = 10_000  # SQLite's own checkpoint, for the WAL that other writes grow (default 1000)

_files: dict[str, tuple[int, int]] = {}  # lock path -> (pid, descriptor): a forked worker opens its own
_opening = threading.Lock()
_commits = {"pid": 0, "count": 0}


def _descriptor(path: str) -> int:
    held = _files.get(path)
    if held is None or held[0] != os.getpid():
        with _opening:  # threads of a gthread worker: one descriptor per process
            held = _files.get(path)
            if held is None or held[0] != os.getpid():
                held = _files[path] = (os.getpid(), os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
    return held[1]


@contextmanager
def write_turn(database: str | None) -> Iterator[None]:
    """Hold this process's turn to write the SQLite file `database` (no turn for an in-memory database).

    The turn is between processes: the threads of one process share its descriptor, and take turns on their
    audit chain's lock instead (app/store/audit_log.py).
    """
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    fd = _descriptor(f"{database}-writer.lock")
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)


def checkpoint_due() -> bool:
    """Count one commit of this process; True every CHECKPOINT_EVERY commits."""
    if _commits["pid"] != os.getpid():
        _commits.update(pid=os.getpid(), count=0)
    _commits["count"] += 1
    return _commits["count"] % CHECKPOINT_EVERY == 0
