"""A slow T-book on purpose: every API answer delayed (SANDBOX_LATENCY, --latency, /_sandbox/latency), and
`python -m sandbox` serving many delayed answers at once on kept-alive connections."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from sandbox import create_app
from tests.sandbox.test_faults import CREDENTIALS, get_token

ROOT = Path(__file__).parents[2]


def timed(call) -> float:
    began = time.monotonic()
    call()
    return time.monotonic() - began


def test_the_latency_setting_delays_every_api_answer_and_nothing_else(sandbox_factory):
    slow = sandbox_factory({"SANDBOX_LATENCY": 0.3})
    assert timed(lambda: httpx.post(f"{slow.api_url}/token", data=CREDENTIALS)) >= 0.3
    assert timed(lambda: httpx.get(f"{slow.api_url}/getClient")) >= 0.3  # refused (no token), still delayed
    assert timed(lambda: httpx.get(f"{slow.url}/_sandbox/requests")) < 0.3


def test_the_latency_can_be_changed_while_running_and_a_reset_restores_it(sandbox):
    assert httpx.get(f"{sandbox.url}/_sandbox/latency").json() == {"seconds": 0.0}
    response = httpx.put(f"{sandbox.url}/_sandbox/latency", json={"seconds": 0.3})
    assert response.json() == {"seconds": 0.3}
    assert timed(lambda: get_token(sandbox)) >= 0.3
    for bad in ({"seconds": -1}, {"seconds": 61}, {"seconds": "0.2"}, {}):
        assert httpx.put(f"{sandbox.url}/_sandbox/latency", json=bad).status_code == 400
    sandbox.reset()
    assert httpx.get(f"{sandbox.url}/_sandbox/latency").json() == {"seconds": 0.0}


def test_a_latency_out_of_bounds_is_refused():
    with pytest.raises(ValueError, match="SANDBOX_LATENCY"):
        create_app({"SANDBOX_LATENCY": -0.5})


def test_python_m_sandbox_latency_serves_delayed_answers_together_on_kept_alive_connections():
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--latency", "0.5"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        banner = iter(process.stdout.readline, "\n")  # up to the blank line that ends it
        lines = [" ".join(line.split()) for line in banner]
        api_url = next(line for line in lines if line.startswith("API URL")).split()[-1]
        assert "latency 0.5 s on every API answer" in lines
        with httpx.Client(base_url=api_url + "/", timeout=10) as client:
            token = client.post("token", data=CREDENTIALS)
            assert token.status_code == 200 and token.headers.get("connection", "") != "close"
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            began = time.monotonic()
            with ThreadPoolExecutor(20) as pool:
                answers = list(pool.map(lambda _: client.get("getClient", headers=headers), range(20)))
            took = time.monotonic() - began
        assert [a.status_code for a in answers] == [200] * 20
        assert took < 5.0  # 20 answers of 0.5 s each, side by side rather than one after the other
    finally:
        process.terminate()
        process.wait(timeout=10)
