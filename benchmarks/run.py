"""Measure page latency as a ratio to a hello-world route, and check the targets.

Run: `.venv/bin/python benchmarks/run.py [--rows N] [--repeat N]`. Exits 1 when a
target is missed. In-process (Flask test client), so it measures the app, not the
network; the same run measures `/healthz` as the unit, in blocks alternating with
each page (see `measure`).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import re
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.dataset import BENCH_KEYS, SEARCHED_SURNAME, build_dataset, deep_cursor, login  # noqa: E402
from caseapp import create_app  # noqa: E402

DEEP_ROWS = 4000  # the deep page starts after this many rows (80 pages of 50)


@dataclass(frozen=True)
class Target:
    """A page and its budget as a ratio to hello-world. `{deep_cursor}` in the path is filled
    in from the dataset; a POST sends `form` plus a CSRF token taken from `csrf_from`."""

    path: str
    ratio: float
    method: str = "GET"
    form: dict = field(default_factory=dict)
    csrf_from: str | None = None


# Ratios: see README.md for how they follow from DESIGN.md §10.
LIST_PAGE = 45.0  # see benchmarks/README.md, "Decision"
TARGETS = {
    "login page": Target("/login", 8.0),
    "user list (50 rows)": Target("/admin/users/", 30.0),
    "beneficiary list, first page (50 rows)": Target("/beneficiaries/", LIST_PAGE),
    "beneficiary list, deep keyset page (50 rows)": Target("/beneficiaries/?after={deep_cursor}", LIST_PAGE),
    "surname search, Greek spelling (POST)": Target("/beneficiaries/search", 50.0, method="POST",
                                                    form={"surname": SEARCHED_SURNAME},
                                                    csrf_from="/beneficiaries/"),
}
# Keyset pagination: a page 80 pages deep costs what the first one does (OFFSET would not).
DEPTH_PENALTY = ("beneficiary list, deep keyset page (50 rows)", "beneficiary list, first page (50 rows)", 1.25)

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def request_for(client, target: Target, path: str):
    """A zero-argument callable sending the target's request (CSRF token fetched once)."""
    if target.method == "GET":
        return lambda: client.get(path)
    data = dict(target.form)
    if target.csrf_from:
        page = client.get(target.csrf_from).get_data(as_text=True)
        data["csrf_token"] = _CSRF.search(page).group(1)
    return lambda: client.open(path, method=target.method, data=data)


def _timed(send, count: int, what: str) -> list[float]:
    timings = []
    for _ in range(count):
        start = time.perf_counter()
        response = send()
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (what, response.status_code)
    return timings


def measure(send, repeat: int, what: str = "", unit=None, block: int = 20):
    """Median seconds per request after a warm-up; GC frozen as gunicorn.conf.py does.

    With `unit` (the hello-world request), returns (median, ratio to unit): the two
    are timed in alternating blocks of `block` requests and the ratio is the median
    of the per-block ratios. This 2-core VM's speed drifts by tens of percent from
    one second to the next; a unit measured once would carry that drift into every
    ratio, and alternating single requests would time hello-world with cold caches.
    """
    for _ in range(5):
        send()
        if unit:
            unit()
    gc.collect()
    gc.freeze()
    try:
        if unit is None:
            return statistics.median(_timed(send, repeat, what))
        timings, ratios = [], []
        for _ in range(max(1, repeat // block)):
            unit_block = statistics.median(_timed(unit, block, "hello world"))
            target_block = _timed(send, block, what)
            timings.extend(target_block)
            ratios.append(statistics.median(target_block) / unit_block)
        return statistics.median(timings), statistics.median(ratios)
    finally:
        gc.unfreeze()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=2000,
                        help="beneficiaries in the dataset (users: at most 200)")
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite"
        app = create_app("test", SQLALCHEMY_DATABASE_URI=url, CASEAPP_KEYS=BENCH_KEYS,
                         LOGIN_LIMIT_PER_ADDRESS="100000 per minute")
        build_dataset(app, rows=args.rows)
        cursor = deep_cursor(app, max(1, min(DEEP_ROWS, args.rows - 50)))
        results = run_targets(app, args.repeat, {"deep_cursor": cursor})
    print(json.dumps(results, indent=2, ensure_ascii=False))
    missed = [name for name, r in results.items() if "ok" in r and not r["ok"]]
    if missed:
        print(f"MISSED: {', '.join(missed)}", file=sys.stderr)
        return 1
    print("All targets met.")
    return 0


def run_targets(app, repeat: int, values: dict) -> dict:
    anonymous = app.test_client()
    hello = lambda: anonymous.get("/healthz")  # noqa: E731
    results = {"hello world": {"median_ms": round(measure(hello, repeat, "hello world") * 1000, 3)}}
    clients = {}
    for name, target in TARGETS.items():
        path = target.path.format(**values)
        if "None" in path:  # e.g. no deep cursor in a dataset of fewer than 51 rows
            results[name] = {"skipped": "dataset too small"}
            continue
        role = role_for(target.path)
        if role not in clients:
            clients[role] = login(app, role) if role else anonymous
        median, ratio = measure(request_for(clients[role], target, path), repeat, name, unit=hello)
        results[name] = {"median_ms": round(median * 1000, 3), "ratio": round(ratio, 1),
                         "target": target.ratio, "ok": ratio <= target.ratio}
    deep, first, limit = DEPTH_PENALTY
    if "ratio" in results.get(deep, {}) and "ratio" in results.get(first, {}):
        penalty = results[deep]["ratio"] / results[first]["ratio"]
        results["deep page / first page"] = {"ratio": round(penalty, 2), "target": limit, "ok": penalty <= limit}
    return results


def role_for(path: str) -> str | None:
    if path.startswith("/admin"):
        return "admin"
    if path.startswith("/beneficiaries"):
        return "caseworker"
    return None


if __name__ == "__main__":
    sys.exit(main())
