"""The home page's "your institution holds N people" follows the need-to-know rule exactly,
is read from the institution's involvements, and stops counting at a cap."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from amparo.core.models import Role
from amparo.people.actions import DocumentInput, person_void
from amparo.people.models import Involvement
from amparo.people.queries import persons_visible_count, persons_visible_to

from .conftest import MakeUser, register

pytestmark = pytest.mark.django_db


def _family(actor, surname: str, *, markers: list[str] | None = None):  # type: ignore[no-untyped-def]
    return register(
        actor,
        given="Rosa Amalia",
        first=surname,
        second="Pop",
        documents=[DocumentInput("passport", f"P{surname.upper()[:6]}7", "GT")],
        markers=markers,
        birth_date=date(2011, 5, 4),
        sex="F",
        origin_municipality="1601",  # Cobán, Alta Verapaz
    )


def test_the_count_is_the_scoped_query_s_count(make_user: MakeUser) -> None:
    general = make_user(Role.CASEWORKER, "SBS", "general")
    protection = make_user(Role.CASEWORKER, "SBS", "protection")
    other = make_user(Role.CASEWORKER, "MINEX")
    _family(general, "Caal")
    _family(protection, "Choc", markers=["unaccompanied_child"])  # the protection team's only
    _family(other, "Xol")  # another institution's
    voided = _family(general, "Tiul")
    person_void(actor=make_user(Role.SUPERVISOR, "SBS"), person_id=voided.pk, reason="Duplicado")
    ended = _family(general, "Maquin")
    Involvement.objects.filter(person=ended).update(ended_at=timezone.now())

    for user in (general, protection, other):
        assert persons_visible_count(user, cap=100) == persons_visible_to(user).count()
    assert persons_visible_count(general, cap=100) == 1
    assert persons_visible_count(protection, cap=100) == 2


def test_the_home_page_says_more_than_the_cap(make_user: MakeUser, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from amparo.core import views

    user = make_user(Role.CASEWORKER, "SBS")
    for surname in ("Caal", "Choc", "Xol"):
        _family(user, surname)
    client = Client()
    client.force_login(user)
    assert "Su institución tiene 3 personas en sus registros." in client.get("/").content.decode()
    monkeypatch.setattr(views, "HELD_COUNT_CAP", 2)
    page = client.get("/").content.decode()
    assert "Su institución tiene más de 2 personas en sus registros." in page
