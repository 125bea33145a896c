"""The labour pages as the ministry and a consulate use them, and the public check as anyone
does: messages at the fields, conflicts, what the public sees, floods and bots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amparo.cases.models import Case
from amparo.core.models import Role
from amparo.labour import public
from amparo.labour.models import FraudReport, JobOffer, Placement, Recruiter, SupportService
from amparo.labour.names import tax_number_with_check

from .conftest import register
from .matrix_labour import CONDITIONS, labour_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


APPLICATION = {
    "kind": "organisation",
    "name": "Agencia Laboral Los Altos, S.A.",
    "tax_number": tax_number_with_check("1234567"),
    "representative": "Ana López",
    "countries": ["CA", "MX"],
    "sectors": ["agriculture"],
    "documents": "Escritura constitutiva\nFianza",
}


def test_the_ministry_registers_authorises_and_the_public_sees_it(make_user) -> None:  # type: ignore[no-untyped-def]
    chief = signed_in(make_user(Role.SUPERVISOR, "MINTRAB"))
    response = chief.post(reverse("labour:recruiter_new"), APPLICATION)
    assert response.status_code == 303
    recruiter = Recruiter.objects.get()
    # The same agency under another spelling is refused at the name, naming the record.
    again = chief.post(
        reverse("labour:recruiter_new"),
        {
            **APPLICATION,
            "name": "AGENCIA LABORAL LOS ALTOS SOCIEDAD ANONIMA",
            "tax_number": tax_number_with_check("7654321"),
        },
    )
    page = again.content.decode()
    assert again.status_code == 422 and recruiter.number in page
    assert 'id="id_name-error"' in page or "name-error" in page
    assert Recruiter.objects.count() == 1
    until = (timezone.localdate() + timedelta(days=365)).isoformat()
    decide = reverse("labour:recruiter_decide", args=[recruiter.pk])
    assert (
        chief.post(
            decide, {"decision": "authorise", "valid_until": until, "version": 1}
        ).status_code
        == 303
    )
    stale = chief.post(decide, {"decision": "suspend", "reason": "x", "version": 1})
    assert stale.status_code == 409
    refused = chief.post(decide, {"decision": "suspend", "version": 2})
    assert refused.status_code == 422  # no reasons
    anyone = Client(HTTP_ACCEPT_LANGUAGE="es")
    found = anyone.get(reverse("labour:check"), {"q": "los altos"})
    assert found.status_code == 200
    text = found.content.decode()
    assert recruiter.number in text and "Ana López" not in text
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("labour:check"), {"q": "altos"})
    assert "Authorised today" in english.content.decode()
    short = anyone.get(reverse("labour:check"), {"q": "a"})
    assert short.status_code == 422
    nothing = anyone.get(reverse("labour:check"), {"number": "RC-0000-0000"})
    assert nothing.status_code == 200 and recruiter.number not in nothing.content.decode()


def test_the_register_pages_are_the_ministrys(make_user) -> None:  # type: ignore[no-untyped-def]
    consul = signed_in(make_user(Role.SUPERVISOR, "MINEX"))
    assert consul.get(reverse("labour:recruiter_new")).status_code == 403
    assert consul.get(reverse("labour:fraud_reports")).status_code == 403
    assert consul.get(reverse("labour:recruiters")).status_code == 200


def test_a_fraud_report_reaches_the_queue_and_floods_and_bots_are_stopped(make_user) -> None:  # type: ignore[no-untyped-def]
    anyone = Client()
    url = reverse("labour:report")
    body = {"recruiter_name": "Don Chepe", "description": "Pidió Q. 3,000 por una visa"}
    assert anyone.post(url, body).status_code == 303
    assert anyone.post(url, {**body, "website": "spam"}).status_code == 303  # trapped, silently
    assert anyone.post(url, {"recruiter_name": "", "description": ""}).status_code == 422
    assert FraudReport.objects.count() == 1
    for _ in range(public.REPORTS_PER_WINDOW):
        last = anyone.post(url, body)
    assert last.status_code == 429
    clerk = signed_in(make_user(Role.CASEWORKER, "MINTRAB"))
    queue = clerk.get(reverse("labour:fraud_reports"))
    assert "Don Chepe" in queue.content.decode()
    report = FraudReport.objects.first()
    review = reverse("labour:fraud_review", args=[report.pk])
    assert clerk.post(review, {"note": ""}).status_code == 422
    assert clerk.post(review, {"note": "Remitido"}).status_code == 303
    report.refresh_from_db()
    assert report.status == "reviewed"


def test_offers_workers_and_steps_through_the_pages(make_user) -> None:  # type: ignore[no-untyped-def]
    clerk_user = make_user(Role.CASEWORKER, "MINTRAB")
    world = labour_world(make_user, clerk_user, register(clerk_user, given="Objetivo"))
    clerk = signed_in(clerk_user)
    bad = clerk.post(
        reverse("labour:offer_new"),
        {
            "employer": str(world["employer"].pk),
            "programme": "Canadá",
            "sector": "agriculture",
            "positions": "3",
            "starts_on": "2025-05-01",
            "ends_on": "2025-04-01",
            "conditions": "",
        },
    )
    page = bad.content.decode()
    assert bad.status_code == 422 and "conditions-error" in page and "ends_on-error" in page
    count = JobOffer.objects.count()
    good = clerk.post(
        reverse("labour:offer_new"),
        {
            "employer": str(world["employer"].pk),
            "programme": "Canadá",
            "sector": "agriculture",
            "positions": "3",
            "starts_on": "2025-05-01",
            "ends_on": "2025-09-01",
            "conditions": CONDITIONS,
        },
    )
    assert good.status_code == 303 and JobOffer.objects.count() == count + 1
    detail = clerk.get(reverse("labour:offer_detail", args=[world["offer"].pk]))
    assert detail.status_code == 200 and "Objetivo" in detail.content.decode()
    placement = world["placement"]
    step = reverse("labour:placement_step", args=[placement.pk])
    assert clerk.post(step, {"status": "deployed", "version": 1}).status_code == 422
    assert clerk.post(step, {"status": "preselected", "version": 1}).status_code == 303
    assert clerk.post(step, {"status": "selected", "version": 1}).status_code == 409
    placement.refresh_from_db()
    assert placement.status == "preselected"
    readmit = reverse("labour:placement_readmit", args=[world["returned"].pk])
    assert clerk.post(readmit, {"offer": "no-es-un-id"}).status_code == 422
    assert clerk.post(readmit, {"offer": str(world["next_offer"].pk)}).status_code == 303
    assert Placement.objects.filter(previous=world["returned"]).exists()
    figures = clerk.get(reverse("labour:figures"), {"year": "2025"})
    assert figures.status_code == 200
    assert clerk.get(reverse("labour:figures"), {"year": "all"}).status_code == 200
    assert clerk.get(reverse("labour:figures"), {"year": "99999"}).status_code == 200


def test_a_breach_recorded_by_the_consulate_opens_a_case(make_user) -> None:  # type: ignore[no-untyped-def]
    consul_user = make_user(Role.CASEWORKER, "MINEX")
    world = labour_world(make_user, consul_user, register(consul_user, given="Pedro"))
    consul = signed_in(consul_user)
    url = reverse("labour:services")
    body = {
        "person": str(world["person"].pk),
        "site": "ca-montreal",
        "kind": "wage_claim",
        "employer": str(world["employer"].pk),
        "breach_of_contract": "on",
        "description": "",
    }
    assert consul.post(url, body).status_code == 422
    assert consul.post(url, {**body, "description": "Horas extra sin pagar"}).status_code == 303
    service = SupportService.objects.get(breach_of_contract=True)
    assert Case.objects.filter(pk=service.case_id, protocol_code="assistance_abroad").exists()
    listing = consul.get(url).content.decode()
    assert reverse("cases:detail", args=[service.case_id]) in listing
    visit = consul.post(
        reverse("labour:visits"),
        {
            "employer": str(world["employer"].pk),
            "site": "ca-montreal",
            "kind": "inspection",
            "findings": "",
        },
    )
    assert visit.status_code == 422 and "findings-error" in visit.content.decode()


def test_odd_page_input_never_answers_500(make_user) -> None:  # type: ignore[no-untyped-def]
    anyone = Client()
    for query in ("?q=%00abc", "?q=" + "x" * 500, "?number=" + "9" * 100, "?q=&number="):
        assert anyone.get(reverse("labour:check") + query).status_code < 500
    clerk = signed_in(make_user(Role.SUPERVISOR, "MINTRAB"))
    for name, query in [
        ("labour:recruiters", "?page=abc&status=zzz&q=%00"),
        ("labour:figures", "?year=-5"),
        ("labour:fraud_reports", "?status=zzz&page=-1"),
        ("labour:offers", "?page=99999"),
    ]:
        assert clerk.get(reverse(name) + query).status_code < 500, name
    odd = {"kind": "x", "name": "\u202e" * 300, "tax_number": "K" * 30, "countries": ["ZZ"]}
    assert clerk.post(reverse("labour:recruiter_new"), odd).status_code == 422
    assert clerk.post(reverse("labour:pamphlets"), {"quantity": "10" * 20}).status_code == 422
