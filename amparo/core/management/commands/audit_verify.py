from django.core.management.base import BaseCommand, CommandError

from amparo.core.audit import audit_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; name the first broken entry."

    def handle(self, *args: object, **options: object) -> None:
        checked, broken = audit_verify()
        if broken:
            raise CommandError(
                f"Audit trail broken at entry {broken.entry_id} "
                f"(chain {broken.shard}, sequence {broken.seq}): {broken.problem}. "
                f"{checked} entries checked."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {checked} entries checked."))
