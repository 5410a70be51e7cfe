"""Writes for structures: loading the reference data idempotently."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from caseapp.extensions import db
from caseapp.structures.models import Service, Structure
from caseapp.structures.reference_data import STRUCTURES


@dataclass
class LoadResult:
    structures_created: int = 0
    services_created: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.structures_created or self.services_created)


def load_reference_data(entries=STRUCTURES) -> LoadResult:
    """Create missing structures and services; never overwrite what admins edited."""
    result = LoadResult()
    by_code = {s.code: s for s in db.session.execute(select(Structure)).scalars()}
    for entry in entries:
        structure = by_code.get(entry["code"])
        if structure is None:
            structure = Structure(
                code=entry["code"], name_el=entry["name_el"], name_en=entry["name_en"],
                kind=entry["kind"], confidential=entry["confidential"], active=True,
                capacity=entry.get("capacity"),
            )
            db.session.add(structure)
            by_code[structure.code] = structure
            result.structures_created += 1
        elif structure.capacity is None and entry.get("capacity"):
            structure.capacity = entry["capacity"]  # a capacity added to the reference data later
        result.services_created += _add_missing_services(structure, entry["services"])
    db.session.flush()
    _link_parents(entries, by_code)
    db.session.flush()
    return result


def _add_missing_services(structure: Structure, services) -> int:
    existing = {s.code for s in structure.services}
    created = 0
    for code, name_el, name_en, unit in services:
        if code not in existing:
            structure.services.append(Service(code=code, name_el=name_el, name_en=name_en, unit=unit))
            created += 1
    return created


def _link_parents(entries, by_code) -> None:
    for entry in entries:
        structure = by_code[entry["code"]]
        if entry["parent"] and structure.parent_id is None:
            structure.parent = by_code[entry["parent"]]
