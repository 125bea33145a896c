from django.core.management.base import BaseCommand, CommandParser

from amparo.cases.actions import deadlines_sweep
from amparo.cases.tasks import sweep_deadlines


class Command(BaseCommand):
    help = "Escalate overdue case tasks now, or enqueue the sweep for the background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="leave it to `db_worker`")

    def handle(self, *args: object, **options: bool) -> None:
        if options["enqueue"]:
            result = sweep_deadlines.enqueue()
            self.stdout.write(f"Sweep enqueued: {result.id}")
            return
        self.stdout.write(f"{deadlines_sweep()} overdue task(s) escalated.")
