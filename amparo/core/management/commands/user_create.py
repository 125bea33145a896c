import segno
from django.core.management.base import BaseCommand, CommandError, CommandParser

from amparo.core.actions import user_create
from amparo.core.errors import InvalidInput
from amparo.core.models import Role


class Command(BaseCommand):
    help = (
        "Create an account. Prints the initial password and, for administrators and "
        "auditors, the authenticator key as a QR code."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--institution", required=True, help="institution code, e.g. MINEX")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--team", default="general")
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: object, **o: str) -> None:
        try:
            user, password, device = user_create(
                actor=None,
                username=o["username"],
                institution_code=o["institution"],
                role=o["role"],
                team_code=o["team"],
                first_name=o["first_name"],
                last_name=o["last_name"],
                email=o["email"],
            )
        except InvalidInput as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.errors.items())
            ) from exc
        self.stdout.write(
            f"Created {user.username} ({user.get_role_display()}, {user.institution})."
        )
        self.stdout.write(f"Initial password (shown once): {password}")
        if device is not None:
            self.stdout.write("Second factor: scan this with an authenticator app:")
            segno.make(device.config_url).terminal(out=self.stdout, compact=True)
            self.stdout.write(device.config_url)
