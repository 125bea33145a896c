"""Responsibility and follow-up: assignments, focal points, sign-off, reminders, who is late,
tags confirmed by people, institutions suggested, similar recommendations grouped."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from amparo.core.errors import InvalidInput
from amparo.core.models import AuditEntry, Role
from amparo.recommendations import actions, queries, tagging
from amparo.recommendations.models import (
    Assignment,
    Recommendation,
    RecommendationTag,
    Reminder,
)
from amparo.recommendations.tasks import send_reminders
from amparo.recommendations.uhri import uhri_import

from .matrix_recommendations import recs_world, uhri_bytes

pytestmark = pytest.mark.django_db


def test_only_the_coordinator_assigns_and_one_lead(make_user) -> None:  # type: ignore[no-untyped-def]
    w = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    rec, coordinator = w["rec"], w["coordinator"]
    with pytest.raises(InvalidInput):
        actions.assignment_set(
            actor=make_user(Role.SUPERVISOR, "MINEX"),
            recommendation_id=rec.pk,
            institution="SBS",
            role="lead",
        )
    actions.assignment_set(
        actor=coordinator, recommendation_id=rec.pk, institution="SBS", role="lead"
    )
    roles = dict(rec.assignments.values_list("institution__code", "role"))
    assert roles == {"SBS": "lead", "MINEX": "contributing"}
    with pytest.raises(InvalidInput) as err:
        actions.assignment_set(
            actor=coordinator, recommendation_id=rec.pk, institution="NOPE", role="lead"
        )
    assert "institution" in err.value.errors


def test_sign_off_rules(make_user) -> None:  # type: ignore[no-untyped-def]
    w = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    rec, update, coordinator, focal = w["rec"], w["update"], w["coordinator"], w["focal"]
    # Not a focal point: refused, even with the right role in the right institution.
    with pytest.raises(InvalidInput):
        actions.update_submit(
            actor=make_user(Role.CASEWORKER, "MINEX"),
            recommendation_id=rec.pk,
            text="x",
            proposed_status="planned",
            evidence="y",
        )
    # Without evidence: refused at the field.
    with pytest.raises(InvalidInput) as err:
        actions.update_submit(
            actor=focal, recommendation_id=rec.pk, text="x", proposed_status="planned", evidence=" "
        )
    assert list(err.value.errors) == ["evidence"]
    # Another institution's validator cannot sign the first step.
    with pytest.raises(InvalidInput):
        actions.update_decide(
            actor=make_user(Role.SUPERVISOR, "SBS"), update_id=update.pk, approve=True
        )
    # Returned needs a reason.
    validator = make_user(Role.SUPERVISOR, "MINEX")
    with pytest.raises(InvalidInput) as err:
        actions.update_decide(actor=validator, update_id=update.pk, approve=False)
    assert "reason" in err.value.errors
    returned = actions.update_decide(
        actor=validator, update_id=update.pk, approve=False, reason="Falta el acta"
    )
    assert returned.stage == "returned"
    with pytest.raises(InvalidInput):
        actions.update_decide(actor=coordinator, update_id=update.pk, approve=True)
    rec.refresh_from_db()
    assert rec.status == "no_information"
    assert AuditEntry.objects.filter(action="recommendations.update_decide").count() == 1


def test_reminders_once_per_due_date_and_late_overview(make_user) -> None:  # type: ignore[no-untyped-def]
    w = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    rec, focal = w["rec"], w["focal"]
    focal.email = "focal@minex.example"
    focal.save()
    today = timezone.localdate()
    actions.indicator_add(
        actor=focal,
        recommendation_id=rec.pk,
        name="Retornados registrados",
        frequency="quarterly",
        due_on=today + timedelta(days=5),
        stats_indicator="returnees.people",
    )
    actions.action_add(
        actor=focal,
        recommendation_id=rec.pk,
        description="Publicar datos",
        due_on=today - timedelta(days=3),
    )
    with pytest.raises(InvalidInput) as err:
        actions.indicator_add(
            actor=focal,
            recommendation_id=rec.pk,
            name="x",
            frequency="yearly",
            due_on=today,
            stats_indicator="no.such.indicator",
        )
    assert list(err.value.errors) == ["stats_indicator"]
    assert send_reminders(today) == 1
    assert mail.outbox[0].to == ["focal@minex.example"]
    assert send_reminders(today) == 0  # never twice
    assert Reminder.objects.count() == 1
    late = queries.late_overview(w["coordinator"], today)
    assert [(r.institution, r.what, r.days_late) for r in late] == [("MINEX", "action", 3)]
    later = queries.late_overview(w["coordinator"], today + timedelta(days=10))
    assert {r.what for r in later} == {"action", "indicator"}


def test_tags_suggested_then_confirmed_and_learnt(make_user) -> None:  # type: ignore[no-untyped-def]
    w = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    rec, focal = w["rec"], w["focal"]
    scores = tagging.rule_scores(rec.text)
    assert ("theme", "data") in scores and ("group", "migrant_workers") in scores
    tag = actions.tag_decide(
        actor=focal, recommendation_id=rec.pk, vocabulary="sdg", code="17.18", confirm=True
    )
    assert tag.state == RecommendationTag.State.CONFIRMED and tag.decided_by == focal
    with pytest.raises(InvalidInput):
        actions.tag_decide(
            actor=focal, recommendation_id=rec.pk, vocabulary="sdg", code="99.9", confirm=True
        )
    # A confirmed example teaches the similarity side: a near-identical text gets its label.
    suggester = tagging.Suggester(tagging.confirmed_examples())
    got = suggester.suggest(
        "The Committee recommends a single register of returned migrant workers with data"
    )
    assert ("sdg", "17.18") in got


def test_institutions_suggested_from_text_and_past(make_user) -> None:  # type: ignore[no-untyped-def]
    coordinator = make_user(Role.SUPERVISOR, "COPADEH")
    uhri_import(
        actor=coordinator,
        stream=io.BytesIO(
            b'[{"AnnotationId": "I1", "Body": "CMW", "Symbol": "CMW/C/GTM/CO/2", "Text": '
            b'"The Committee recommends that the Ministry of Labour and Social Welfare regulate '
            b'recruitment agencies."}]'
        ),
    )
    rec = Recommendation.objects.get(key="uhri:I1")
    codes = [c for c, _, why in tagging.suggest_institutions(rec) if why == "named"]
    assert "MINTRAB" in codes
    actions.assignment_set(
        actor=coordinator, recommendation_id=rec.pk, institution="MINTRAB", role="lead"
    )
    uhri_import(
        actor=coordinator,
        stream=io.BytesIO(
            b'[{"AnnotationId": "I2", "Body": "UPR", "Symbol": "A/HRC/43/8", "Text": '
            b'"Regulate private recruitment agencies that place workers abroad."}]'
        ),
    )
    other = Recommendation.objects.get(key="uhri:I2")
    similar = {c: why for c, _, why in tagging.suggest_institutions(other)}
    assert similar.get("MINTRAB") == "similar"


def test_similar_recommendations_grouped_across_mechanisms(make_user) -> None:  # type: ignore[no-untyped-def]
    coordinator = make_user(Role.SUPERVISOR, "COPADEH")
    uhri_import(actor=coordinator, stream=io.BytesIO(uhri_bytes("G", 2)))
    uhri_import(
        actor=coordinator,
        stream=io.BytesIO(
            b'[{"AnnotationId": "U1", "Body": "UPR", "Symbol": "A/HRC/43/8", "Text": '
            b'"128.4 Set up a single register of returned migrant workers and publish its data '
            b'every year"}, {"AnnotationId": "U2", "Body": "CRC", "Symbol": "CRC/C/GTM/CO/5-6",'
            b' "Text": "Guarantee free birth registration for all children born abroad."}]'
        ),
    )
    n = actions.recommendations_group(actor=coordinator)
    assert n == 1
    grouped = Recommendation.objects.filter(group__isnull=False)
    assert set(grouped.values_list("mechanism_id", flat=True)) == {"CMW", "UPR"}
    assert Recommendation.objects.get(key="uhri:U2").group is None
    assert Recommendation.objects.get(key="uhri:U1").sub_item == "128.4"


def test_search_accent_insensitive_and_stemmed(make_user) -> None:  # type: ignore[no-untyped-def]
    coordinator = make_user(Role.SUPERVISOR, "COPADEH")
    uhri_import(
        actor=coordinator,
        stream=io.BytesIO(
            '[{"AnnotationId": "S1", "Body": "CMW", "Text": "El Comité recomienda '
            'fortalecer la protección consular de los trabajadores migratorios."},'
            '{"AnnotationId": "S2", "Body": "CMW", "Text": "The Committee recommends '
            "protecting migrant workers' labour rights.\"}]".encode()
        ),
    )

    def found(q: str) -> set[str]:
        qs = queries.recommendations_for(coordinator, queries.Filters(q=q))
        return set(qs.values_list("annotation_id", flat=True))

    assert found("proteccion consular") == {"S1"}
    assert found("PROTECCIÓN") == {"S1"}
    assert found("trabajador migratorio") == {"S1"}
    assert "S2" in found("protect workers")
    assert found("inexistente") == set()
    assert Assignment.objects.count() == 0
    assert date.today()  # the fixture's clock is real: nothing above depends on it


def test_tag_suggestions_on_the_labelled_set() -> None:
    """The benchmark's measure, as a floor: a lexicon change that breaks suggestions fails."""
    from bench.recommendations_tags import evaluate, load

    tp, fp, fn = evaluate(load(), with_similarity=True)
    t, p, n = sum(tp.values()), sum(fp.values()), sum(fn.values())
    assert t / (t + p) >= 0.8 and t / (t + n) >= 0.75


def test_a_mail_not_sent_leaves_the_reminder_recorded(make_user, settings, caplog) -> None:  # type: ignore[no-untyped-def]
    w = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    w["focal"].email = "focal@minex.example"
    w["focal"].save()
    today = timezone.localdate()
    actions.action_add(
        actor=w["focal"], recommendation_id=w["rec"].pk, description="Publicar", due_on=today
    )
    # A relay that refuses connections: nothing listens on port 9 of the loopback.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert send_reminders(today) == 1
    assert Reminder.objects.count() == 1
    assert "reminder mail" in caplog.text


def test_reminders_can_be_queued_for_the_worker() -> None:
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    out = io.StringIO()
    call_command("recommendations", "remind", "--enqueue", stdout=out)
    assert "queued" in out.getvalue()
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("send_reminders_task")
