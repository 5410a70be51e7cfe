"""`flask reports monthly`: the monthly report as a file, for a scheduled job.

The file is meant to be sent on, so it is always suppressed (as a city-wide or a
coordinator's report is); the export is audited (no user: the scheduled job).
"""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from caseapp.extensions import db
from caseapp.reports import exports, service
from caseapp.reports.model import Month
from caseapp.reports.sections import sections_for
from caseapp.security.audit import record_and_commit
from caseapp.structures.models import Structure

reports_cli = AppGroup("reports", help="Monthly reports.")


@reports_cli.command("monthly")
@click.option("--month", "month_text", required=True, help="The month, as YYYY-MM (e.g. 2026-10).")
@click.option("--structure", "code", default=None, help="A structure's code (e.g. KEM); city-wide without it.")
@click.option("--format", "fmt", type=click.Choice(sorted(exports.FORMATS)), default="xlsx", show_default=True)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="The file to write.")
def monthly_command(month_text: str, code: str | None, fmt: str, out: Path):
    """Write the report of MONTH (city-wide, or of one structure) as XLSX or a zip of CSV files."""
    month = Month.parse(month_text)
    if month is None:
        raise click.BadParameter("expected YYYY-MM, e.g. 2026-10", param_hint="--month")
    structure = None
    if code:
        structure = db.session.execute(select(Structure).where(Structure.code == code)).scalar_one_or_none()
        if structure is None or structure.is_partner:
            raise click.BadParameter(f"no structure with code {code}", param_hint="--structure")
    scope = service.CITY if structure is None else "structure"
    steps = 2 * len(sections_for(scope))
    show = sys.stderr.isatty()
    with click.progressbar(length=steps, label=f"Report {month}", file=sys.stderr if show else None,
                           show_eta=False) as bar:
        report = service.build_report(month, structure=structure, suppressed=True, generated_by=None,
                                      progress=lambda _key: bar.update(1))
        write, _mimetype, _extension = exports.FORMATS[fmt]
        body = write(report, progress=lambda _key: bar.update(1))
    out.write_bytes(body)
    where = service.CITY if structure is None else structure.code
    record_and_commit("report.export", object_type="monthly_report", object_id=f"{month}:{where}:{fmt}",
                      structure_id=structure.id if structure else None)
    click.echo(f"Wrote {out} ({len(body)} bytes).")
