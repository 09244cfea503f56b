"""gunicorn settings for the gateway: `gunicorn -c config/gunicorn.conf.py wsgi:app`.

Every value can be changed from the environment (names below); the defaults suit one container or VM.
"""

import json
import os
import shutil
import tempfile
import time
from urllib.parse import parse_qsl, urlencode

from gunicorn.glogging import Logger

# --- Workers ------------------------------------------------------------------------------------------------
# Sync workers, one per CPU plus one: an LTI launch is CPU work and two short database statements, so more
# processes than cores only take turns on them. Measured on 2 cores (bench/README.md): 3 workers served 20 %
# more launches than gunicorn's usual 2 x CPUs + 1, with a lower p99, on SQLite and on PostgreSQL. Capped so
# that a big host does not exhaust the database's connections. A site whose links mostly use /authToken (each
# click waits for two T-book calls) wants more concurrency: GUNICORN_WORKERS, or gthread workers with threads.
_cpus = os.cpu_count() or 1
_cap = int(os.environ.get("GUNICORN_MAX_WORKERS", "8"))
workers = int(os.environ.get("GUNICORN_WORKERS", "0")) or max(1, min(_cpus + 1, _cap))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))  # per worker, with GUNICORN_WORKER_CLASS=gthread
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
# T-book calls time out after TBOOK_TIMEOUT (10 s) with bounded retries; a worker stuck longer is killed.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
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
