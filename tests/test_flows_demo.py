"""The national flows demo: exact figures of CMW/C/SR.413 and the caravans detected."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from amparo.flows.demo import generate_flows
from amparo.flows.models import ContingencyTask, FlowCount, PhaseChange, PlanActivation

pytestmark = pytest.mark.django_db


def test_demo_has_the_record_figures_and_detects_the_caravans() -> None:
    summary = generate_flows(seed=2019)
    entries = FlowCount.objects.filter(direction="in")
    assert entries.filter(date__year=2018).aggregate(n=Sum("count"))["n"] == 11_800
    assert entries.filter(date__year=2019).aggregate(n=Sum("count"))["n"] == 7_998
    groups = dict(entries.filter(date__year=2018).values_list("group").annotate(n=Sum("count")))
    assert groups == {"adults": 7_080, "families": 3_894, "unaccompanied_children": 826}
    assert (summary.entries_2018, summary.entries_2019q1) == (11_800, 7_998)
    raised = PhaseChange.objects.filter(to_phase__in=["alert", "emergency"])
    assert raised.filter(on__year=2018, on__month=10).exists()
    assert raised.filter(on__year=2019, on__month=1).exists()
    plan = PlanActivation.objects.get(plan_code="caravan-2019", people_supported=6_927)
    assert plan.tasks.count() >= 5
    assert plan.change is not None and plan.change.on.year == 2019 and plan.change.on.month == 1
    if raised.filter(key="national", on__year=2019, on__month=1).exists():
        assert plan.change.key == "national"
    assert plan.activated_at.date() == plan.change.on
    # Everything the demo set in motion belongs to 2019: nothing open in anyone's queue today.
    assert not PlanActivation.objects.filter(closed_at__isnull=True).exists()
    assert not ContingencyTask.objects.filter(done_at__isnull=True).exists()
    assert all(a.closed_at.year == 2019 for a in PlanActivation.objects.all())
    assert summary.people_supported == 6_927
    with pytest.raises(RuntimeError):
        generate_flows(seed=2019)
