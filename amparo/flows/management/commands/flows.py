"""manage.py flows: surge detection on a file of daily flow counts (docs/flows.md).

  flows detect INPUT.csv --out DIR [--false-alarms-per-year X] [--quiet-days N]
      -> DIR/phases.csv (point, date, phase, expected, observed, statistic)
         DIR/national.csv, DIR/drilldown.csv, DIR/thresholds.csv

Bad input stops the command before anything is written, naming the line and the column.
"""

from __future__ import annotations

import datetime
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from amparo.flows import batch, engine
from amparo.flows.series import FlowInputError, build_table, read_rows


class Command(BaseCommand):
    help = "Detect unusual migratory flows in a CSV of daily counts (docs/flows.md)."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        detect = sub.add_parser("detect", help="phases per crossing point and day")
        detect.add_argument("input", type=Path)
        detect.add_argument("--out", type=Path, required=True)
        detect.add_argument("--false-alarms-per-year", type=float, default=1.0)
        detect.add_argument("--watch-per-year", type=float, default=4.0)
        detect.add_argument("--quiet-days", type=int, default=3)
        detect.add_argument("--direction", choices=["in", "out"], default="in")
        run = sub.add_parser("run", help="detection over the database (phases, plans, tasks)")
        run.add_argument("--false-alarms-per-year", type=float, default=1.0)
        run.add_argument("--as-of", type=datetime.date.fromisoformat, default=None)
        run.add_argument("--enqueue", action="store_true", help="queue it for manage.py db_worker")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "run":
            self._run(options)
            return
        budget = options["false_alarms_per_year"]
        if not 0 < budget <= 365:
            raise CommandError(_("--false-alarms-per-year must be between 0 and 365"))
        if options["quiet_days"] < 1:
            raise CommandError(_("--quiet-days must be at least 1"))
        started = time.perf_counter()
        try:
            rows = read_rows(options["input"])
        except FlowInputError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        table = build_table(rows, direction=options["direction"])
        for warning in table.warnings:
            self.stderr.write(warning)
        config = engine.EngineConfig(
            false_alarms_per_year=budget,
            watch_per_year=max(options["watch_per_year"], budget),
            quiet_days=options["quiet_days"],
        )
        result = batch.run(table, config)
        counts = batch.write_outputs(result, options["out"])
        self.stdout.write(
            _(
                "%(rows)d rows read, %(points)d points, %(days)d days; %(phases)d phase rows and "
                "%(drill)d drill-down rows written to %(out)s in %(secs).1f s"
            )
            % {
                "rows": len(rows),
                "points": len(table.points),
                "days": table.days.size,
                "phases": counts["phases"],
                "drill": counts["drilldown"],
                "out": options["out"],
                "secs": time.perf_counter() - started,
            }
        )

    def _run(self, options: dict[str, Any]) -> None:
        """Daily use from cron or a systemd timer (e.g. `flows run --enqueue` at 10:30)."""
        from django.utils import timezone

        from amparo.flows.models import DetectionRun

        budget = options["false_alarms_per_year"]
        if not 0 < budget <= 365:
            raise CommandError(_("--false-alarms-per-year must be between 0 and 365"))
        as_of = options["as_of"]
        if as_of is not None and as_of > timezone.localdate():
            raise CommandError(_("--as-of cannot be in the future"))
        if options["enqueue"]:
            from amparo.flows.tasks import detection_task

            run = DetectionRun.objects.create(
                requested_at=timezone.now(),
                as_of=as_of or timezone.localdate(),
                false_alarms_per_year=budget,
            )
            detection_task.enqueue(str(run.pk))
            self.stdout.write(_("Detection queued (run %(id)s).") % {"id": run.pk})
            return
        from amparo.flows.detection import run_detection

        run = run_detection(actor=None, as_of=as_of, budget=budget)
        self.stdout.write(
            ngettext(
                "Detection done as of %(day)s: %(changes)s phase change.",
                "Detection done as of %(day)s: %(changes)s phase changes.",
                run.summary.get("changes", 0),
            )
            % {"day": run.as_of, "changes": run.summary.get("changes", 0)}
        )
