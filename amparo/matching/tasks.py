"""Matching in the background (django-tasks database worker)."""

from django.utils.translation import gettext_lazy as _

from amparo.core.jobs import job

from .review import candidates_refresh


@job(_("Duplicate proposals for a person"), retry=True)  # proposing twice changes nothing
def match_person(person_id: str) -> int:
    """Propose the likely duplicates of a person registered or changed."""
    import uuid

    return candidates_refresh(uuid.UUID(person_id))
