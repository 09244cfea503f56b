"""Proof: a bounded loopback load against gunicorn: no 5xx, one audit row per launch, no nonce used twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select

from app.store import db
from app.store.models import AuditEvent
from tests.factories import make_link, make_profile
from tests.ops.test_gunicorn import running_gunicorn
from tests.proof.conftest import scale
from tests.web.test_launch import form_of

AREA = "load"


def test_launches_under_gunicorn_hold(app, gateway_config, sandbox, tmp_path, proof, artefacts):
    with app.app_context():
        make_link()
        make_link("sso", mode="authtoken")
        for i in range(20):
            make_profile(login=f"user{i}@example.com", externalID=str(2000 + i), password=None)
        dialect = db.engine.dialect.name
    launches = scale(60, 600)
    with running_gunicorn(gateway_config, tmp_path) as (base, read_log):  # two sync workers
        with httpx.Client(timeout=30) as http:

            def click(i: int) -> tuple[int, str | None]:
                slug = "sso" if i % 5 == 0 else "open-tbook"  # one in five by /authToken, through the sandbox
                response = http.get(f"{base}/launch/{slug}", headers={"X-Remote-User": f"user{i % 20}@example.com"})
                nonce = dict(form_of(response.text)[1]).get("oauth_nonce") if response.status_code == 200 else None
                return response.status_code, nonce

            with ThreadPoolExecutor(8) as pool:
                results = list(pool.map(click, range(launches)))
        artefacts.append(read_log())  # gunicorn's access and audit lines, searched for secrets too
    statuses = [status for status, _ in results]
    nonces = [nonce for _, nonce in results if nonce]
    with app.app_context():
        audited = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.in_(("launch", "fallback")))
        )
    label = f"{launches} launches, 8 at a time, gunicorn 2 workers on {dialect}"
    held = proof.count(AREA, f"{label}: no 5xx", held=all(status < 500 for status in statuses))
    assert held, sorted(set(statuses))
    held = proof.count(AREA, f"{label}: audit rows = launches", held=audited == launches)
    assert held, (audited, launches)
    held = proof.count(AREA, f"{label}: no nonce used twice", held=len(set(nonces)) == len(nonces) > 0)
    assert held
    assert statuses.count(200) + statuses.count(303) == launches, read_log()[-2000:]
