"""The public recruiter check warns, prominently, not to pay nor hand over documents when a
recruiter may not recruit today (suspended, revoked, expired), and says how to report it; an
authorised recruiter's card carries no such warning."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amparo.core.models import Role
from amparo.labour import actions
from amparo.labour.models import Recruiter
from amparo.labour.names import tax_number_with_check

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    cache.clear()


def _authorised(chief, name: str, tax: str) -> Recruiter:  # type: ignore[no-untyped-def]
    recruiter = actions.recruiter_apply(
        actor=chief,
        data=actions.RecruiterInput(
            kind="organisation",
            name=name,
            tax_number=tax_number_with_check(tax),
            countries=["CA", "MX"],
            sectors=["agriculture"],
            documents=["Escritura constitutiva", "Fianza"],
            representative="Ana López",
        ),
    )
    today = timezone.localdate()
    return actions.recruiter_decide(
        actor=chief,
        recruiter_id=recruiter.pk,
        data=actions.DecisionInput(
            "authorise",
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=335),
            version=recruiter.version,
        ),
    )


def _card(page: str, number: str) -> str:
    """The card of one recruiter in the result list."""
    start = page.index(number)
    start = page.rindex('<li class="usa-card', 0, start)
    return page[start : page.index("</li>", start)]


@pytest.mark.parametrize("decision", ["suspend", "revoke"])
def test_a_suspended_or_revoked_recruiter_comes_with_a_do_not_pay_warning(
    make_user, decision: str
) -> None:  # type: ignore[no-untyped-def]
    chief = make_user(Role.SUPERVISOR, "MINTRAB")
    stopped = _authorised(chief, "Agencia Laboral Los Altos, S.A.", "1234567")
    good = _authorised(chief, "Agencia Laboral Los Altos del Norte, S.A.", "7654321")
    actions.recruiter_decide(
        actor=chief,
        recruiter_id=stopped.pk,
        data=actions.DecisionInput(
            decision, reason="Cobró cuotas de reclutamiento", version=stopped.version
        ),
    )
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(reverse("labour:check"), {"q": "los altos"})
    assert page.status_code == 200
    text = page.content.decode()
    card = _card(text, stopped.number)
    assert "usa-alert--error" in card
    assert "No pague nada" in card and "no entregue sus documentos" in card
    assert reverse("labour:report") in card  # how to report it
    assert ("Suspendido" if decision == "suspend" else "Revocada") in card
    # The warning comes before the dates, which are labelled as not valid today.
    assert card.index("No pague nada") < card.index(stopped.valid_from.isoformat())
    assert "no vigente hoy" in card
    assert "No pague nada" not in _card(text, good.number)


def test_an_expired_authorisation_comes_with_the_warning_too(make_user) -> None:  # type: ignore[no-untyped-def]
    chief = make_user(Role.SUPERVISOR, "MINTRAB")
    expired = _authorised(chief, "Reclutadora Quetzal", "2345678")
    today = timezone.localdate()
    Recruiter.objects.filter(pk=expired.pk).update(
        valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=35)
    )
    from amparo.labour.queries import public_invalidate

    public_invalidate()
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(reverse("labour:check"), {"q": "quetzal"})
    card = _card(page.content.decode(), expired.number)
    assert "No pague nada" in card and reverse("labour:report") in card
