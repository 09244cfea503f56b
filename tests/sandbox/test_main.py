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


def test_options_choose_how_the_sandbox_answers_where_the_doc_is_silent():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "--port",
            "0",
            "--grant-type",
            "client_credentials",
            "--write-answer",
            "minimal",
            "--unknown-learner",
            "envelope",
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).parents[2],
        env={"PATH": "", "SANDBOX_AUTHTOKEN_ERRORS": "immediate"},
    )
    try:
        banner = [process.stdout.readline() for _ in range(12)]
        settings = dict(line.split() for line in banner[7:])
        assert settings == {
            "write-answer": "minimal",
            "authtoken-errors": "immediate",  # from the environment: the option was left out
            "authtoken-body": "json",
            "grant-type": "client_credentials",
            "unknown-learner": "envelope",
        }
        api_url = banner[5].split()[-1]
        form = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}
        assert httpx.post(f"{api_url}/token", data={**form, "grant_type": "client_credential"}).status_code == 400
        token = httpx.post(f"{api_url}/token", data={**form, "grant_type": "client_credentials"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        unknown = httpx.get(f"{api_url}/getOneLearner/999", headers=headers)
        assert unknown.status_code == 200 and unknown.json()["error"]["code"] == "not_found"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_an_option_outside_its_choices_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "--unknown-learner", "410"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
        timeout=30,
    )
    assert result.returncode == 2 and "invalid choice: '410'" in result.stderr
