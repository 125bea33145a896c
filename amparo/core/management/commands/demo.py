import argparse
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.demo.generator import DEMO_PASSWORD, create_demo_users, generate_people
from amparo.people.models import Person


class Command(BaseCommand):
    help = "Load reference data, the demo accounts and N synthetic people (deterministic)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--people",
            type=int,
            default=None,
            help="how many people to add (default 2000, or 0 with --national)",
        )
        parser.add_argument("--seed", type=int, default=2019)
        parser.add_argument("--batch", type=int, default=10_000)
        parser.add_argument(
            "--if-empty", action="store_true", help="add people only if there are none"
        )
        parser.add_argument(
            "--cases-per-stage",
            type=int,
            default=2,
            help="demo cases resting in each stage of each protocol (0: none)",
        )
        parser.add_argument(
            "--tracing",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="missing-person reports, remains and tracing requests for the demo people",
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help="add the national figures of CMW/C/SR.413: support line, mobile consulates, "
            "consular services, civil registry, travel documents, shelters, returnees, "
            "trafficking, labour migration and migratory flows",
        )
        parser.add_argument(
            "--flows-detection",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="with --national, run the alert detection over the flows (about 20 s)",
        )
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="multiply every national volume by this (rounded, at least 1)",
        )

    def handle(self, *args: object, **opts: Any) -> None:
        national = opts["national"]
        if national and not opts["scale"] > 0:
            raise CommandError("--scale must be positive.")
        if national and not opts["if_empty"]:
            from amparo.demo.national import AlreadyLoaded, refuse_if_loaded

            try:
                refuse_if_loaded()
            except AlreadyLoaded as exc:
                raise CommandError(str(exc)) from exc
        call_command("seed", stdout=self.stdout)
        users = create_demo_users()
        count = opts["people"] if opts["people"] is not None else (0 if national else 2000)
        if opts["if_empty"] and Person.objects.exists():
            count = 0
        started = time.monotonic()
        if count:

            def progress(done: int) -> None:
                rate = done / max(time.monotonic() - started, 1e-6)
                self.stdout.write(f"\r  {done:,}/{count:,} people ({rate:,.0f}/s)", ending="")
                self.stdout.flush()

            generate_people(
                count=count, seed=opts["seed"], batch_size=opts["batch"], progress=progress
            )
            self.stdout.write(f"\n{count:,} people in {time.monotonic() - started:.1f} s")
        if count and opts["cases_per_stage"]:
            from amparo.demo.cases import generate_cases

            made = generate_cases(per_stage=opts["cases_per_stage"], seed=opts["seed"])
            self.stdout.write(f"{made} cases across every protocol and stage")
        if count and opts["tracing"]:
            self._tracing(opts["seed"])
        if national:
            self._national(opts)
        from amparo.recommendations.demo import generate_recommendations

        if recs := generate_recommendations():
            self.stdout.write(f"{recs} recommendations to follow up (demo document)")
        from amparo.core.models import User

        case_users = User.objects.filter(username__regex=r"^(caseworker|supervisor)\.").exclude(
            username__in=[spec.username for spec, _totp in users]
        )
        if case_users.exists():
            names = ", ".join(sorted(case_users.values_list("username", flat=True)))
            self.stdout.write(f"Accounts that hold the demo cases: {names}")
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for spec, totp in users:
            code = f"  + code: .venv/bin/python manage.py demo_code {spec.username}"
            extra = code if totp else ""
            self.stdout.write(f"  {spec.username:<20} {spec.role:<18} {spec.institution}{extra}")

    def _tracing(self, seed: int) -> None:
        from amparo.core.models import User
        from amparo.demo.tracing import generate_tracing

        made = generate_tracing(
            minex=User.objects.get(username="consul.minex"),
            forensic=User.objects.get(username="forense.inacif"),
            sbs=User.objects.get(username="trabajadora.sbs"),
            seed=seed,
        )
        self.stdout.write(f"{made} missing-person reports, remains and tracing requests")

    def _national(self, opts: dict[str, Any]) -> None:
        from amparo.demo.national import (
            AlreadyLoaded,
            generate_national,
            national_loaded,
            registers_empty,
        )
        from amparo.flows.demo import generate_flows
        from amparo.labour.demo import generate_labour

        if opts["if_empty"] and (national_loaded() or not registers_empty()):
            self.stdout.write("National data not added: the registers already have entries.")
            return
        started = time.monotonic()
        shown = {"step": ""}

        def progress(step: str, done: int, total: int) -> None:
            if step != shown["step"] and shown["step"]:
                self.stdout.write("")
            shown["step"] = step
            self.stdout.write(f"\r  {step}: {done:,}/{total:,}", ending="")
            self.stdout.flush()

        try:
            summary = generate_national(scale=opts["scale"], seed=opts["seed"], progress=progress)
            labour = generate_labour(scale=opts["scale"], seed=opts["seed"], progress=progress)
        except AlreadyLoaded as exc:
            raise CommandError(str(exc)) from exc
        try:
            flows = generate_flows(
                seed=opts["seed"], scale=opts["scale"], detect=opts["flows_detection"]
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"\nNational data (scale {opts['scale']:g}):")
        for name, n in summary.volumes.items():
            self.stdout.write(f"  {name.replace('_', ' '):<24}{n:>12,}")
        for name, n in labour.volumes.items():
            self.stdout.write(f"  {'labour ' + name.replace('_', ' '):<24}{n:>12,}")
        self.stdout.write(f"  {'migrants entering 2018':<24}{flows.entries_2018:>12,}")
        self.stdout.write(f"  {'entering Jan-Mar 2019':<24}{flows.entries_2019q1:>12,}")
        self.stdout.write(f"  {'supported (caravan plan)':<24}{flows.people_supported:>12,}")
        self.stdout.write(f"  {'people created':<24}{summary.people + labour.people:>12,}")
        steps = ", ".join(f"{name} {s:.1f} s" for name, s in summary.seconds.items())
        self.stdout.write(f"in {time.monotonic() - started:.1f} s ({steps})")
        self.stdout.write(
            "The civil registry's steps are taken by registrador.renap; labour migration by "
            "seleccion.mintrab, supervisora.mintrab and consul.montreal (demo password)."
        )
