"""Synthetic dataset for benchmarks: reference data, users, and (later) beneficiaries."""
from __future__ import annotations

import base64
import json
import re

from flask_migrate import upgrade

from caseapp.auth import service as auth_service
from caseapp.extensions import db
from caseapp.structures.service import load_reference_data

PASSWORD = "benchmark passphrase long enough"
BENCH_KEYS = json.dumps({"active": "bench-1", "keys": {"bench-1": base64.b64encode(b"\x07" * 32).decode()},
                         "index_key": base64.b64encode(b"\x08" * 32).decode()})


def build_dataset(app, rows: int) -> None:
    with app.app_context():
        upgrade()
        load_reference_data()
        for role, structures in (("admin", ()), ("caseworker", ("KEM",))):
            auth_service.create_user(username=f"bench-{role}", display_name=role, role=role,
                                     password=PASSWORD, structure_codes=structures)
        for i in range(min(rows, 200)):
            auth_service.create_user(username=f"user{i:05d}", display_name=f"User {i}", role="caseworker",
                                     password=PASSWORD, structure_codes=("KEM", "CLINICS"))
        db.session.commit()


def login(app, role: str):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": f"bench-{role}", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    return client
