"""`manage.py stats report --from YYYY-MM-DD --to YYYY-MM-DD --format json`: every indicator of
the catalogue for the period, unsuppressed (internal use: scripts and our own checks)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from amparo.core.models import Institution
from amparo.stats.compute import Period
from amparo.stats.registry import catalogue
from amparo.stats.report import build_report, indicators_by_id, report_dict


def _day(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{name}: “{text}” is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "Statistics: the indicator report for a period, or the list of indicators."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="every indicator for a period")
        report.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        report.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        report.add_argument("--format", choices=["json", "text"], default="json")
        report.add_argument(
            "--indicator", action="append", default=[], help="only this indicator (repeatable)"
        )
        report.add_argument("--institution", default="", help="only this institution's records")
        report.add_argument("--language", choices=["es", "en"], default="es")
        sub.add_parser("list", help="the catalogue: id and title of every indicator")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "list":
            for ind in catalogue():
                self.stdout.write(f"{ind.id}\t{ind.title}")
            return
        start, end = _day(opts["start"], "--from"), _day(opts["end"], "--to")
        if end < start:
            raise CommandError("--to is before --from.")
        try:
            chosen = indicators_by_id(opts["indicator"]) if opts["indicator"] else None
        except KeyError as exc:
            raise CommandError(f"--indicator: unknown indicator “{exc.args[0]}”.") from None
        institution = None
        if opts["institution"]:
            institution = Institution.objects.filter(code=opts["institution"]).first()
            if institution is None:
                raise CommandError(f"--institution: unknown institution “{opts['institution']}”.")
        with translation.override(opts["language"]):
            report = build_report(
                Period(start, end),
                chosen,
                institution_id=institution.pk if institution else None,
                institution=institution.code if institution else "",
            )
            data = report_dict(report)
        if opts["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            return
        self.stdout.write(f"{data['period']['from']} – {data['period']['to']}")
        for item in data["indicators"]:
            self.stdout.write(f"{item['id']}\t{item['value']}\t{item['title']}")
