"""``python -m sandbox``: runs the emulator alone and prints its credentials."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx


def test_runs_and_prints_its_credentials():
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
        env={"PATH": "", "SANDBOX_LTI_SECRET": "from-env"},
    )
    try:
        banner = [process.stdout.readline() for _ in range(7)]
        text = "".join(banner)
        for expected in ("sandbox-client", "sandbox-secret", "LTI shared secret from-env"):
            assert expected in " ".join(text.split())
        api_url = banner[5].split()[-1]
        assert banner[6].split()[-1] == f"{api_url}/lti"
        assert httpx.get(f"{api_url}/getClient").json()["error"]["code"] == "unauthorized"
    finally:
        process.terminate()
        process.wait(timeout=10)
