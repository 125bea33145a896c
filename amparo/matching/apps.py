from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "amparo.matching"
    label = "matching"
    verbose_name = "Person matching"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from amparo.people.models import Person

        post_save.connect(_queue_matching, sender=Person, dispatch_uid="matching.person_saved")


def _queue_matching(sender: type, instance: object, **kwargs: object) -> None:
    """A person registered or changed is matched by the worker once the change is committed.
    (Bulk loads — imports, demo data — send no signals: their people are compared in batch
    with `manage.py match dedupe`, see docs/matching.md.)"""
    from django.conf import settings
    from django.db import transaction

    if not getattr(settings, "AMPARO_MATCH_ON_SAVE", True):
        return
    if getattr(instance, "merged_into_id", None) or getattr(instance, "voided_at", None):
        return

    def enqueue() -> None:
        from .tasks import match_person

        match_person.enqueue(str(instance.pk))  # type: ignore[attr-defined]

    transaction.on_commit(enqueue)
