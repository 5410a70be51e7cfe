"""Registers each domain's command group on the `flask` CLI."""


def register(app) -> None:
    from caseapp.auth.cli import users_cli
    from caseapp.beneficiaries.cli import beneficiaries_cli
    from caseapp.deliveries.reference import reference_cli
    from caseapp.demo import demo_cli
    from caseapp.reports.cli import reports_cli
    from caseapp.security.audit_cli import audit_cli
    from caseapp.security.keys_cli import keys_cli
    from caseapp.structures.cli import structures_cli

    for group in (users_cli, structures_cli, audit_cli, keys_cli, demo_cli, beneficiaries_cli, reports_cli,
                  reference_cli):
        app.cli.add_command(group)
