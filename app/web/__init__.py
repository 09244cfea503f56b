"""The web layer: blueprints that parse a request, call a service and render."""

from flask import Flask
from flask_wtf import CSRFProtect

from app.web import platform

# Every form that changes something carries a CSRF token; bound to the app in `create_app`.
csrf = CSRFProtect()


def register_blueprints(app: Flask) -> None:
    from app.web.admin import bp as admin_bp
    from app.web.auth import bp as auth_bp
    from app.web.launch import bp as launch_bp
    from app.web.ops import bp as ops_bp
    from app.web.sso import bp as sso_bp

    platform.init_app(app)

    app.register_blueprint(auth_bp)
    app.register_blueprint(launch_bp)
    app.register_blueprint(ops_bp)
    app.register_blueprint(sso_bp)
    app.register_blueprint(admin_bp)
