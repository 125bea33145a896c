import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from amparo.demo.generator import DEMO_PASSWORD, create_demo_users, generate_people
from amparo.people.models import Person


class Command(BaseCommand):
    help = "Load reference data, the demo accounts and N synthetic people (deterministic)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=2000, help="how many people to add")
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

    def handle(self, *args: object, **opts: int) -> None:
        call_command("seed", stdout=self.stdout)
        users = create_demo_users()
        count = opts["people"]
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
        from amparo.core.models import User

        case_users = User.objects.filter(username__regex=r"^(caseworker|supervisor)\.")
        if case_users.exists():
            names = ", ".join(sorted(case_users.values_list("username", flat=True)))
            self.stdout.write(f"Accounts that hold the demo cases: {names}")
        self.stdout.write(f"\nDemo accounts (password for all: {DEMO_PASSWORD}):")
        for spec, totp in users:
            code = f"  + code: .venv/bin/python manage.py demo_code {spec.username}"
            extra = code if totp else ""
            self.stdout.write(f"  {spec.username:<20} {spec.role:<18} {spec.institution}{extra}")
