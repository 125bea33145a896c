"""The issue-4 benchmarks run end to end at a small size (full-size runs are by hand; figures in
docs/benchmarks.md). They use their own scratch SQLite database under var/."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="run once, with the SQLite suite",
)
def test_import_and_contact_logging_benchmarks_run(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    out = subprocess.run(
        [sys.executable, "bench/import_contacts.py", "--db", "sqlite", "--rows", "3000"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "rows=3,000" in out.stdout and "0 rows added" in out.stdout
    env["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'import_bench.sqlite3'}"
    out = subprocess.run(
        [sys.executable, "bench/contact_log.py", "--requests", "20"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "contacts in the database: 3,000" in out.stdout and "ratio of p95s" in out.stdout
    # The operator's screens as the browser meets them, on the same small database.
    out = subprocess.run(
        [sys.executable, "bench/operator_screens.py", "--heavy", "bench-importer"]
        + ["--demo-accounts", "--iterations", "3", "--list-requests", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "recorded by bench-importer: 3,000" in out.stdout, out.stdout
    assert out.stdout.count("save+reload: p95 / bare p95") == 2 and "audit trail" in out.stdout
