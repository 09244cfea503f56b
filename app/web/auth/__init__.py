"""Sign-in: the local form, the reverse proxy's user header, and portal-signed links."""

from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from app.web.auth import routes  # noqa: E402,F401  (routes attach themselves to bp)
