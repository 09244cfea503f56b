"""The T-book platform named in every page's footer: the one in force, as the console shows it."""

from __future__ import annotations

import logging

from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from app.settings import credentials

log = logging.getLogger(__name__)


def platform_env() -> str:
    """Return the T-book environment in force (the console may have switched it), as the credentials page does.

    An error page may be drawn because the database is down: the footer then names the configured one.
    """
    try:
        return credentials.current().env
    except SQLAlchemyError:
        log.warning("the footer names the configured T-book environment: the console's settings cannot be read")
        return current_app.config["TBOOK_ENV"]


def init_app(app: Flask) -> None:
    app.add_template_global(platform_env, "platform_env")
