from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.core.models import User
from amparo.core.tokens import token_create


class Command(BaseCommand):
    help = "Create an API token for an account; the secret is printed once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="api")
        parser.add_argument("--days", type=int, default=90)

    def handle(self, *args: object, **o: object) -> None:
        user = User.objects.filter(username=o["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active account named {o['username']}.")
        if not 1 <= int(o["days"]) <= 366:  # type: ignore[call-overload]
            raise CommandError("--days must be between 1 and 366.")
        key = token_create(actor=None, user=user, name=str(o["name"]), days=int(o["days"]))  # type: ignore[call-overload]
        self.stdout.write(key)
