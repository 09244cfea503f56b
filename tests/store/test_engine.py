"""Engine tuning: a pooled PostgreSQL connection that sat idle is pinged, and replaced when the server dropped it."""

import time

from app.store.engine import PING_AFTER_IDLE_SECONDS
from tests.store.conftest import drop_the_gateways_connections, launches_audited


def test_a_connection_dropped_while_idle_is_replaced_before_use(app, launching, postgres):
    assert drop_the_gateways_connections(postgres) >= 1
    time.sleep(PING_AFTER_IDLE_SECONDS + 0.2)  # idle long enough to be pinged at the next checkout
    # The ORM session's pages (here the learner's home page) and the click both get live connections.
    assert launching.get("/").status_code == 200
    assert launching.get("/launch/open-tbook").status_code == 200
    assert launches_audited(app) == 2
