"""The recommendations pages in the browser's terms: forms, messages at the fields, portal."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from amparo.core.models import Role
from amparo.recommendations.models import Recommendation, Submission

from .matrix_recommendations import recs_world

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "recommendations_data"


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_import_a_document_and_read_its_structure(make_user) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(make_user(Role.ANALYST, "COPADEH"))
    upload = SimpleUploadedFile("co.txt", (DATA / "co_sample_es.txt").read_bytes())
    response = client.post(reverse("recommendations:documents"), {"file": upload})
    assert response.status_code == 303
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "CMW/C/XYZ/CO/3" in html and "publique cada año" in html
    assert Recommendation.objects.count() == 3
    listing = client.get(reverse("recommendations:index") + "?q=albergues")
    assert listing.status_code == 200
    assert "investigue todas las denuncias" in listing.content.decode()


def test_bad_document_422_with_the_message_at_the_field(make_user) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(make_user(Role.ANALYST, "COPADEH"))
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF")
    response = client.post(reverse("recommendations:documents"), {"file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'href="#doc-file"' in html and "usa-error-message" in html


def test_update_without_evidence_refused_at_the_field(make_user) -> None:  # type: ignore[no-untyped-def]
    w = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    client = signed_in(w["focal"])
    url = reverse("recommendations:update_submit", args=[w["rec"].pk])
    response = client.post(url, {"text": "Avance", "proposed_status": "in_progress"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'href="#update-evidence"' in html and 'id="update-evidence-error"' in html
    ok = client.post(
        url, {"text": "Avance", "proposed_status": "in_progress", "evidence": "Oficio 33"}
    )
    assert ok.status_code == 303


def test_coordinator_signs_off_and_the_portal_shows_it(make_user) -> None:  # type: ignore[no-untyped-def]
    w = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    validator = signed_in(make_user(Role.SUPERVISOR, "MINEX"))
    coordinator = signed_in(w["coordinator"])
    url = reverse("recommendations:update_decide", args=[w["update"].pk])
    assert validator.post(url, {"decision": "approve", "version": 1}).status_code == 303
    stale = coordinator.post(url, {"decision": "approve", "version": 1})
    assert stale.status_code == 409
    assert coordinator.post(url, {"decision": "approve", "version": 2}).status_code == 303
    public = Client().get(reverse("recommendations:portal_detail", args=[w["rec"].pk]))
    assert "Acuerdo ministerial 12-2025" in public.content.decode()
    overview = coordinator.get(reverse("recommendations:late"))
    assert overview.status_code == 200


def test_portal_in_english_and_spanish_and_the_honeypot(make_user) -> None:  # type: ignore[no-untyped-def]
    w = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    anon = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = anon.get(reverse("recommendations:portal") + "?q=register")
    assert page.status_code == 200 and page["Content-Language"] == "en"
    assert w["rec"].reference in page.content.decode()
    url = reverse("recommendations:portal_submit", args=[w["rec"].pk])
    before = Submission.objects.count()
    bot = anon.post(url, {"organisation": "x", "email": "x@x.org", "text": "y", "website": "z"})
    assert bot.status_code == 303 and Submission.objects.count() == before
    bad = Client().post(url, {"organisation": "Mesa", "email": "no", "text": "y"})
    assert bad.status_code == 422 and 'href="#sub-email"' in bad.content.decode()
    hidden = Recommendation.objects.create(
        key="hidden", mechanism_id="CMW", text="No publicada", content_hash="x"
    )
    assert (
        Client().get(reverse("recommendations:portal_detail", args=[hidden.pk])).status_code == 404
    )


def test_draft_word_count_and_exports(make_user) -> None:  # type: ignore[no-untyped-def]
    w = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    client = signed_in(w["coordinator"])
    draft = w["draft"]
    url = reverse("recommendations:draft_section", args=[draft.pk, 2])
    assert client.post(url, {"text": "uno dos tres cuatro", "version": 1}).status_code == 303
    page = client.get(reverse("recommendations:draft_detail", args=[draft.pk]))
    assert "4 palabras de 31800" in page.content.decode() or "31800" in page.content.decode()
    pdf = client.get(reverse("recommendations:draft_export", args=[draft.pk]) + "?format=pdf")
    assert pdf.content.startswith(b"%PDF")
    docx = client.get(reverse("recommendations:draft_export", args=[draft.pk]))
    assert docx.content[:2] == b"PK"
    stale = client.post(url, {"text": "otro", "version": 1})
    assert stale.status_code == 409
