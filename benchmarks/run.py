"""Measure page latency as a ratio to a hello-world route, and check the targets.

Run: `.venv/bin/python benchmarks/run.py [--rows N] [--repeat N]`. Exits 1 when a
target is missed. In-process (Flask test client), so it measures the app, not the
network; the same run measures `/healthz` as the unit.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.dataset import BENCH_KEYS, build_dataset, login  # noqa: E402
from caseapp import create_app  # noqa: E402

TARGETS = {
    "login page": ("/login", 8.0),
    "user list (50 rows)": ("/admin/users/", 25.0),
}


def measure(client, path: str, repeat: int) -> float:
    """Median seconds per GET after a warm-up; GC frozen as gunicorn.conf.py does."""
    for _ in range(5):
        client.get(path)
    gc.collect()
    gc.freeze()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    gc.unfreeze()
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000, help="beneficiaries/users in the dataset")
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
        app = create_app("test", SQLALCHEMY_DATABASE_URI=url, CASEAPP_KEYS=BENCH_KEYS,
                         LOGIN_LIMIT_PER_ADDRESS="100000 per minute")
        build_dataset(app, rows=args.rows)
        results = run_targets(app, args.repeat)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    missed = [name for name, r in results.items() if name != "hello world" and not r["ok"]]
    if missed:
        print(f"MISSED: {', '.join(missed)}", file=sys.stderr)
        return 1
    print("All targets met.")
    return 0


def run_targets(app, repeat: int) -> dict:
    anonymous = app.test_client()
    unit = measure(anonymous, "/healthz", repeat)
    results = {"hello world": {"median_ms": round(unit * 1000, 3)}}
    clients = {}
    for name, (path, target) in TARGETS.items():
        role = role_for(path)
        if role not in clients:
            clients[role] = login(app, role) if role else anonymous
        median = measure(clients[role], path, repeat)
        ratio = median / unit
        results[name] = {"median_ms": round(median * 1000, 3), "ratio": round(ratio, 1),
                         "target": target, "ok": ratio <= target}
    return results


def role_for(path: str) -> str | None:
    if path.startswith("/admin"):
        return "admin"
    if path.startswith("/beneficiaries"):
        return "caseworker"
    return None


if __name__ == "__main__":
    sys.exit(main())
