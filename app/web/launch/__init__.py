"""The launch: the "Open T-book" page, its debug preview, and T-book's return URL."""

from flask import Blueprint

bp = Blueprint("launch", __name__)

from app.web.launch import routes, templating  # noqa: E402,F401  (views and template helpers attach to bp)
