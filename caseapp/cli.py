"""Registers each domain's command group on the `flask` CLI."""


def register(app) -> None:
    from caseapp.auth.cli import users_cli
    from caseapp.demo import demo_cli
    from caseapp.security.audit_cli import audit_cli
    from caseapp.structures.cli import structures_cli

    for group in (users_cli, structures_cli, audit_cli, demo_cli):
        app.cli.add_command(group)
    _register_optional(app)


def _register_optional(app) -> None:
    try:  # TEMP until keys_cli lands
        from caseapp.security.keys_cli import keys_cli
    except ImportError:
        return

    app.cli.add_command(keys_cli)
