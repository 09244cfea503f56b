"""Shared fixtures: the gateway app, its client and CLI runner, and a live T-book sandbox."""

pytest_plugins = ["tests.fixtures.sandbox"]
