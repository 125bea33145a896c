from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo account (demo data only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: object, **opts: str) -> None:
        device = TOTPDevice.objects.filter(user__username=opts["username"], name="demo").first()
        if device is None:
            raise CommandError("No demo authenticator for this account.")
        self.stdout.write(f"{totp(device.bin_key):06d}")
