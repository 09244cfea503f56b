"""`make bench`: the gateway under gunicorn with production settings, measured against its own static page.

For each database (SQLite, PostgreSQL) it starts the T-book sandbox and the gateway, migrates and seeds a fresh
database, then drives a bounded number of requests, loopback only, at three targets side by side:
a static file served by the same app (the ceiling), an LTI launch, and an /authToken launch; it prints
`launch/static ratio: X.XX`. Then /authToken launches again, by many learners at once, with the sandbox
answering every API call after 0, 100 and 200 ms as a distant T-book would: `authtoken at 200 ms: X launches/s,
p50 Y ms, p99 Z ms`, with the T-book calls each click made, counted by the sandbox.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.settings.loading import _database_url  # noqa: E402  (the gateway's own URL rewriting: postgres -> psycopg)
from app.store.models import AuditEvent  # noqa: E402

USER = "jane.doe@example.com"
LTI_SLUG, AUTHTOKEN_SLUG = "bench-lti", "bench-authtoken"
TARGET_RATIO = 0.6
MAX_SECONDS_PER_TARGET = 120  # a stuck server cannot keep the benchmark running
# The slow-T-book runs: each client thread is a learner of its own, clicking again as soon as it has its answer.
LEARNER = "bench.learner.{:03d}@example.com"
SLOW_TARGETS = {"launches/s": 100, "p50 ms": 300, "p99 ms": 1000}  # at 200 ms, 64 learners (issue 11)


@dataclass
class Target:
    name: str
    path: str
    ok_statuses: tuple[int, ...]
    marker: bytes = b""  # a successful answer must contain it (the launch form, not an error page)
    skipped: str = ""
    latencies: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    # CPU seconds spent while this target was driven: gunicorn (master and workers), the database server, and
    # this process (the load generator).
    cpu: dict[str, float] = field(default_factory=lambda: {"gateway": 0.0, "database": 0.0, "client": 0.0})

    @property
    def successes(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return (self.successes + sum(self.failures.values())) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]


def process_cpu(pids: list[int]) -> dict[int, float]:
    """Return the CPU seconds (user + system) each of `pids` has used so far (Linux /proc); gone ones are left out."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_since(before: dict[int, float], after: dict[int, float]) -> float:
    # A process that started meanwhile counts from zero; one that ended took its last figures with it.
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def processes_named(prefix: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().startswith(prefix):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def gateway_processes(gunicorn: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{gunicorn.pid}/task/{gunicorn.pid}/children")
    return [gunicorn.pid, *(int(pid) for pid in children.read_text().split())] if children.exists() else []


def measured_drive(
    port: int, target: Target, requests: int, concurrency: int, gunicorn, database: str, users: list[str] | None = None
) -> None:
    """`drive`, adding the CPU that the gateway, the database server and this process used meanwhile."""

    def servers() -> list[int]:
        return processes_named("postgres") if database == "postgres" else []

    gateway, server, client = process_cpu(gateway_processes(gunicorn)), process_cpu(servers()), time.process_time()
    drive(port, target, requests, concurrency, users)
    target.cpu["gateway"] += cpu_since(gateway, process_cpu(gateway_processes(gunicorn)))
    target.cpu["database"] += cpu_since(server, process_cpu(servers()))
    target.cpu["client"] += time.process_time() - client


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(url: str, process: subprocess.Popen, what: str, status: int = 200, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{what} exited with {process.returncode} before it was ready")
        try:
            response = httpx.get(url, timeout=2)
            if response.status_code == status:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.TransportError as err:
            last = type(err).__name__
        time.sleep(0.2)
    raise SystemExit(f"{what} was not ready after {seconds:.0f} s ({url}: {last})")


def one_request(port: int, target: Target, headers: dict[str, str]) -> tuple[float, str | None]:
    """Make one request on a new connection (gunicorn's sync workers close it); return (seconds, failure)."""
    began = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", target.path, headers=headers)
        response = connection.getresponse()
        body = response.read()
    except OSError as err:
        return time.perf_counter() - began, type(err).__name__
    finally:
        connection.close()
    elapsed = time.perf_counter() - began
    if response.status not in target.ok_statuses:
        return elapsed, str(response.status)
    if target.marker and target.marker not in body:
        return elapsed, f"{response.status} without {target.marker.decode()}"
    return elapsed, None


def drive(port: int, target: Target, requests: int, concurrency: int, users: list[str] | None = None) -> None:
    """Send `requests` requests from `concurrency` threads, adding latencies and failures to `target`.

    Thread i signs in as `users[i]` (every thread as USER by default).
    """
    users = users or [USER] * concurrency
    deadline = time.monotonic() + MAX_SECONDS_PER_TARGET
    per_thread = [requests // concurrency + (1 if i < requests % concurrency else 0) for i in range(concurrency)]

    def worker(index: int) -> list[tuple[float, str | None]]:
        headers = {"X-Remote-User": users[index % len(users)], "Connection": "close"}
        results = []
        for _ in range(per_thread[index]):
            if time.monotonic() > deadline:
                results.append((0.0, "bench time limit"))
                continue
            results.append(one_request(port, target, headers))
        return results

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        batches = list(pool.map(worker, range(concurrency)))
    target.elapsed += time.perf_counter() - began
    for seconds, failure in (result for batch in batches for result in batch):
        if failure is None:
            target.latencies.append(seconds)
        else:
            target.failures[failure] = target.failures.get(failure, 0) + 1


class Database:
    """A fresh benchmark database: a SQLite file, or a PostgreSQL database created and dropped here."""

    def __init__(self, kind: str, postgres_url: str, workdir: Path) -> None:
        self.kind = kind
        if kind == "sqlite":
            self.url = f"sqlite:///{workdir / 'bench.db'}"
            self._admin = None
        else:
            admin = make_url(_database_url(postgres_url, str(workdir)))
            self.url = admin.set(database="bench_gateway").render_as_string(hide_password=False)
            self._admin = create_engine(admin.set(database="postgres"), isolation_level="AUTOCOMMIT")
            self._drop()
            with self._admin.connect() as conn:
                conn.execute(text("CREATE DATABASE bench_gateway"))
        self.engine = create_engine(_database_url(self.url, str(workdir)))

    def _drop(self) -> None:
        with self._admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS bench_gateway WITH (FORCE)"))

    def audit_counts(self) -> dict[tuple[str, str], int]:
        """Return the number of `launch` audit rows by (mode, outcome)."""
        query = (
            select(AuditEvent.mode, AuditEvent.outcome, func.count())
            .where(AuditEvent.action == "launch")
            .group_by(AuditEvent.mode, AuditEvent.outcome)
        )
        with self.engine.connect() as conn:
            return {(mode or "none", outcome): count for mode, outcome, count in conn.execute(query)}

    def close(self) -> None:
        self.engine.dispose()
        if self._admin is not None:
            self._drop()
            self._admin.dispose()


def flask(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if check and result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result


def gateway_env(db_url: str, sandbox_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TBOOK_", "GATEWAY_", "GUNICORN_", "PROMETHEUS_"))}
    env.update(
        # Production settings (TBOOK_ENV=test, no debug), pointed at the sandbox explicitly.
        TBOOK_ENV="test",
        FLASK_DEBUG="0",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=db_url,
        TBOOK_API_URL=f"{sandbox_url}/api",
        TBOOK_LTI_URL=f"{sandbox_url}/api/lti",
        TBOOK_CLIENT_ID="sandbox-client",
        TBOOK_CLIENT_SECRET="sandbox-secret",  # noqa: S106  (the sandbox's published demo credentials)
        TBOOK_LTI_KEY="sandbox-client",
        TBOOK_LTI_SECRET="sandbox-lti-secret",  # noqa: S106
        # The intranet's proxy signs users in with a header: the benchmark client is that proxy.
        GATEWAY_AUTH="header",
        GATEWAY_TRUSTED_PROXIES="127.0.0.1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
    )
    return env


def learners_csv(workdir: Path, count: int) -> Path:
    """Write `count` bench learners (T-book does not know them yet: their first click creates them)."""
    path = workdir / "bench-learners.csv"
    rows = ["login,userType,entityID,externalID,civility,lastname,firstname"]
    rows += [f"{LEARNER.format(i)},learner,24,{9000 + i},m,Learner,Bench {i}" for i in range(count)]
    path.write_text("\n".join(rows) + "\n")
    return path


def seed(env: dict[str, str], learners: Path) -> str:
    """Migrate and seed; return why the authtoken target is skipped, or "" when it can run."""
    flask(env, "db", "upgrade")
    flask(env, "profiles", "import", str(ROOT / "config" / "demo-profiles.csv"))
    flask(env, "profiles", "import", str(learners))
    flask(env, "links", "create", LTI_SLUG, "--title", "Bench LTI", "--mode", "lti")
    made = flask(
        env, "links", "create", AUTHTOKEN_SLUG, "--title", "Bench authToken", "--mode", "authtoken", check=False
    )
    return "" if made.returncode == 0 else "skipped: authtoken mode not available"


def authtoken_available(port: int) -> bool:
    # Until the authtoken mode exists, its links answer 501 "not available yet".
    response = httpx.get(f"http://127.0.0.1:{port}/launch/{AUTHTOKEN_SLUG}", headers={"X-Remote-User": USER})
    return response.status_code != 501


def sandbox_counts(sandbox_url: str) -> dict[str, int]:
    # API requests per path since the sandbox started (its request list keeps only the newest entries).
    return httpx.get(f"{sandbox_url}/_sandbox/requests", timeout=5).json()["counts"]


def token_requests(sandbox_url: str) -> int:
    return sandbox_counts(sandbox_url).get("/api/token", 0)


def worker_count(gunicorn: subprocess.Popen) -> int:
    return max(len(gateway_processes(gunicorn)) - 1, 0)


def bench_database(kind: str, args: argparse.Namespace) -> list[Target]:
    with tempfile.TemporaryDirectory(prefix="gateway-bench-") as workdir:
        database = Database(kind, args.postgres_url, Path(workdir))
        processes: list[subprocess.Popen] = []
        try:
            sandbox_port, gateway_port = free_port(), free_port()
            sandbox_url = f"http://127.0.0.1:{sandbox_port}"
            sandbox = subprocess.Popen(
                [sys.executable, "-m", "sandbox", "--port", str(sandbox_port)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            processes.append(sandbox)
            env = gateway_env(database.url, sandbox_url, gateway_port)
            if args.workers:
                env["GUNICORN_WORKERS"] = str(args.workers)
            if args.worker_class:
                env["GUNICORN_WORKER_CLASS"] = args.worker_class
            if args.threads:
                env["GUNICORN_THREADS"] = str(args.threads)
            wait_until(f"{sandbox_url}/api/lti", sandbox, "the sandbox", status=405)
            authtoken_skip = seed(env, learners_csv(Path(workdir), args.learners))
            log_path = Path(workdir) / "gunicorn.log"
            with log_path.open("wb") as log:
                gunicorn = subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "wsgi:app"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            processes.append(gunicorn)
            wait_until(f"http://127.0.0.1:{gateway_port}/readyz", gunicorn, "the gateway")
            if not authtoken_skip and not authtoken_available(gateway_port):
                authtoken_skip = "skipped: authtoken mode not available"

            targets = [
                Target("static page", "/static/gateway.css", (200,)),
                Target("LTI launch", f"/launch/{LTI_SLUG}", (200,), marker=b'id="launch-form"'),
                Target("authtoken launch", f"/launch/{AUTHTOKEN_SLUG}", (302, 303), skipped=authtoken_skip),
            ]
            live = [t for t in targets if not t.skipped]
            for target in live:  # warm every worker: imports, templates, connection pools
                drive(gateway_port, target, args.warmup, args.concurrency)
                target.latencies.clear(), target.failures.clear()
                target.elapsed = 0.0
            audit_before = database.audit_counts()
            # Rounds interleave the targets so that any drift of the machine hits all of them alike.
            for _ in range(args.rounds):
                for target in live:
                    measured_drive(gateway_port, target, args.requests // args.rounds, args.concurrency, gunicorn, kind)
            audit_after = database.audit_counts()
            report(kind, targets, audit_before, audit_after, token_requests(sandbox_url), worker_count(gunicorn))
            if not authtoken_skip and args.latency_ms:
                slow_tbook(gateway_port, sandbox_url, database, gunicorn, args)
            verify_audit_chain(env)
            return targets
        finally:
            for process in reversed(processes):
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            database.close()


def report(kind, targets, audit_before, audit_after, tokens: int, workers: int) -> None:
    static = targets[0]
    print(f"\n== {kind} == gunicorn workers: {workers}")
    print(
        f"{'target':<18} {'requests':>8} {'ok':>7} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8}"
        f"  {'CPU µs per request: gateway':>27} {'database':>8} {'client':>6}  failures"
    )
    for t in targets:
        if t.skipped:
            print(f"{t.name:<18} {t.skipped}")
            continue
        failures = ", ".join(f"{k}: {v}" for k, v in t.failures.items()) or "-"
        total = t.successes + sum(t.failures.values())
        cpu = {name: 1e6 * seconds / total for name, seconds in t.cpu.items()} if total else t.cpu
        print(
            f"{t.name:<18} {total:>8} {t.successes:>7} {t.rps:>8.1f} "
            f"{t.percentile(50) * 1000:>8.1f} {t.percentile(99) * 1000:>8.1f}"
            f"  {cpu['gateway']:>27.0f} {cpu['database']:>8.0f} {cpu['client']:>6.0f}  {failures}"
        )
    modes = {"LTI launch": "lti", "authtoken launch": "authtoken"}
    for t in targets[1:]:
        if t.skipped:
            continue
        mode = modes[t.name]
        rows = sum(n - audit_before.get(key, 0) for key, n in audit_after.items() if key[0] == mode)
        verdict = "ok" if rows == t.successes else "MISMATCH"
        print(f"audit rows ({mode}): {rows} for {t.successes} successful launches  [{verdict}]")
    print(f"token requests the sandbox saw: {tokens} (target: at most {workers}, one per worker start; ideally 1)")
    lti = targets[1]
    ratio = lti.rps / static.rps if static.rps else 0.0
    verdict = "target met" if ratio >= TARGET_RATIO else f"BELOW the {TARGET_RATIO}x target"
    print(f"LTI launch holds {ratio:.2f}x the static page ({verdict})")
    print(f"launch/static ratio: {ratio:.2f}")


def slow_tbook(port: int, sandbox_url: str, database: Database, gunicorn, args: argparse.Namespace) -> None:
    """/authToken launches by `args.learners` learners at once, T-book answering after each of `args.latency_ms`."""
    learners = [LEARNER.format(i) for i in range(args.learners)]
    print(f"\n-- authtoken launches, {len(learners)} learners at once, the sandbox delaying every API answer --")
    for ms in args.latency_ms:
        httpx.put(f"{sandbox_url}/_sandbox/latency", json={"seconds": ms / 1000}, timeout=5).raise_for_status()
        target = Target(f"authtoken at {ms} ms", f"/launch/{AUTHTOKEN_SLUG}", (302, 303))
        # One click per learner first: the first ever creates the learner in T-book, later ones find it known.
        drive(port, target, len(learners), len(learners), learners)
        warmup_failures = dict(target.failures)
        target.latencies.clear(), target.failures.clear()
        target.elapsed = 0.0
        calls_before, audit_before = sandbox_counts(sandbox_url), database.audit_counts()
        measured_drive(port, target, args.requests, len(learners), gunicorn, database.kind, learners)
        calls_after, audit_after = sandbox_counts(sandbox_url), database.audit_counts()
        report_slow(target, ms, len(learners), calls_before, calls_after, audit_before, audit_after, warmup_failures)
    httpx.put(f"{sandbox_url}/_sandbox/latency", json={"seconds": 0}, timeout=5).raise_for_status()


def report_slow(target: Target, ms: int, learners: int, calls_before, calls_after, audit_before, audit_after, warmup):
    clicks = target.successes + sum(target.failures.values())
    p50, p99 = target.percentile(50) * 1000, target.percentile(99) * 1000
    print(f"authtoken at {ms} ms: {target.rps:.1f} launches/s, p50 {p50:.0f} ms, p99 {p99:.0f} ms")
    # T-book calls per click, as the sandbox counted them (the browser's LTI posts are not API calls).
    calls = {path: n - calls_before.get(path, 0) for path, n in calls_after.items() if path != "/api/lti"}
    calls = {path.removeprefix("/api/"): n for path, n in calls.items() if n}
    per_click = ", ".join(f"{path} {n / clicks:.2f}" for path, n in sorted(calls.items())) if clicks else "-"
    key = ("authtoken", "redirected")
    audited = audit_after.get(key, 0) - audit_before.get(key, 0)
    cpu = 1e6 * (target.cpu["gateway"] + target.cpu["database"]) / max(clicks, 1)
    failures = ", ".join(f"{k}: {v}" for k, v in target.failures.items()) or "none"
    print(f"    {clicks} clicks, errors: {failures}" + (f" (warm-up: {warmup})" if warmup else ""))
    print(f"    T-book calls per click: {sum(calls.values()) / max(clicks, 1):.2f} ({per_click})")
    verdict = "ok" if audited == target.successes else "MISMATCH"
    print(f"    audit rows: {audited} for {target.successes} launches [{verdict}]; gateway + database CPU {cpu:.0f} µs")
    if ms == 200 and learners == 64:
        met = target.rps >= SLOW_TARGETS["launches/s"] and p50 < SLOW_TARGETS["p50 ms"]
        met = met and p99 < SLOW_TARGETS["p99 ms"] and not target.failures
        print(f"    targets (>= 100 launches/s, p50 < 300 ms, p99 < 1 s, no errors): {'met' if met else 'NOT met'}")


def verify_audit_chain(env: dict[str, str]) -> None:
    # Every worker's threads wrote their process's chain: it must still verify from end to end.
    result = flask(env, "audit", "verify", check=False)
    print((result.stdout or result.stderr).strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.splitlines()[0])
    parser.add_argument("--database", action="append", choices=["sqlite", "postgres"], help="default: both")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--requests", type=int, default=3000, help="per target, after warm-up (default 3000)")
    parser.add_argument("--warmup", type=int, default=200, help="per target (default 200)")
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds (default 10)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: the config's)")
    parser.add_argument("--worker-class", choices=["sync", "gthread", "gevent"], help="default: the config's")
    parser.add_argument("--threads", type=int, default=0, help="threads per gthread worker (default: the config's)")
    parser.add_argument(
        "--latency-ms",
        type=lambda text: [int(ms) for ms in text.split(",") if ms.strip()],
        default=[0, 100, 200],
        help="T-book latencies of the authtoken runs, comma list (default 0,100,200; empty: skip them)",
    )
    parser.add_argument("--learners", type=int, default=64, help="learners clicking at once in those runs")
    args = parser.parse_args(argv)
    args.requests = max(args.requests, args.rounds)
    for kind in args.database or ["sqlite", "postgres"]:
        bench_database(kind, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
