from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.core.actions import token_revoke
from amparo.core.errors import InvalidInput


class Command(BaseCommand):
    help = "Revoke API tokens by the first characters of the secret (at least 8)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: object, **o: str) -> None:
        try:
            count = token_revoke(actor=None, prefix=o["prefix"])
        except InvalidInput as exc:
            raise CommandError(" ".join(exc.errors["prefix"])) from exc
        self.stdout.write(f"{count} token(s) revoked.")
