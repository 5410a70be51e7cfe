"""Which reports a user may see, and building one.

- coordinators: every structure (partners aside) and the city-wide report;
- supervisors: the structures they belong to;
- caseworkers: their own caseload (`reports.caseload`).

City-wide figures take the confidential structures' counts only from the threshold up (a
count under 5 there adds nothing). A suppressed city report's additive figures are the sums of
what every structure's suppressed report publishes, the confidential ones' included
(`suppression.coordinate`): no subtraction gives back a cell one of them hides, small or hidden
with a small one. A report leaves its structure when it is city-wide or when its reader does not
belong to the structure (a coordinator's view): it is then suppressed (`suppression`) and names
no caseworker (a confidential structure's caseload lines are left out). Command-line exports are
for sending on, so they are always suppressed and name nobody.
"""
from __future__ import annotations

from sqlalchemy import select

from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.reports import suppression
from caseapp.reports.model import Month, Report, Section
from caseapp.reports.sections import SectionContext, sections_for
from caseapp.structures.models import Structure, StructureKind

CITY = "city"


def reportable_structures(user) -> list[Structure]:
    """The structures whose report `user` may open, by code (one query for a coordinator)."""
    if user.has_permission("reports.all_structures"):
        return list(db.session.execute(
            select(Structure).where(Structure.kind != StructureKind.PARTNER).order_by(Structure.code)).scalars())
    if user.has_permission("reports.view"):
        return [s for s in user.structures if not s.is_partner]
    return []


def leaves_structure(user, structure: Structure | None) -> bool:
    return user is None or structure is None or structure.id not in user.structure_ids


def build_report(month: Month, *, structure: Structure | None = None, caseload_of=None, suppressed: bool,
                 generated_by: str | None, progress=None, staff_names: bool | None = None) -> Report:
    """The report of `month` for one structure, the city (`structure` None) or a caseworker's
    caseload (`caseload_of`: the user). `progress(section_key)` is called after each section.

    Access is the caller's to check (`reportable_structures`). `staff_names`: whether the
    caseload-per-caseworker lines of a structure report name the caseworkers; by default only an
    unsuppressed report does (its reader belongs to the structure, `leaves_structure`). Without
    names the lines read "Caseworker 1, 2, ..."; for a confidential structure they are left out.

    A fixed number of queries whatever the number of rows (each section's are). A suppressed city
    report also builds each structure's, once (and a confidential one's part in the city,
    `suppression.coordinate`): the domains' counts are read once for all of them
    (`sections.monthly_counts`, `sections.shared`), so it runs about as many queries as an
    unsuppressed city report, growing neither with the rows nor with the structures."""
    if staff_names is None:
        staff_names = not suppressed
    confidential = ()
    if caseload_of is None and structure is None:
        confidential = tuple(db.session.execute(
            select(Structure.id).where(Structure.confidential.is_(True)).order_by(Structure.id)).scalars())
    coordinated = suppressed and caseload_of is None and structure is None
    shared = {} if coordinated else None
    report = _build(month, structure=structure, caseload_of=caseload_of, confidential=confidential,
                    staff_names=staff_names, generated_by=generated_by, progress=progress, shared=shared)
    if coordinated:
        pairs = []
        for other in db.session.execute(select(Structure).where(Structure.kind != StructureKind.PARTNER)
                                        .order_by(Structure.code)).scalars().all():
            raw = _build(month, structure=other, staff_names=False, shared=shared)
            part = _build(month, structure=other, confidential=(other.id,), staff_names=False, shared=shared) \
                if other.confidential else raw
            pairs.append((raw, part))
        suppression.coordinate(report, pairs)
    if suppressed:
        suppression.suppress(report)
    return report


def _build(month: Month, *, structure: Structure | None = None, caseload_of=None, confidential=(),
           staff_names: bool, generated_by: str | None = None, progress=None, shared: dict | None = None) -> Report:
    """The unsuppressed report (see `build_report`); `confidential`: the structures whose counts
    enter only from the threshold up (`SectionContext.confidential_ids`); `shared`: the domains'
    counts read once for the city and its structures (`sections.monthly_counts`), which also marks
    a structure's report built for `suppression.coordinate` only (`SectionContext.differencing`)."""
    if caseload_of is not None:
        scope, ids = "caseload", None
    elif structure is None:
        scope, ids = CITY, None
    else:
        scope, ids = "structure", (structure.id,)
    staff = "named" if staff_names else ("none" if structure is not None and structure.confidential else "unnamed")
    context = SectionContext(month, ids, scope, caseload_of.id if caseload_of is not None else None, confidential,
                             staff, shared, differencing=shared is not None and structure is not None)
    sections = []
    for module in sections_for(scope):
        sections.append(Section(module.KEY, str(module.TITLE), module.build(context)))
        if progress:
            progress(module.KEY)
    return Report(month, scope, structure, sections, False, generated_by, utcnow(), list(ids) if ids else None)
