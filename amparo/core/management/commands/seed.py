from django.core.management.base import BaseCommand

from amparo.core.reference import load_all


class Command(BaseCommand):
    help = "Load or refresh reference data: countries, languages, geography, institutions, sites."

    def handle(self, *args: object, **options: object) -> None:
        counts = load_all()
        for name, count in counts.items():
            self.stdout.write(f"{name}: {count}")
