"""Amparo's URLs plus bare Django JSON views that read the same rows as the API endpoints
they are compared with: no authentication, no scoping, no audit, no schema."""

import uuid
from html import escape

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from amparo.assistance.models import ContactReason, SupportContact
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


@csrf_exempt
def bare_contact_form(request: HttpRequest, user_id: int) -> HttpResponse:
    """The operator's contact page with nothing but its rows: the reasons, the countries and
    the operator's 10 latest contacts in a bare HTML string; a POST inserts the row as it comes
    and answers 303 back here. No session, form, checks, audit or template."""
    if request.method == "POST":
        user = User.objects.values_list("pk", "institution_id").get(pk=user_id)
        SupportContact.objects.create(
            institution_id=user[1],
            received_at=timezone.now(),
            channel=request.POST["channel"],
            caller_country_id=request.POST["caller_country"] or None,
            caller_city=request.POST["caller_city"],
            reason_id=request.POST["reason"],
            outcome=request.POST["outcome"],
            duration_seconds=int(request.POST["duration_seconds"]),
            recorded_by_id=user[0],
            note=request.POST["note"],
        )
        return HttpResponseRedirect(request.path, status=303)
    reasons = ContactReason.objects.filter(active=True).order_by("name_es")
    countries = Country.objects.order_by("name_es").values_list("code", "name_es")
    latest = (
        SupportContact.objects.filter(recorded_by_id=user_id)
        .select_related("reason", "caller_country")
        .order_by("-received_at", "-id")[:10]
    )
    parts = ["<select>"]
    parts += [f"<option value={r.code}>{escape(r.name_es)}</option>" for r in reasons]
    parts += ["</select><select>"]
    parts += [f"<option value={c}>{escape(n)}</option>" for c, n in countries]
    parts += ["</select><table>"]
    parts += [
        f"<tr><td>{c.received_at:%Y-%m-%d %H:%M}<td>{escape(c.reason.name_es)}<td>{c.channel}"
        f"<td>{c.outcome}<td>{c.caller_country.name_es if c.caller_country else ''}"
        for c in latest
    ]
    return HttpResponse("".join(parts) + "</table>")


urlpatterns = [
    path("bare/contacts", bare_contact),
    path("bare/contact-form/<int:user_id>", bare_contact_form),
    path("bare/countries", bare_countries),
    path("bare/persons/<uuid:person_id>", bare_person),
    path("bare/persons", bare_people),
    *amparo_urlpatterns,
]
