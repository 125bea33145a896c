import pytest
from django.core.management import call_command

from amparo.core.audit import audit_verify
from amparo.core.models import User
from amparo.people.models import IdentityDocument, Involvement, Person, PersonSearchToken
from amparo.people.queries import person_search

pytestmark = pytest.mark.django_db


def _snapshot() -> list[tuple[str, str, str]]:
    return list(
        Person.objects.order_by("id").values_list("given_names", "first_surname", "second_surname")
    )


def test_demo_is_deterministic_and_complete() -> None:
    call_command("demo", people=1500, batch=400, cases_per_stage=0, tracing=False, verbosity=0)
    first = _snapshot()
    assert len(first) == 1500
    assert Involvement.objects.count() == 1500
    assert PersonSearchToken.objects.count() > 3000
    assert IdentityDocument.objects.filter(doc_type="dpi").exists()
    assert Person.objects.filter(protected=True).exists()
    assert User.objects.filter(username="operadora.minex").exists()
    assert audit_verify()[1] is None
    Person.objects.all().delete()
    call_command("demo", people=1500, batch=700, cases_per_stage=0, tracing=False, verbosity=0)
    assert _snapshot() == first


def test_demo_people_are_searchable_by_the_demo_operator() -> None:
    call_command("demo", people=800, cases_per_stage=0, verbosity=0)
    operator = User.objects.get(username="operadora.minex")
    someone = Person.objects.filter(
        involvements__institution=operator.institution, protected=False
    ).first()
    found = person_search(actor=operator, query=someone.first_surname[:4]).people
    assert found


def test_demo_cases_rest_in_every_stage_of_every_protocol() -> None:
    from amparo.cases.models import Case
    from amparo.cases.protocol import protocols_latest

    call_command("demo", people=50, cases_per_stage=1, verbosity=0)
    for protocol in protocols_latest():
        stages = set(
            Case.objects.filter(protocol_code=protocol.code).values_list("stage", flat=True)
        )
        assert stages == set(protocol.stages), protocol.code
    assert audit_verify()[1] is None


def test_demo_tracing_records_show_each_workflow() -> None:
    from amparo.tracing.models import MissingReport, TracingRequest, UnidentifiedRemains

    call_command("demo", people=600, cases_per_stage=0, verbosity=0)
    reports = MissingReport.objects.all()
    assert reports.count() == 12
    assert reports.filter(search_requests__isnull=False).distinct().count() == 6
    assert reports.get(status="found_deceased").institution.code == "MINEX"
    assert UnidentifiedRemains.objects.filter(status="identified").count() == 1
    assert UnidentifiedRemains.objects.count() == 6
    assert TracingRequest.objects.filter(status="reunified").count() == 2
    assert audit_verify()[1] is None


def test_demo_recommendations_show_each_step_of_the_follow_up() -> None:
    from django.test import Client

    from amparo.recommendations import queries
    from amparo.recommendations.demo import SYMBOL, generate_recommendations
    from amparo.recommendations.models import Recommendation, Submission

    call_command("demo", people=0, verbosity=0)
    recs = Recommendation.objects.filter(document__symbol=SYMBOL)
    # Six recommendations; the concern and the positive aspect are told apart from them.
    assert recs.count() == 6 and not recs.filter(paragraph__in=[1, 2]).exists()
    coordinator = User.objects.get(username="coordinadora.copadeh")
    late = queries.late_overview(coordinator)
    assert [(r.institution, r.what) for r in late if r.what == "action"] == [("MINEX", "action")]
    assert queries.pending_for(User.objects.get(username="supervisor.sbs")).count() == 1
    assert queries.pending_for(User.objects.get(username="supervisora.minex")).count() == 0
    assert Submission.objects.filter(state="pending").count() == 1
    published = recs.get(public=True)
    assert published.status == "in_progress"
    portal = Client(HTTP_ACCEPT_LANGUAGE="es").get("/recommendations/portal/")
    assert portal.status_code == 200 and SYMBOL in portal.content.decode()
    assert generate_recommendations() == 0  # loaded once
    assert audit_verify()[1] is None
