"""A consular service at a mobile consulate falls within the mobile consulate's days: one
planned for next week refuses a service dated today, with the message at the date field and
in Spanish; a service on one of its days is recorded. The rule holds in the action too, for
every path that records a service (API, case page)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from amparo.assistance.actions import mobile_consulate_create
from amparo.cases import actions as case_actions
from amparo.cases.models import ServiceDelivery
from amparo.core.errors import InvalidInput
from amparo.core.models import Role, Site, User
from amparo.people.actions import DocumentInput
from amparo.people.models import Person

from .conftest import register

pytestmark = pytest.mark.django_db
SERVICES = "/assistance/consular/services/"


@pytest.fixture
def consul(make_user: Any) -> User:
    return make_user(Role.CASEWORKER, "MINEX")


@pytest.fixture
def migrant(consul: User) -> Person:
    return register(
        consul,
        given="Juana Isabel",
        first="Chávez",
        second="Pop",
        sex="F",
        birth_date=date(1994, 8, 3),
        origin_municipality="1301",
        documents=[DocumentInput("passport", "A7654321", "GT")],
    )


def _mobile(consul: User, opens: date, closes: date) -> Site:
    return mobile_consulate_create(
        actor=consul,
        consulate_code="us-los-angeles",
        city="Bakersfield",
        opens_on=opens,
        closes_on=closes,
        place="Iglesia San Judas",
    )


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_a_future_mobile_consulate_refuses_a_service_dated_today(
    consul: User, migrant: Person
) -> None:
    today = timezone.localdate()
    mobile = _mobile(consul, today + timedelta(days=10), today + timedelta(days=12))
    client = _client(consul)
    for dated in ("", today.isoformat()):  # empty means today
        response = client.post(
            SERVICES,
            {
                "kind": "passport",
                "site": mobile.code,
                "person": str(migrant.pk),
                "delivered_on": dated,
            },
        )
        page = response.content.decode()
        assert response.status_code == 422
        # At the date field (the error summary links to it), in Spanish, naming the days.
        error = page.split('id="service-delivered_on-error"', 1)[1].split("</span>", 1)[0]
        assert "la fecha del servicio debe ser uno de esos días" in error
        assert (today + timedelta(days=10)).strftime("%d/%m/%Y") in error
        assert 'href="#service-delivered_on">Fecha: «Consulado móvil' in page
    assert not ServiceDelivery.objects.exists()


def test_a_service_on_one_of_the_mobile_consulates_days_is_recorded(
    consul: User, migrant: Person
) -> None:
    today = timezone.localdate()
    mobile = _mobile(consul, today - timedelta(days=5), today - timedelta(days=3))
    client = _client(consul)
    outside = client.post(
        SERVICES, {"kind": "passport", "site": mobile.code, "person": str(migrant.pk)}
    )
    assert outside.status_code == 422
    inside = client.post(
        SERVICES,
        {
            "kind": "passport",
            "site": mobile.code,
            "person": str(migrant.pk),
            "delivered_on": (today - timedelta(days=4)).isoformat(),
        },
    )
    assert inside.status_code == 303
    service = ServiceDelivery.objects.get()
    assert service.site == mobile
    assert timezone.localdate(service.delivered_at) == today - timedelta(days=4)


def test_the_action_refuses_it_for_every_caller(consul: User, migrant: Person) -> None:
    today = timezone.localdate()
    mobile = _mobile(consul, today + timedelta(days=1), today + timedelta(days=2))
    with pytest.raises(InvalidInput) as refused:
        case_actions.service_record(
            actor=consul, person_id=migrant.pk, kind="passport", site_code=mobile.code
        )
    assert "delivered_at" in refused.value.errors
    # The consulate itself (no dates) still records today.
    case_actions.service_record(
        actor=consul, person_id=migrant.pk, kind="passport", site_code="us-los-angeles"
    )
    assert ServiceDelivery.objects.count() == 1
