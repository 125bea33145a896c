"""Matching in the background (django-tasks database worker)."""

from django_tasks import task

from .review import candidates_refresh


@task()
def match_person(person_id: str) -> int:
    """Propose the likely duplicates of a person registered or changed."""
    import uuid

    return candidates_refresh(uuid.UUID(person_id))
