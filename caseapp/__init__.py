"""caseapp: case management for a municipality's social structures."""
from __future__ import annotations

from flask import Flask

from config import ROOT, config_for


def create_app(config_name: str | None = None, **overrides) -> Flask:
    config = config_for(config_name)
    config.validate()
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object(config)
    app.config.update(overrides)

    register_proxy_fix(app)
    register_extensions(app)
    register_security(app)
    register_request_parsing(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_proxy_fix(app: Flask) -> None:
    """Behind a TLS proxy: take the client address (audit, throttling) from the trusted hops only."""
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_extensions(app: Flask) -> None:
    from caseapp import database, i18n, models  # noqa: F401  (models: every table on the metadata)
    from caseapp.auth.sessions import load_user_from_session
    from caseapp.extensions import babel, csrf, db, limiter, login_manager, migrate

    database.configure_engine_events()
    database.prepare_sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    from caseapp import kept_input

    kept_input.register(app)  # the CSRF check that shows a refused form again with what was typed
    limiter.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    login_manager.init_app(app)
    login_manager.request_loader(load_user_from_session)
    login_manager.unauthorized_handler(i18n.redirect_to_login)
    login_manager.session_protection = None  # server-side sessions do this job


def register_security(app: Flask) -> None:
    from caseapp import limits
    from caseapp.security import keyring
    from caseapp.security.headers import register_security_headers
    from caseapp.security.permissions import register_policy_enforcement

    keyring.init_app(app)
    limits.register(app)
    register_policy_enforcement(app)
    register_security_headers(app)


def register_request_parsing(app: Flask) -> None:
    """Bounded `int` URLs and refused malformed query strings, for every blueprint."""
    from caseapp import viewtools

    viewtools.register(app)


def register_blueprints(app: Flask) -> None:
    from caseapp.auth import access_views as access_requests
    from caseapp.auth import admin_views as users_admin
    from caseapp.auth import views as auth
    from caseapp.casefiles import views as cases
    from caseapp.deliveries import reference_views as reference
    from caseapp.deliveries import views as deliveries
    from caseapp.beneficiaries import erasure_views as erasure
    from caseapp.beneficiaries import views as beneficiaries
    from caseapp.inquiries import views as inquiries
    from caseapp.interpretation import views as interpretation
    from caseapp.main import views as main
    from caseapp.referrals import views as referrals
    from caseapp.reports import views as reports
    from caseapp.plans import views as plans
    from caseapp.security import views as security
    from caseapp.structures import views as structures
    from caseapp.households import views as households
    from caseapp.stays import views as stays

    for blueprint in (main.bp, auth.bp, users_admin.bp, structures.bp, security.bp,
                      beneficiaries.bp, cases.bp, erasure.bp, access_requests.bp, interpretation.bp,
                      referrals.bp, stays.bp, households.bp, reports.bp, plans.bp,
                      deliveries.bp, reference.bp, inquiries.bp):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from caseapp import errors

    errors.register(app)


def register_template_helpers(app: Flask) -> None:
    from caseapp import templating

    templating.register(app)


def register_commands(app: Flask) -> None:
    from caseapp import cli

    cli.register(app)
