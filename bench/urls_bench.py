"""Amparo's URLs plus bare Django JSON views that read the same rows as the API endpoints
they are compared with: no authentication, no scoping, no audit, no schema."""

import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from amparo.assistance.models import SupportContact
from amparo.core.models import Country, Institution, User
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


@csrf_exempt
def bare_contact(request: HttpRequest) -> HttpResponse:
    """Insert the posted contact as it comes: no session, no form, no checks, no audit."""
    SupportContact.objects.create(
        institution_id=Institution.objects.values_list("pk", flat=True).get(code="MINEX"),
        received_at=timezone.now(),
        channel=request.POST["channel"],
        caller_country_id=request.POST["caller_country"] or None,
        caller_city=request.POST["caller_city"],
        reason_id=request.POST["reason"],
        outcome=request.POST["outcome"],
        duration_seconds=int(request.POST["duration_seconds"]),
        recorded_by_id=User.objects.values_list("pk", flat=True).get(username="bench-operator"),
        note=request.POST["note"],
    )
    return HttpResponseRedirect("/bare/contacts", status=303)


urlpatterns = [
    path("bare/contacts", bare_contact),
    path("bare/countries", bare_countries),
    path("bare/persons/<uuid:person_id>", bare_person),
    path("bare/persons", bare_people),
    *amparo_urlpatterns,
]
