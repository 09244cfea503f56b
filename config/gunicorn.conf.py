"""gunicorn settings for the gateway: `gunicorn -c config/gunicorn.conf.py wsgi:app`.

Every value can be changed from the environment (names below); the defaults suit one container or VM.
"""

import json
import math
import os
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from dotenv import dotenv_values
from gunicorn.glogging import Logger

# --- Workers ------------------------------------------------------------------------------------------------
# gevent workers, one process per CPU plus one, each serving up to GUNICORN_WORKER_CONNECTIONS requests at once.
# An LTI launch is CPU work and two short database statements, so more processes than cores only take turns on
# them: on 2 cores, 3 processes served 20 % more LTI launches than gunicorn's usual 2 x CPUs + 1. An /authToken
# click is the opposite: it waits 100-300 ms for T-book and computes for a few milliseconds, so a worker needs
# many clicks in flight at once. Measured on 2 cores (bench/README.md, "Waiting on T-book"): gevent carries 64
# learners clicking at once with T-book answering in 200 ms at about 200 launches/s, p50 under 300 ms, and
# costs the LTI launch nothing against sync workers; gthread (32 threads) reached 128 launches/s, p50 490 ms,
# and its thread hand-offs cost every request 300-600 µs of CPU (LTI ratio 0.54-0.58 against sync's 0.59-0.65).
# A greenlet waiting on a socket costs no CPU and holds no database connection (the click gives it back while
# it waits); psycopg 3 waits for PostgreSQL cooperatively under gevent, SQLite's calls are short and C.
# GUNICORN_WORKER_CLASS=gthread (GUNICORN_THREADS threads) and sync (one click per process) are still there.
# Capped so that a big host does not exhaust the database's connections.
_cpus = os.cpu_count() or 1
_cap = int(os.environ.get("GUNICORN_MAX_WORKERS", "8"))
workers = int(os.environ.get("GUNICORN_WORKERS", "0")) or max(1, min(_cpus + 1, _cap))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gevent")
# Per worker, with gthread (gunicorn turns sync workers with threads into gthread ones: sync keeps 1).
threads = int(os.environ.get("GUNICORN_THREADS", "32" if worker_class == "gthread" else "1"))
# Per worker, with gevent: requests served at once (each a greenlet).
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS", "256"))
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# The app's settings these depend on, as the app will read them (the environment, then `.env`).
_settings = {**dotenv_values(Path(__file__).resolve().parent.parent / ".env"), **os.environ}
# A request holds at most one database connection at a time (none while it waits for T-book), so a pool of one
# per thread means a thread never waits for another's; greenlets hold theirs for well under a millisecond on
# SQLite, and 32 let as many PostgreSQL statements be in flight at once per worker. Opened as needed, not up
# front; a request that finds them all taken waits its turn (never a deadlock: tests/ops/test_gunicorn.py).
if not _settings.get("DATABASE_POOL_SIZE"):
    _pool = threads if worker_class == "gthread" else 32 if worker_class == "gevent" else 5
    os.environ.setdefault("DATABASE_POOL_SIZE", str(_pool))  # for the workers, which read it as the app does
# A click ends by GATEWAY_CLICK_DEADLINE (default 15 s) whatever T-book does, with a page and an audit row; the
# worker timeout stays well above it, so that gunicorn never kills a worker in the middle of a click.
_click_deadline = float(_settings.get("GATEWAY_CLICK_DEADLINE") or 15)
_TIMEOUT_MARGIN = 10
if os.environ.get("GUNICORN_TIMEOUT"):
    timeout = int(os.environ["GUNICORN_TIMEOUT"])
    if timeout < _click_deadline + _TIMEOUT_MARGIN:
        raise RuntimeError(
            f"GUNICORN_TIMEOUT ({timeout} s) must be at least GATEWAY_CLICK_DEADLINE ({_click_deadline:g} s) "
            f"+ {_TIMEOUT_MARGIN} s: gunicorn would otherwise kill workers in the middle of a click"
        )
else:
    timeout = max(30, math.ceil(_click_deadline) + _TIMEOUT_MARGIN)
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then so a slow leak never grows unbounded; jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
# Linux keeps the heartbeat files in memory when /dev/shm exists (containers mount / read-mostly).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# The gateway needs no runtime control socket; one default path shared by every gunicorn on a host would clash.
control_socket_disable = True

# --- Reverse proxy ------------------------------------------------------------------------------------------
# The app's ProxyFix (GATEWAY_PROXY_HOPS) is the one place that believes X-Forwarded-*; gunicorn's own
# handling of X-Forwarded-Proto from loopback is turned off so that hops=0 really trusts nothing.
secure_scheme_headers = {}
forwarded_allow_ips = ""

# --- Logs: JSON lines on stdout -----------------------------------------------------------------------------
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Query strings may carry a signed sign-in link (`auth=`): masked in the access log like every other secret.
_SECRET_ARGS = frozenset({"auth", "token", "access_token"})


class JsonAccessLogger(Logger):
    """gunicorn's logger, with one JSON object per request in the access log."""

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = dict((name.lower(), value) for name, value in (resp.headers or []))
        query = [(k, "***" if k in _SECRET_ARGS else v) for k, v in parse_qsl(environ.get("QUERY_STRING", ""), True)]
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "type": "access",
            "remote_addr": environ.get("REMOTE_ADDR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
            "query": urlencode(query),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 3),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "correlation_id": headers.get("x-correlation-id"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(entry, ensure_ascii=False))
        except Exception:  # noqa: BLE001  (gunicorn's own access() swallows log failures the same way)
            self.exception("could not write the access log line")


logger_class = JsonAccessLogger

# --- Metrics across workers ---------------------------------------------------------------------------------
# prometheus_client's multiprocess mode: each worker writes its values to files in one directory, /metrics
# adds them up. It must be set before any worker imports prometheus_client, so it is set here, in the master.
# A directory of our own per start, so that values of a previous run are never added to this one's.
_own_metrics_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="gateway-metrics-")


def on_starting(server):
    path = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(path, exist_ok=True)
    if not _own_metrics_dir:  # a directory given to us may hold a previous run's files
        for name in os.listdir(path):
            if name.endswith(".db"):
                os.remove(os.path.join(path, name))


def child_exit(server, worker):
    from prometheus_client import multiprocess

    # A dead worker's gauges leave the live sum; its counters are kept (they still happened).
    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
