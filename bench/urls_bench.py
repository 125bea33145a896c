"""Amparo's URLs plus bare Django JSON views that read the same rows as the API endpoints
they are compared with: no authentication, no scoping, no audit, no schema."""

import uuid

from django.http import HttpRequest, JsonResponse
from django.urls import path

from amparo.core.models import Country
from amparo.people.models import Person
from amparo.urls import urlpatterns as amparo_urlpatterns

PERSON_FIELDS = (
    "id",
    "given_names",
    "first_surname",
    "second_surname",
    "sex",
    "birth_date",
    "nationality_id",
    "protected",
    "version",
)


def bare_countries(request: HttpRequest) -> JsonResponse:
    rows = list(Country.objects.order_by("code").values("code", "name_es", "name_en")[:20])
    return JsonResponse({"items": rows, "count": Country.objects.count()})


def bare_person(request: HttpRequest, person_id: uuid.UUID) -> JsonResponse:
    row = Person.objects.filter(pk=person_id).values(*PERSON_FIELDS).first()
    return JsonResponse(row or {}, json_dumps_params={"default": str})


def bare_people(request: HttpRequest) -> JsonResponse:
    rows = list(
        Person.objects.order_by("first_surname", "second_surname", "id").values(*PERSON_FIELDS)[:20]
    )
    return JsonResponse({"items": rows}, json_dumps_params={"default": str})


urlpatterns = [
    path("bare/countries", bare_countries),
    path("bare/persons/<uuid:person_id>", bare_person),
    path("bare/persons", bare_people),
    *amparo_urlpatterns,
]
