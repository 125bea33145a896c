"""The stats app's rows of the web authorization matrix (see tests/matrix.py).

Figures name no one, so they are network-wide for every `stats.read` user; the records behind
a figure need `stats.records` and show only the user's own institution's records (tested with
records in tests/test_stats_web.py). API operations are tested by role in
tests/test_stats_api.py."""

from __future__ import annotations

from typing import Any

from amparo.core.permissions import Perm

from .matrix import Row

PERIOD = "?start=2018-01-01&end=2018-03-31"

WEB_ROWS: dict[tuple[str, str], Row] = {
    ("GET", "stats:index"): Row(Perm.STATS_READ, 200),
    ("GET", "stats:questions"): Row(Perm.STATS_READ, 200, query=PERIOD),
    ("GET", "stats:report"): Row(Perm.STATS_READ, 200, query=PERIOD),
    ("GET", "stats:export"): Row(Perm.STATS_READ, 200, query=PERIOD),
    ("GET", "stats:indicator"): Row(Perm.STATS_READ, 200, query=PERIOD + "&by=sex&by=age_group"),
    ("GET", "stats:records"): Row(Perm.STATS_RECORDS, 200, query=PERIOD + "&by=sex&key=F"),
    # A kept computation (computed by the worker): its state, its file, and a retry after failure.
    ("GET", "stats:computation"): Row(Perm.STATS_READ, 200),
    ("GET", "stats:computation_file"): Row(Perm.STATS_READ, 200),
    ("POST", "stats:computation_again"): Row(Perm.STATS_READ, 302),
}

API_OPERATIONS: set[tuple[str, str]] = {
    ("GET", "/api/v1/stats/indicators"),
    ("GET", "/api/v1/stats/indicators/{indicator_id}"),
}


def web_world(make_user: Any, holder: Any, target: Any) -> dict[str, dict[str, Any]]:
    return {
        "stats:indicator": {"indicator_id": "consular.services"},
        "stats:records": {"indicator_id": "consular.services"},
        "stats:export": {"fmt": "csv"},
        "stats:computation": {"job_id": _computation("dashboard", status="done").pk},
        "stats:computation_file": {"job_id": _computation("export", status="done").pk},
        "stats:computation_again": {"job_id": _computation("report", status="failed").pk},
    }


def _computation(kind: str, *, status: str) -> Any:
    """A computation as the worker leaves it: a result kept, a file written, or a failure."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from amparo.stats.models import Computation

    job = Computation.objects.create(
        key=f"matrix-{kind}-{status}",
        kind=kind,
        params={"start": "2018-01-01", "end": "2018-03-31", "fmt": "csv"},
        language="es",
        status=status,
        requested_at=timezone.now(),
        finished_at=timezone.now(),
        html="<p>1,234</p>" if status == "done" else "",
        error="" if status == "done" else "La base de datos no respondió.",
    )
    if kind == "export":
        job.file.save("matrix-export.csv", ContentFile(b"indicator_id,value\n"), save=True)
    return job
