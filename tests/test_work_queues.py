"""Work queues: the work waiting for a user, each a list of the records to act on, reached from
the home page's counts and from the menu's "To do" entries.

The home page used to say "14 cases waiting for approval" as plain text, with no way to the
cases; a supervisor now has the list of the steps waiting for their decision (their own
institution's only), a caseworker the overdue tasks of their cases,
every case reader the referrals waiting for an answer, and those who sign progress updates the
updates waiting for their signature.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from amparo.cases import actions
from amparo.cases.models import Approval, Case, Task
from amparo.core.models import Role, User
from amparo.people.actions import DocumentInput, relation_add
from amparo.people.models import Person

from .conftest import register
from .test_cases_web import _to_interview, es, open_case, page, signed_in

pytestmark = pytest.mark.django_db


def _child(worker: User, given: str, first: str) -> Person:
    """A child as the demo holds them: municipality of origin, a document, a mother."""
    child = register(
        worker,
        given,
        first,
        "Tzul",
        birth_date=date(2012, 4, 3),
        nationality="GT",
        origin_municipality="1301",
        documents=[DocumentInput("birth_certificate", f"CN-{first}-1", "GT")],
    )
    mother = register(worker, "Rosa", first, "Tzul", origin_municipality="1301")
    relation_add(actor=worker, from_person_id=mother.pk, to_person_id=child.pk, kind="parent")
    return child


def _waiting_for_approval(worker: User, child: Person) -> Case:
    case = open_case(worker, child.pk)
    _to_interview(case, worker)
    actions.case_transition(actor=worker, case_id=case.pk, transition="determine_best_interests")
    assert Approval.objects.filter(case=case, decided_at__isnull=True).exists()
    return case


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


def test_a_supervisor_lists_the_cases_waiting_for_approval(make_user) -> None:  # type: ignore[no-untyped-def]
    worker = make_user(Role.CASEWORKER, "MINEX")
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    waiting = [
        _waiting_for_approval(worker, _child(worker, "Ana Lucía", "Cux")),
        _waiting_for_approval(worker, _child(worker, "Pedro", "Ajú")),
    ]
    not_waiting = open_case(worker, _child(worker, "Luis", "Xicay").pk)
    # Another institution's case waiting for its own supervisor.
    sbs_worker = make_user(Role.CASEWORKER, "SBS")
    other = _waiting_for_approval(sbs_worker, _child(sbs_worker, "Marta", "Coc"))

    client = signed_in(supervisor)
    home = page(client.get("/"))
    # The count on the home page is a link to the list.
    count = re.search(r'<a class="usa-link" href="/cases/approvals/">([^<]+)</a>', home)
    assert count and count.group(1).startswith("2 "), count

    response = client.get("/cases/approvals/")
    assert response.status_code == 200
    html = page(response)
    assert es("Cases waiting for my approval") in html
    links = _links(html)
    for case in waiting:
        assert f"/cases/{case.pk}/#approval-heading" in links
    assert not any(str(c.pk) in html for c in (not_waiting, other))
    assert "Ana Lucía Cux Tzul" in html and "Pedro Ajú Tzul" in html
    assert "Marta" not in html
    assert "Determinar el interés superior" in html or "interés superior" in html  # the step

    # The other institution's supervisor sees only theirs.
    sbs_boss = signed_in(make_user(Role.SUPERVISOR, "SBS"))
    html = page(sbs_boss.get("/cases/approvals/"))
    assert f"/cases/{other.pk}/" in html and not any(str(c.pk) in html for c in waiting)

    # Caseworkers do not approve: no list, no menu entry.
    assert signed_in(worker).get("/cases/approvals/").status_code == 403
    assert "/cases/approvals/" not in page(signed_in(worker).get("/"))


def test_overdue_tasks_mine_and_my_teams(make_user) -> None:  # type: ignore[no-untyped-def]
    worker = make_user(Role.CASEWORKER, "MINEX")
    colleague = make_user(Role.CASEWORKER, "MINEX")
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    mine = open_case(worker, _child(worker, "Ana Lucía", "Cux").pk)
    theirs = open_case(colleague, _child(colleague, "Pedro", "Ajú").pk)
    past = timezone.now() - timedelta(days=2)
    Task.objects.filter(case__in=[mine, theirs], code="notify_family").update(due_at=past)
    assert mine.assigned_to == worker and theirs.assigned_to == colleague

    client = signed_in(worker)
    home = page(client.get("/"))
    assert '<a class="usa-link" href="/cases/tasks/overdue/">1 ' in home
    html = page(client.get("/cases/tasks/overdue/"))
    assert f"/cases/{mine.pk}/" in _links(html) and str(theirs.pk) not in html
    assert "Notificar a la familia" in html
    # A caseworker cannot widen the list to the team.
    assert str(theirs.pk) not in page(client.get("/cases/tasks/overdue/?scope=team"))

    boss = signed_in(supervisor)
    home = page(boss.get("/"))
    team = re.search(r'href="/cases/tasks/overdue/\?scope=team">([^<]+)</a>', home)
    assert team and team.group(1).startswith("2 "), team
    html = page(boss.get("/cases/tasks/overdue/?scope=team"))
    assert {f"/cases/{mine.pk}/", f"/cases/{theirs.pk}/"} <= _links(html)


def test_referrals_to_accept_are_a_filtered_list(make_user) -> None:  # type: ignore[no-untyped-def]
    from amparo.cases.models import Referral

    worker = make_user(Role.CASEWORKER, "MINEX")
    case = open_case(worker, _child(worker, "Ana Lucía", "Cux").pk)
    sbs = make_user(Role.CASEWORKER, "SBS")
    referral = Referral.objects.create(
        case=case,
        from_institution=worker.institution,
        to_institution=sbs.institution,
        reason="Acogimiento temporal",
        shares=["identity"],
        sent_by=worker,
        sent_at=timezone.now(),
    )
    client = signed_in(sbs)
    home = page(client.get("/"))
    assert '<a class="usa-link" href="/cases/referrals/?status=sent">1 ' in home
    html = page(client.get("/cases/referrals/?status=sent"))
    assert es("Referrals to accept") in html and f"referral-{referral.pk.hex[:12]}" in html
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.DECLINED)
    html = page(client.get("/cases/referrals/?status=sent"))
    assert es("No referral is waiting for an answer.") in html
    assert f"referral-{referral.pk.hex[:12]}" in page(client.get("/cases/referrals/"))


def test_the_menu_holds_the_queues_of_the_role(make_user) -> None:  # type: ignore[no-untyped-def]
    supervisor_html = page(signed_in(make_user(Role.SUPERVISOR, "MINEX")).get("/"))
    worker_html = page(signed_in(make_user(Role.CASEWORKER, "MINEX")).get("/"))
    analyst_html = page(signed_in(make_user(Role.ANALYST, "MINEX")).get("/"))
    nav = re.compile(r'<nav aria-label="[^"]+" class="usa-nav">.*?</nav>', re.S)
    supervisor_nav = nav.search(supervisor_html).group(0)  # type: ignore[union-attr]
    worker_nav = nav.search(worker_html).group(0)  # type: ignore[union-attr]
    analyst_nav = nav.search(analyst_html).group(0)  # type: ignore[union-attr]
    for url in (
        "/cases/approvals/",
        "/cases/tasks/overdue/",
        "/cases/referrals/?status=sent",
        "/matching/",
        "/recommendations/updates/to-sign/",
    ):
        assert f'href="{url}"' in supervisor_nav, url
    assert 'href="/cases/tasks/overdue/"' in worker_nav
    assert "/cases/approvals/" not in worker_nav and "/matching/" not in worker_nav
    assert es("To do") not in analyst_nav and "/cases/" not in analyst_nav
    # A group with one entry for the role is that entry's link, under that entry's name.
    assert f'href="/flows/"><span>{es("Migratory flows")}</span>' in analyst_nav
    # The page being shown is marked in the menu, once.
    html = page(signed_in(make_user(Role.SUPERVISOR, "MINEX")).get("/cases/approvals/"))
    assert html.count('aria-current="page"') == 1


def test_civil_registry_steps_lead_to_the_entries_waiting(make_user) -> None:  # type: ignore[no-untyped-def]
    """The count of entries waiting for a step links to exactly those entries: a consulate's
    recorded and rejected ones, the registry's sent ones; not the registered ones."""
    from amparo.assistance.actions import (
        CivilRegistrationInput,
        civil_registration_advance,
        civil_registration_record,
    )

    consul = make_user(Role.CASEWORKER, "MINEX")
    renap = make_user(Role.CASEWORKER, "RENAP")
    records = []
    for given, first in (("Luis", "Ajú"), ("Ana", "Coc"), ("Juan", "Tol")):
        child = _child(consul, given, first)
        records.append(
            civil_registration_record(
                actor=consul,
                data=CivilRegistrationInput(
                    kind="birth",
                    person_id=child.pk,
                    site="US_LOS_ANGELES",
                    event_date=date(2018, 5, 2),
                    event_country="US",
                    event_place="Los Angeles, CA",
                ),
            )
        )
    recorded, sent, registered = records
    for record in (sent, registered):
        civil_registration_advance(actor=consul, record_id=record.pk, status="sent")
    civil_registration_advance(actor=renap, record_id=registered.pk, status="acknowledged")
    civil_registration_advance(
        actor=renap, record_id=registered.pk, status="registered", registry_reference="CUI 1"
    )

    def listed(client, url: str) -> set[str]:  # type: ignore[no-untyped-def]
        html = page(client.get(url))
        return {str(r.pk) for r in records if f"/{r.pk}/" in html}

    client = signed_in(consul)
    home = page(client.get("/"))
    count = re.search(r'href="/assistance/civil-registry/\?waiting=1">([^<]+)</a>', home)
    assert count and count.group(1).startswith("1 "), count
    assert listed(client, "/assistance/civil-registry/?waiting=1") == {str(recorded.pk)}
    assert len(listed(client, "/assistance/civil-registry/")) == 3
    registry = signed_in(renap)
    assert listed(registry, "/assistance/civil-registry/?waiting=1") == {str(sent.pk)}
