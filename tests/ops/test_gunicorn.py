"""config/gunicorn.conf.py for real: gunicorn with two workers, JSON access log, metrics summed across workers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.services.audit import trail as audit
from app.store import db
from app.store.models import AuditEvent
from tests.factories import make_link, make_profile
from tests.ops.conftest import parse_metrics
from tests.web.test_launch import form_of

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_gunicorn(gateway_config, tmp_path, **settings):
    """Run gunicorn with config/gunicorn.conf.py on the test's database and sandbox; yield (base URL, read_log)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "PROMETHEUS_"))}
    env.update({k: str(v) for k, v in gateway_config.items() if k != "TESTING"})
    env.update(GATEWAY_AUTH="local,header", GATEWAY_TRUSTED_PROXIES="127.0.0.1")
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="2", **settings)
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None, log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start in 20 s"
                time.sleep(0.1)
        yield base, lambda: log_path.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture
def gunicorn(app, gateway_config, sandbox, tmp_path):
    """gunicorn with two sync workers and a metrics directory left over by a previous run."""
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    (metrics_dir / "counter_999999.db").write_bytes(b"left over by a previous run")
    with running_gunicorn(gateway_config, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(metrics_dir)) as (base, read_log):
        yield base, metrics_dir, read_log


def test_requests_are_logged_as_json_lines_without_signed_link_tokens(gunicorn):
    base, _, read_log = gunicorn
    response = httpx.get(f"{base}/healthz?auth=eyJsb2dpbiI6ImphbmUifQ.secret&lang=fr", headers={"User-Agent": "t"})
    assert response.status_code == 200
    time.sleep(0.2)  # the worker writes its access line after the response
    lines = [json.loads(line) for line in read_log().splitlines() if line.startswith("{")]
    entry = next(line for line in lines if line.get("path") == "/healthz" and line.get("user_agent") == "t")
    assert entry["status"] == 200 and entry["method"] == "GET" and entry["type"] == "access"
    assert entry["correlation_id"] == response.headers["X-Correlation-ID"]
    assert "lang=fr" in entry["query"]
    assert "secret" not in read_log()


def test_metrics_add_up_across_workers_and_start_from_zero(gunicorn, sandbox):
    base, metrics_dir, read_log = gunicorn
    assert not (metrics_dir / "counter_999999.db").exists()
    for _ in range(8):
        assert httpx.get(f"{base}/readyz").status_code == 200
    # Each worker holds its own token until the database token store shares one: one refresh per worker
    # that answered, each counted in its own process, and /metrics must show their sum.
    samples = parse_metrics(httpx.get(f"{base}/metrics").text)
    refreshes = samples.get(("gateway_tbook_token_refreshes_total", (("reason", "missing"),)), 0.0)
    token_requests = len(sandbox.requests("/api/token"))
    assert 1 <= token_requests <= 2
    assert refreshes == token_requests


def test_forwarded_proto_is_not_believed_without_proxy_hops(app, gunicorn):
    base, _, _ = gunicorn
    with app.app_context():
        make_link()
        make_profile()
    # gunicorn's own X-Forwarded-Proto handling is off: with GATEWAY_PROXY_HOPS=0 nothing forwarded counts,
    # not even from loopback, where gunicorn would otherwise believe it.
    response = httpx.get(
        f"{base}/launch/open-tbook",
        headers={"X-Remote-User": "jane.doe@example.com", "X-Forwarded-Proto": "https"},
    )
    assert response.status_code == 200
    return_url = dict(form_of(response.text)[1])["launch_presentation_return_url"]
    assert return_url.startswith(f"{base}/lti/return?ref=")


@pytest.mark.parametrize("worker_class", ["sync", "gthread", "gevent"])
def test_concurrent_launches_are_each_signed_and_audited_once(app, gateway_config, sandbox, tmp_path, worker_class):
    with app.app_context():
        make_link()
        make_profile()
    settings = {"GUNICORN_WORKER_CLASS": worker_class, "GUNICORN_THREADS": "4" if worker_class == "gthread" else "1"}
    with running_gunicorn(gateway_config, tmp_path, **settings) as (base, read_log):

        def launch(_):
            response = httpx.get(f"{base}/launch/open-tbook", headers={"X-Remote-User": "jane.doe@example.com"})
            return response.status_code, dict(form_of(response.text)[1]).get("oauth_nonce")

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(launch, range(40)))
        assert f"Using worker: {worker_class}" in read_log()  # the setting took effect
    assert [status for status, _ in results] == [200] * 40, read_log()
    assert len({nonce for _, nonce in results}) == 40  # each click signed afresh
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="launch", outcome="sent").count() == 40
        assert audit.verify_chain() == (40, None)


def test_the_default_server_serves_many_clicks_waiting_on_tbook_at_once(app, gateway_config, sandbox_factory, tmp_path):
    # The config's own defaults (gevent), T-book answering every call after 0.25 s, and fewer database
    # connections per worker than clicks in flight: a click holds at most one, and none while it waits for
    # T-book, so clicks take turns on the pool and never deadlock on it.
    slow = sandbox_factory({"SANDBOX_LATENCY": 0.25})
    learners = [f"learner{i:02d}@example.com" for i in range(40)]
    with app.app_context():
        make_link("sso", mode="authtoken")
        for login in learners:
            make_profile(login=login, password=None)
    settings = {"TBOOK_API_URL": slow.api_url, "TBOOK_LTI_URL": slow.lti_url, "DATABASE_POOL_SIZE": "2"}
    with running_gunicorn(gateway_config, tmp_path, **settings) as (base, read_log):

        def click(login):
            response = httpx.get(f"{base}/launch/sso", headers={"X-Remote-User": login}, timeout=30)
            return response.status_code

        with ThreadPoolExecutor(40) as pool:
            first = list(pool.map(click, learners))  # new learners: looked up, created, signed in
            mark = len(slow.requests())
            again = list(pool.map(click, learners))  # known learners: one call each
        log = read_log()
    assert "Using worker: gevent" in log and "Traceback" not in log
    assert first == [303] * 40 and again == [303] * 40, log
    made = [r["path"] for r in slow.requests()]
    assert made[:mark].count("/api/getOneLearner") == made[:mark].count("/api/insertLearner") == 40
    assert made[mark:] == ["/api/authToken"] * 40
    assert made.count("/api/token") == 1  # one token for both workers and all their threads
    with app.app_context():
        launches = db.session.query(AuditEvent).filter_by(action="launch", outcome="redirected").count()
        provisions = db.session.query(AuditEvent).filter_by(action="provision", outcome="created").count()
        assert (launches, provisions) == (80, 40)
        checked, broken = audit.verify_chain()
        assert broken is None and checked == db.session.query(AuditEvent).count()


@pytest.mark.parametrize("worker_class", ["sync", "gthread", "gevent"])
def test_a_click_ends_at_its_deadline_with_a_page_and_no_worker_killed(
    app, gateway_config, sandbox_factory, tmp_path, worker_class
):
    # T-book takes 8 s for every call, as in the incident; the click is given 2 s.
    slow = sandbox_factory({"SANDBOX_LATENCY": 8})
    with app.app_context():
        make_link("sso", mode="authtoken")
        make_profile(login="new.learner@example.com", password=None)
    settings = {
        "TBOOK_API_URL": slow.api_url,
        "TBOOK_LTI_URL": slow.lti_url,
        "GATEWAY_CLICK_DEADLINE": "2",
        "GUNICORN_TIMEOUT": "12",
        "GUNICORN_WORKER_CLASS": worker_class,
    }
    with running_gunicorn(gateway_config, tmp_path, **settings) as (base, read_log):
        response = httpx.get(f"{base}/launch/sso", headers={"X-Remote-User": "new.learner@example.com"}, timeout=30)
        log = read_log()
    assert response.status_code == 503 and "T-book is slow" in response.text
    reference = response.headers["X-Correlation-ID"]
    assert reference in response.text
    assert "WORKER TIMEOUT" not in log and "Traceback" not in log
    with app.app_context():
        click = db.session.query(AuditEvent).filter_by(action="launch").one()
    assert (click.outcome, click.correlation_id) == ("timeout", reference)


def test_gunicorn_refuses_a_worker_timeout_a_click_could_outlast(gateway_config, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "PROMETHEUS_"))}
    env.update({k: str(v) for k, v in gateway_config.items() if k != "TESTING"})

    def check(**settings):
        command = [sys.executable, "-m", "gunicorn", "--check-config", "-c", "config/gunicorn.conf.py", "wsgi:app"]
        return subprocess.run(command, cwd=ROOT, env={**env, **settings}, capture_output=True, text=True)

    refused = check(GATEWAY_CLICK_DEADLINE="15", GUNICORN_TIMEOUT="20")
    assert refused.returncode != 0
    assert "GUNICORN_TIMEOUT (20 s) must be at least GATEWAY_CLICK_DEADLINE (15 s) + 10 s" in refused.stderr
    assert check(GATEWAY_CLICK_DEADLINE="15", GUNICORN_TIMEOUT="25").returncode == 0
    assert check(GATEWAY_CLICK_DEADLINE="40").returncode == 0  # no timeout given: it follows the deadline
