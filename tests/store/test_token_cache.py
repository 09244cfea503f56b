"""The database token cache: one T-book token request per token lifetime across threads and instances."""

import threading

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from app import create_app
from app.services.tbook_connection import clients as tbook_api
from app.store import db
from app.store.models import TokenCache
from app.store.token_cache import DatabaseTokenStore, TokenLeaseTimeout


def test_threads_of_two_instances_share_one_token(app, gateway_config, sandbox):
    other_instance = create_app(gateway_config)  # same database, separate process state
    barrier = threading.Barrier(8)
    errors = []

    def worker(instance):
        try:
            with instance.app_context():
                barrier.wait()
                tbook_api.client().get_client()
        except Exception as err:  # noqa: BLE001 - collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=worker, args=(a,)) for a in [app, other_instance] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert len(sandbox.requests("/api/getClient")) == 8
    assert len(sandbox.requests("/api/token")) == 1


def test_a_new_instance_reuses_the_cached_token(app, gateway_config, sandbox):
    with app.app_context():
        tbook_api.client().get_client()
    with create_app(gateway_config).app_context():
        tbook_api.client().get_entities()
    assert len(sandbox.requests("/api/token")) == 1


def test_token_is_encrypted_at_rest_when_a_key_is_set(gateway_config, sandbox, app):
    gateway_config["GATEWAY_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    sealed = create_app(gateway_config)
    with sealed.app_context():
        token = tbook_api.client().get_token().access_token
        stored = db.session.scalars(select(TokenCache.access_token)).one()
    assert stored.startswith("fernet:") and token not in stored


def test_token_from_another_key_is_replaced_not_used(gateway_config, sandbox, app):
    gateway_config["GATEWAY_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
    with create_app(gateway_config).app_context():
        tbook_api.client().get_token()
    gateway_config["GATEWAY_ENCRYPTION_KEY"] = Fernet.generate_key().decode()  # the key was rotated
    with create_app(gateway_config).app_context():
        tbook_api.client().get_client()
    assert len(sandbox.requests("/api/token")) == 2


def test_a_late_holder_does_not_release_the_lease_another_worker_took(app):
    now = [1_900_000_000.0]

    def store(wait=1.0):
        return DatabaseTokenStore(db.engine, "lease-test", seal=str, unseal=str, clock=lambda: now[0], wait=wait)

    with app.app_context():
        slow = store().refresh_lock()
        slow.__enter__()
        now[0] += 31  # the slow holder overran its 30-second lease: another worker may take over
        fast = store().refresh_lock()
        fast.__enter__()
        slow.__exit__(None, None, None)  # the slow one finishes late...
        with pytest.raises(TokenLeaseTimeout), store(wait=0.2).refresh_lock():
            pass  # ...and has not released the fast one's lease: a third worker still waits
        fast.__exit__(None, None, None)
        with store(wait=0.2).refresh_lock():
            pass  # released by its holder, the lease is free again


def test_waiting_for_the_lease_ends_with_the_clicks_deadline(app):
    from app.tbook import DeadlineExceeded, deadline

    with app.app_context():
        holder = DatabaseTokenStore(db.engine, "lease-test", seal=str, unseal=str)
        waiter = DatabaseTokenStore(db.engine, "lease-test", seal=str, unseal=str, wait=30)
        with holder.refresh_lock():  # another worker is fetching the token
            with deadline.within(0.3), pytest.raises(DeadlineExceeded) as caught:
                with waiter.refresh_lock():
                    pass
            with (
                pytest.raises(TokenLeaseTimeout),
                DatabaseTokenStore(db.engine, "lease-test", seal=str, unseal=str, wait=0.2).refresh_lock(),
            ):
                pass  # without a deadline, its own wait still applies
    assert caught.value.endpoint == "token"


def test_a_token_replaced_by_another_instance_is_picked_up_after_one_refusal(app, gateway_config, sandbox):
    # Each process keeps the token it last saw, without reading the row on every call; when another instance
    # replaced it, T-book's 401 makes this one read the row again, and it uses that token rather than a third.
    other_instance = create_app(gateway_config)
    with app.app_context():
        tbook_api.client().get_client()
    sandbox.revoke_tokens()
    with other_instance.app_context():
        tbook_api.client().get_client()  # refused, refreshed: the row holds a new token
    with app.app_context():
        tbook_api.client().get_client()  # refused with the kept token, then uses the other instance's
        tbook_api.client().get_entities()
    assert len(sandbox.requests("/api/token")) == 2
    assert [r["status"] for r in sandbox.requests("/api/getClient")] == [200, 401, 200, 401, 200]
    assert [r["status"] for r in sandbox.requests("/api/getEntities")] == [200]
