"""Helpers for the operations tests: a second gateway on the same database, and reading /metrics."""

from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from app import create_app
from app.store import db


@pytest.fixture
def gateway_with(gateway_config, app):
    """Return a function building a test client for a gateway with extra settings, on `app`'s database."""
    built = []

    def make(**settings):
        built.append(create_app({**gateway_config, **settings}))
        return built[-1].test_client()

    yield make
    for other in built:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def parse_metrics(body: str) -> dict[tuple[str, tuple], float]:
    """Return every sample of a Prometheus text page by (name, sorted label pairs)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def metric(client, name: str, **labels: str) -> float:
    """Return one sample of the gateway's /metrics (0 when absent: counters start unseen)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    return parse_metrics(response.text).get((name, tuple(sorted(labels.items()))), 0.0)
