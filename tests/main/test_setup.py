"""Set-up: `make run` installs only what the app needs; the README and docs stand alone."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

def _dry_run(target: str) -> str:
    """The commands `make <target>` would run on a fresh machine (nothing is executed)."""
    return subprocess.run(["make", "--dry-run", "--always-make", target], cwd=ROOT, capture_output=True,
                          text=True, check=True).stdout

def test_make_run_installs_the_app_without_the_test_extras():
    commands = _dry_run("run")
    assert re.search(r"pip install .*-e \.$", commands, re.M)
    assert "[test]" not in commands

def test_make_test_installs_the_test_extras():
    assert "-e '.[test]'" in _dry_run("test")

def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
            *sorted((ROOT / "static" / "vendor").rglob("README.md"))]

def test_the_readme_and_docs_link_nothing_outside_the_repository():
    outside = []
    for path in _documents():
        text = path.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)]+)\)", text) + re.findall(r"`([^`\s]+\.md)`", text):
            if target.startswith(("http://", "https://", "#", "mailto:")):
                continue
            resolved = (path.parent / target.split("#")[0]).resolve()
            if not resolved.is_relative_to(ROOT) or not resolved.exists():
                outside.append(f"{path.relative_to(ROOT)} → {target}")
        if re.search(r"\.\./shared|/work/|DESIGN\.md", text):
            outside.append(f"{path.relative_to(ROOT)} names a file outside the repository")
    assert outside == []
