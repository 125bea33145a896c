"""`manage.py recommendations parse FILE --out OUT.json` (and `import-uhri FILE`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.recommendations.errors import ParseError
from amparo.recommendations.parsing import parse_file


class Command(BaseCommand):
    help = "Recommendations monitoring: parse UN documents, import UHRI exports."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        parse = sub.add_parser("parse", help="Parse a text, DOCX or PDF document to JSON.")
        parse.add_argument("file")
        parse.add_argument("--out", help="Write the JSON here (default: standard output).")
        uhri = sub.add_parser("import-uhri", help="Import a UHRI JSON export (re-importable).")
        uhri.add_argument("file")
        remind = sub.add_parser(
            "remind", help="Send the reminders of indicators and actions due soon."
        )
        remind.add_argument(
            "--enqueue", action="store_true", help="Queue it for the background worker instead."
        )
        group = sub.add_parser("group", help="Group similar recommendations across mechanisms.")
        group.add_argument("--threshold", type=float, default=0.45)

    def handle(self, *args: object, **options: Any) -> None:
        sub = options["subcommand"]
        if sub == "parse":
            self._parse(options["file"], options.get("out"))
        elif sub == "remind":
            from amparo.recommendations.tasks import send_reminders, send_reminders_task

            if options["enqueue"]:
                result = send_reminders_task.enqueue()
                self.stdout.write(f"reminders queued for the worker ({result.id})")
            else:
                self.stdout.write(f"{send_reminders()} reminder(s) sent")
        elif sub == "group":
            from amparo.recommendations.actions import recommendations_group

            n = recommendations_group(actor=None, threshold=options["threshold"])
            self.stdout.write(f"{n} group(s) of similar recommendations")
        else:
            self._import_uhri(options["file"])

    def _parse(self, file: str, out: str | None) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            doc = parse_file(path)
        except ParseError as exc:
            raise CommandError(f"{file}: {exc.message}") from exc
        text = json.dumps(doc.to_json(), ensure_ascii=False, indent=2)
        if out:
            Path(out).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(
                f"{doc.symbol or '?'} ({doc.kind}, {doc.language}): {len(doc.paragraphs)} "
                f"paragraphs, {len(doc.recommendations)} recommendations, {len(doc.turns)} turns "
                f"→ {out}"
            )
        else:
            sys.stdout.write(text + "\n")

    def _import_uhri(self, file: str) -> None:
        from amparo.core.errors import InvalidInput
        from amparo.recommendations.uhri import uhri_import

        path = Path(file)
        if not path.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            with path.open("rb") as fh:
                result = uhri_import(actor=None, stream=fh)
        except InvalidInput as exc:
            raise CommandError("; ".join(m for ms in exc.errors.values() for m in ms)) from exc
        self.stdout.write(
            f"{result.created} created, {result.changed} changed, {result.unchanged} unchanged"
        )
