"""Where T-book sends the browser when an /authToken sign-in fails (errorUrl)."""

from flask import Blueprint

bp = Blueprint("sso", __name__, url_prefix="/sso")

from app.web.sso import routes  # noqa: E402,F401  (routes attach themselves to bp)
