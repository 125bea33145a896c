"""Amparo's URLs plus a bare Django view for bench/labour_public_check.py: the same rows as
the public recruiter check, read with one query on every request and returned with
JsonResponse — no cache, no schema, no validation, no limits."""

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone

from amparo.labour.models import Recruiter
from amparo.labour.names import normalise_name
from amparo.urls import urlpatterns as amparo_urlpatterns

FIELDS = ("name", "number", "kind", "status", "valid_from", "valid_until", "countries", "sectors")


def bare_recruiters(request: HttpRequest) -> JsonResponse:
    key = normalise_name(request.GET.get("q", "")[:100])
    today = timezone.localdate()
    rows = list(
        Recruiter.objects.filter(
            name_key__contains=key, status__in=("authorised", "suspended", "revoked")
        )
        .order_by("name_key", "number")
        .values(*FIELDS)[:21]
    )
    for row in rows:
        row["authorised_today"] = bool(
            row["status"] == "authorised"
            and row["valid_from"]
            and row["valid_from"] <= today <= row["valid_until"]
        )
    return JsonResponse(
        {"items": rows[:20], "truncated": len(rows) > 20}, json_dumps_params={"default": str}
    )


urlpatterns = [path("bare/recruiters", bare_recruiters), *amparo_urlpatterns]
