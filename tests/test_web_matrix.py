"""Every page and form of the web UI, for every role, against a person held by the user's own
institution (MINEX) and by another one (SBS). A new URL pattern without a row here fails
`test_every_web_url_is_covered`; the API has its own matrix in test_api_authorization.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from amparo.core.models import Role, User
from amparo.core.permissions import ROLE_PERMISSIONS, Perm
from amparo.people.actions import DocumentInput
from amparo.people.models import Person

from .conftest import register
from .matrix import Row, app_matrices

pytestmark = pytest.mark.django_db


PERSON_FORM = {"sex": "U", "birth_date_precision": "exact"}
ROWS: dict[tuple[str, str], Row] = {
    ("GET", "healthz"): Row(None, 200, public=200, open=True),
    ("GET", "login"): Row(None, 200, public=200, open=True),
    ("POST", "logout"): Row(None, 302, data={}, public=302, open=True),
    ("GET", "otp_verify"): Row(None, 200, open=True),
    ("POST", "language_set"): Row(
        None, 302, data={"language": "en", "next": "/"}, public=302, open=True
    ),
    ("GET", "home"): Row(None, 200),
    ("GET", "audit"): Row(Perm.AUDIT_READ, 200, query="?action=person.register"),
    ("GET", "cases:list"): Row(Perm.CASE_READ, 200),
    ("GET", "cases:open"): Row(Perm.CASE_WRITE, 200),
    ("POST", "cases:open"): Row(Perm.CASE_WRITE, 302, {"protocol": "child_reception"}, record=True),
    ("GET", "cases:detail"): Row(Perm.CASE_READ, 200, record=True),
    ("POST", "cases:step"): Row(
        Perm.CASE_WRITE, 302, {"transition": "receive", "version": 1}, record=True
    ),
    ("POST", "cases:approval_decide"): Row(
        Perm.CASE_APPROVE, 302, {"decision": "approve"}, record=True
    ),
    ("POST", "cases:task_done"): Row(Perm.CASE_WRITE, 302, {}, record=True),
    ("POST", "cases:form_save"): Row(
        Perm.CASE_WRITE,
        302,
        {"reception_record-accompanied": "on", "reception_record-arrival_point": "La Aurora"},
        record=True,
    ),
    ("POST", "cases:note_add"): Row(Perm.CASE_WRITE, 302, {"text": "Llamó la madre"}, record=True),
    ("POST", "cases:attachment_add"): Row(Perm.CASE_WRITE, 302, {}, record=True),  # + a file
    ("GET", "cases:attachment_download"): Row(Perm.CASE_READ, 200, record=True),
    ("POST", "cases:referral_send"): Row(
        Perm.CASE_WRITE,
        302,
        {"to_institution": "SBS", "reason": "Albergue", "shares": ["case"]},
        record=True,
    ),
    ("POST", "cases:consent_add"): Row(Perm.CASE_WRITE, 302, {"scopes": ["case"]}, record=True),
    ("GET", "cases:referrals"): Row(Perm.CASE_READ, 200),
    ("GET", "cases:approvals"): Row(Perm.CASE_APPROVE, 200),
    ("GET", "cases:overdue"): Row(Perm.CASE_READ, 200, query="?scope=team"),
    ("POST", "cases:referral_decide"): Row(
        Perm.CASE_WRITE, 302, {"decision": "accept"}, record=True
    ),
    ("POST", "cases:service_add"): Row(Perm.CASE_WRITE, 302, {"kind": "shelter"}, record=True),
    ("GET", "people:search"): Row(Perm.PERSON_READ, 200, query="?q=objetivo"),
    ("GET", "people:create"): Row(Perm.PERSON_WRITE, 200),
    ("POST", "people:create"): Row(
        Perm.PERSON_WRITE, 302, {**PERSON_FORM, "given_names": "Nueva", "first_surname": "Persona"}
    ),
    ("GET", "people:candidates"): Row(Perm.PERSON_WRITE, 200, query="?given_names=Objetivo"),
    ("GET", "people:link"): Row(Perm.PERSON_WRITE, 200),
    ("POST", "people:link"): Row(
        Perm.PERSON_WRITE, 302, {"doc_type": "passport", "number": "S999", "issuing_country": "GT"}
    ),
    ("GET", "people:detail"): Row(Perm.PERSON_READ, 200, person=True),
    ("GET", "people:edit"): Row(Perm.PERSON_WRITE, 200, person=True),
    ("POST", "people:edit"): Row(
        Perm.PERSON_WRITE,
        302,
        {**PERSON_FORM, "given_names": "Objetivo", "first_surname": "Caal", "version": 1},
        person=True,
    ),
    ("POST", "people:document_add"): Row(
        Perm.PERSON_WRITE,
        302,
        {"doc_type": "passport", "number": "Z1", "issuing_country": "GT"},
        person=True,
    ),
    ("POST", "people:contact_add"): Row(
        Perm.PERSON_WRITE, 302, {"kind": "phone", "value": "+502 5555 0000"}, person=True
    ),
    ("POST", "people:name_add"): Row(
        Perm.PERSON_WRITE, 302, {"kind": "alias", "given_names": "Chepa"}, person=True
    ),
    ("POST", "people:relation_add"): Row(
        Perm.PERSON_WRITE, 302, {"kind": "sibling"}, person=True
    ),  # to_person: the sibling, added per test
    ("POST", "people:break_glass"): Row(
        Perm.BREAK_GLASS, 302, {"reason": "Emergencia médica esta noche"}, person=True
    ),
    ("POST", "people:void"): Row(
        Perm.PERSON_VOID, 302, {"reason": "Registro duplicado"}, person=True
    ),
    ("GET", "assistance:contacts"): Row(Perm.ASSISTANCE_READ, 200, query="?reason=information"),
    ("GET", "assistance:contact_figures"): Row(
        Perm.ASSISTANCE_READ, 200, query="?reason=information"
    ),
    ("GET", "assistance:contact_new"): Row(Perm.ASSISTANCE_WRITE, 200),
    ("POST", "assistance:contact_new"): Row(
        Perm.ASSISTANCE_WRITE,
        303,
        {"channel": "call", "reason": "information", "outcome": "information"},
        picks=True,
    ),
    ("GET", "assistance:contacts_export"): Row(Perm.ASSISTANCE_READ, 200),
    ("GET", "assistance:person_options"): Row(Perm.ASSISTANCE_WRITE, 200, query="?q=objetivo"),
    ("GET", "assistance:person_cases"): Row(Perm.ASSISTANCE_WRITE, 200),
    ("GET", "assistance:consular"): Row(Perm.ASSISTANCE_READ, 200),
    ("POST", "assistance:mobile_consulate_new"): Row(
        Perm.ASSISTANCE_WRITE,
        303,
        {"consulate": "us-los-angeles", "city": "Bakersfield", "opens_on": "2024-03-10"},
    ),
    ("POST", "assistance:service_new"): Row(
        Perm.ASSISTANCE_WRITE, 303, {"kind": "passport", "site": "us-los-angeles"}, picks=True
    ),
    ("GET", "assistance:civil_registry"): Row(Perm.ASSISTANCE_READ, 200),
    ("GET", "assistance:civil_registry_new"): Row(Perm.ASSISTANCE_WRITE, 200),
    ("POST", "assistance:civil_registry_new"): Row(
        Perm.ASSISTANCE_WRITE,
        303,
        {
            "kind": "birth",
            "site": "us-los-angeles",
            "event_date": "2020-05-02",
            "event_country": "US",
        },
        picks=True,
    ),
    ("GET", "assistance:civil_registry_detail"): Row(Perm.ASSISTANCE_READ, 200, record=True),
    ("POST", "assistance:civil_registry_step"): Row(
        Perm.ASSISTANCE_WRITE, 303, {"status": "sent", "version": 1}, record=True
    ),
    ("GET", "assistance:travel_documents"): Row(Perm.ASSISTANCE_READ, 200),
    ("GET", "assistance:travel_document_new"): Row(Perm.ASSISTANCE_WRITE, 200),
    ("POST", "assistance:travel_document_new"): Row(
        Perm.ASSISTANCE_WRITE, 303, {"kind": "special_pass", "site": "us-los-angeles"}, picks=True
    ),
    ("GET", "assistance:travel_document_detail"): Row(Perm.ASSISTANCE_READ, 200, record=True),
    ("POST", "assistance:travel_document_check"): Row(
        Perm.ASSISTANCE_WRITE,
        303,
        {"consent_basis": "court_order", "court_order": "Juzgado 2o. 123-2024", "version": 1},
        record=True,
    ),
    ("POST", "assistance:travel_document_decision"): Row(
        Perm.ASSISTANCE_WRITE,
        303,
        {"decision": "refuse", "reason": "Documentos alterados", "version": 1},
        record=True,
    ),
    ("GET", "imports:page"): Row(Perm.IMPORT_RUN, 200),
    ("GET", "imports:layouts"): Row(None, 200),
    ("GET", "imports:layout_template"): Row(None, 200),
    ("GET", "imports:detail"): Row(Perm.IMPORT_RUN, 200, record=True),
    ("GET", "imports:rejects"): Row(Perm.IMPORT_RUN, 200, record=True),
    ("GET", "tracing:person_options"): Row(Perm.TRACING_WRITE, 200, query="?q=objetivo"),
    ("GET", "tracing:figures"): Row(Perm.TRACING_READ, 200),
    ("GET", "tracing:reports"): Row(Perm.TRACING_READ, 200, query="?status=missing"),
    ("GET", "tracing:report_new"): Row(Perm.TRACING_WRITE, 200),
    ("POST", "tracing:report_new"): Row(
        Perm.TRACING_WRITE,
        303,
        {
            "channel": "consulate",
            "last_seen_country": "MX",
            "reporter_name": "Juana",
            "reporter_contact": "5555 1234",
        },
        picks=True,
    ),
    ("GET", "tracing:report_detail"): Row(Perm.TRACING_READ, 200, record=True),
    ("POST", "tracing:report_forensic"): Row(Perm.TRACING_WRITE, 303, {"version": 1}, record=True),
    ("POST", "tracing:report_search"): Row(
        Perm.TRACING_WRITE,
        303,
        {"authority": "Fiscalía", "country": "MX", "site": "mx-tapachula", "version": 1},
        record=True,
    ),
    ("POST", "tracing:report_found"): Row(
        Perm.TRACING_WRITE,
        303,
        {"found_on": "2024-05-01", "country": "MX", "version": 1},
        record=True,
    ),
    # Still missing: no consular case yet (refused at its field).
    ("POST", "tracing:report_case"): Row(Perm.TRACING_WRITE, 422, {}, record=True),
    # The search went through a MINEX consulate: MINEX answers it, whoever recorded the report.
    ("POST", "tracing:search_answer"): Row(Perm.TRACING_WRITE, 303, {"answer": "Sin registros"}),
    ("GET", "tracing:remains"): Row(Perm.TRACING_READ, 200),
    ("GET", "tracing:remains_new"): Row(Perm.TRACING_WRITE, 200),
    ("POST", "tracing:remains_new"): Row(
        Perm.TRACING_WRITE,
        303,
        {
            "reference": "R-2",
            "found_on": "2024-01-02",
            "found_country": "GT",
            "found_place": "Petén",
            "sex": "U",
        },
    ),
    ("GET", "tracing:remains_detail"): Row(Perm.TRACING_READ, 200, record=True),
    ("POST", "tracing:remains_burial"): Row(
        Perm.TRACING_WRITE, 303, {"burial_place": "Cementerio", "version": 1}, record=True
    ),
    # Only the forensic institute identifies: MINEX's caseworkers are refused at the field.
    ("POST", "tracing:remains_identify"): Row(
        Perm.TRACING_IDENTIFY, 422, {"evidence": ["dna"], "note": "ADN", "version": 1}, record=True
    ),
    ("GET", "tracing:requests"): Row(Perm.TRACING_READ, 200),
    ("GET", "tracing:request_new"): Row(Perm.TRACING_WRITE, 200),
    ("POST", "tracing:request_new"): Row(
        Perm.TRACING_WRITE,
        303,
        {"child_where": "abroad", "relative1_name": "Rosa", "relative1_relation": "mother"},
        picks=True,
    ),
    ("GET", "tracing:request_detail"): Row(Perm.TRACING_READ, 200, record=True),
    ("POST", "tracing:candidate_add"): Row(
        Perm.TRACING_WRITE,
        303,
        {"relation": "father", "how_found": "Llamada", "version": 2},
        record=True,
        picks=True,
    ),
    ("POST", "tracing:request_outcome"): Row(
        Perm.TRACING_WRITE,
        303,
        {"status": "not_reunified", "reason": "Sin respuesta", "version": 2},
        record=True,
    ),
    ("POST", "tracing:candidate_decide"): Row(
        Perm.TRACING_WRITE, 303, {"decision": "reject", "reason": "No es"}, record=True
    ),
    ("GET", "matching:queue"): Row(Perm.PERSON_MERGE, 200),
    ("GET", "matching:candidate"): Row(Perm.PERSON_MERGE, 200, record=True),
    ("POST", "matching:decide"): Row(
        Perm.PERSON_MERGE, 302, data={"decision": "different", "reason": "Hermanas"}, record=True
    ),
}
APPS = app_matrices()
for _module in APPS.values():
    ROWS.update(getattr(_module, "WEB_ROWS", {}))
SECOND_FACTOR_ROLES = [
    r for r in Role if r in {Role.INSTITUTION_ADMIN, Role.SYSTEM_ADMIN, Role.AUDITOR}
]


def _web_url_names(patterns: list[Any] | None = None, namespace: str = "") -> set[str]:
    """The name of every URL pattern of the web UI, namespaced ("people:detail")."""
    names: set[str] = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if (entry.namespace or "").startswith("api-"):
                continue  # the API: tests/test_api_authorization.py
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _web_url_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"unnamed URL pattern {entry.pattern}"
            names.add(namespace + entry.name)
    return names


def test_every_web_url_is_covered() -> None:
    assert _web_url_names() == {name for _, name in ROWS}


def test_the_matrix_reaches_the_new_person_page_forms() -> None:
    # The enumeration itself must see the people URLs, or the check above proves nothing.
    assert {"people:detail", "people:void", "home", "otp_verify"} <= _web_url_names()


@dataclass
class World:
    target: Person
    sibling: Person
    case_args: dict[str, dict[str, Any]] = field(default_factory=dict)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # attachments and import files


def _world(
    make_user: Any,
    where: str,
    cases: bool = False,
    assistance: bool = False,
    imports: bool = False,
    matching: bool = False,
    tracing: bool = False,
    app: str | None = None,
) -> World:
    own = make_user(Role.CASEWORKER, "MINEX")
    other = make_user(Role.CASEWORKER, "SBS")
    holder = own if where == "own" else other
    world = World(register(holder, given="Objetivo"), register(holder, given="Hermana"))
    register(other, given="Ajena", documents=[DocumentInput("passport", "S999", "GT")])
    if cases:
        world.case_args = _case_world(make_user, holder, world.target)
    if assistance:
        world.case_args = _assistance_world(holder, world.target)
    if imports:
        world.case_args = _imports_world(holder)
    if matching:
        world.case_args = _matching_world(world)
    if tracing:
        from .test_tracing_web import tracing_world

        world.case_args = tracing_world(make_user, holder, world.target)
    if app is not None and hasattr(APPS[app], "web_world"):
        world.case_args = APPS[app].web_world(make_user, holder, world.target)
    return world


def _needs(name: str) -> dict[str, Any]:
    """What the world of a URL needs beyond people: cases, register entries or import jobs."""
    app = name.split(":")[0]
    return {
        "cases": app == "cases",
        "assistance": app == "assistance",
        "imports": app == "imports",
        "matching": app == "matching",
        "tracing": app == "tracing",
        "app": app if app in APPS else None,
    }


def _matching_world(world: World) -> dict[str, dict[str, Any]]:
    """A proposed pair of the holder's two records (as the background matching leaves it)."""
    from django.utils import timezone

    from amparo.matching.models import MatchCandidate

    pair = MatchCandidate.objects.create(
        person_a=world.target,
        person_b=world.sibling,
        model="dedupe_v1",
        match_probability=0.9,
        explanation={"surnames": "both surnames match"},
        proposed_at=timezone.now(),
    )
    args = {"candidate_id": pair.pk}
    return {"matching:candidate": args, "matching:decide": args}


def _imports_world(holder: User) -> dict[str, dict[str, Any]]:
    """An import job of the holder's institution, finished with a file of rejected rows."""
    from django.core.files.base import ContentFile

    from amparo.imports.models import ImportJob

    job = ImportJob.objects.create(
        kind="contacts",
        institution=holder.institution,
        created_by=holder,
        file="imports/contactos.csv",
        original_name="contactos.csv",
        source="cc",
        status=ImportJob.Status.DONE,
    )
    job.reject_file.save("rechazos.csv", ContentFile(b"line,error\r\n2,x\r\n"))
    job_args = {"job_id": job.pk}
    return {
        "imports:detail": job_args,
        "imports:rejects": job_args,
        "imports:layout_template": {"kind": "contacts"},
    }


def _assistance_world(holder: User, person: Person) -> dict[str, dict[str, Any]]:
    """The holder's civil registry entry (recorded, not sent) and travel document request,
    recorded at a consulate of MINEX or an office of SBS: the URL arguments of their pages."""
    from amparo.assistance import actions
    from amparo.core.models import Site

    site = "us-los-angeles"
    if holder.institution.code != "MINEX":
        site = f"{holder.institution.code.lower()}-oficina-central"
        Site.objects.get_or_create(
            code=site,
            defaults={
                "institution": holder.institution,
                "kind": Site.Kind.OFFICE,
                "country_id": "GT",
                "name_es": "Oficina central",
                "name_en": "Head office",
            },
        )
    birth = actions.civil_registration_record(
        actor=holder,
        data=actions.CivilRegistrationInput(
            kind="birth",
            person_id=person.pk,
            site=site,
            event_date=date(2020, 5, 2),
            event_country="US",
        ),
    )
    travel = actions.travel_document_request(
        actor=holder,
        data=actions.TravelDocumentInput(kind="special_pass", person_id=person.pk, site=site),
    )
    civil, document = {"record_id": birth.pk}, {"record_id": travel.pk}
    return {
        "assistance:civil_registry_detail": civil,
        "assistance:civil_registry_step": civil,
        "assistance:travel_document_detail": document,
        "assistance:travel_document_check": document,
        "assistance:travel_document_decision": document,
    }


def _case_world(make_user: Any, holder: User, person: Person) -> dict[str, dict[str, Any]]:
    """The holder's child-reception case (the first step's task done, a step waiting for
    approval, a file, consent to share) and two referrals from PGN to the holder's
    institution, one waiting, one accepted: the URL arguments of each case page."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from amparo.cases import actions
    from amparo.cases.models import Approval

    case = actions.case_open(actor=holder, protocol_code="child_reception", person_id=person.pk)
    actions.task_complete(actor=holder, task_id=case.tasks.get(code="notify_family").pk)
    approval = Approval.objects.create(
        case=case, transition="receive", requested_by=holder, requested_at=timezone.now()
    )
    upload = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    attachment = actions.attachment_add(actor=holder, case_id=case.pk, upload=upload)
    actions.consent_record(actor=holder, person_id=person.pk, scopes=["case"])
    sender = make_user(Role.CASEWORKER, "PGN")
    referred = register(sender, given="Referida")
    actions.consent_record(actor=sender, person_id=referred.pk, scopes=["identity", "case"])
    pgn_case = actions.case_open(
        actor=sender, protocol_code="child_reception", person_id=referred.pk
    )
    to = holder.institution.code
    waiting, accepted = (
        actions.referral_send(
            actor=sender,
            case_id=pgn_case.pk,
            to_institution=to,
            reason="Albergue",
            shares=["identity", "case"],
        )
        for _ in range(2)
    )
    actions.referral_decide(actor=holder, referral_id=accepted.pk, accept=True)
    c = {"case_id": case.pk}
    return {
        "cases:detail": c,
        "cases:step": c,
        "cases:approval_decide": {**c, "approval_id": approval.pk},
        "cases:task_done": {**c, "task_id": case.tasks.get(code="consular_interview").pk},
        "cases:form_save": {**c, "form_code": "reception_record"},
        "cases:note_add": c,
        "cases:attachment_add": c,
        "cases:attachment_download": {**c, "attachment_id": attachment.pk},
        "cases:referral_send": c,
        "cases:consent_add": c,
        "cases:referral_decide": {"referral_id": waiting.pk},
        "cases:service_add": {"referral_id": accepted.pk},
    }


def _signed_in(user: User, *, verify: bool = True) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if verify and user.needs_second_factor:
        device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
        device.throttle_reset()
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        response = client.post(reverse("otp_verify"), {"token": f"{code:06d}"})
        assert response.status_code == 302, "the second factor was refused"
    return client


def _kwargs(name: str, world: World) -> dict[str, Any]:
    if name in world.case_args:
        return world.case_args[name]
    person = any(row.person for (_, n), row in ROWS.items() if n == name)
    return {"person_id": world.target.pk} if person else {}


def _request(client: Client, key: tuple[str, str], world: World) -> Any:
    method, name = key
    row = ROWS[key]
    url = reverse(name, kwargs=_kwargs(name, world)) + row.query
    if method == "GET":
        return client.get(url)
    data = dict(row.data or {})
    if name == "people:relation_add":
        data["to_person"] = str(world.sibling.pk)
    if name == "cases:open" or row.picks:
        data["person"] = str(world.target.pk)
    if name == "tracing:request_new":
        data["child"] = str(world.target.pk)
    if name == "cases:attachment_add":
        from django.core.files.uploadedfile import SimpleUploadedFile

        data["file"] = SimpleUploadedFile("nota.png", PNG, content_type="image/png")
    module = APPS.get(name.split(":")[0])
    if module is not None and hasattr(module, "web_post_data"):
        data = module.web_post_data(name, data, world)
    return client.post(url, data)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("key", list(ROWS), ids=lambda k: f"{k[0]} {k[1]}")
def test_page_by_role_and_institution(make_user, key, role, where) -> None:  # type: ignore[no-untyped-def]
    world = _world(make_user, where, **_needs(key[1]))
    user = make_user(role, "MINEX")
    response = _request(_signed_in(user), key, world)

    row = ROWS[key]
    if row.perm is not None and row.perm not in ROLE_PERMISSIONS[role]:
        expected = 403
    elif row.other is not None and where == "other":
        expected = row.other
    elif (row.person or row.record) and where == "other":
        expected = 404  # another institution's person does not exist for this user
    elif row.picks and where == "other":
        expected = 422  # ... and cannot be named in a form: refused at its field
    else:
        expected = row.ok
    status = response.status_code
    assert status == expected, f"{role} {key[0]} {key[1]} ({where}) → {status}, expected {expected}"
    if expected in (302, 303) and key[1].startswith(("people:", "cases:", "assistance:")):
        # A refused write answers 422 with the page; a redirect means the action ran.
        assert response["Location"].startswith(f"/{key[1].split(':')[0]}/")


@pytest.mark.parametrize("key", list(ROWS), ids=lambda k: f"{k[0]} {k[1]}")
def test_anonymous_users_are_sent_to_sign_in(make_user, key) -> None:  # type: ignore[no-untyped-def]
    response = _request(Client(), key, _world(make_user, "own", **_needs(key[1])))
    row = ROWS[key]
    if row.public is not None:
        assert response.status_code == row.public
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.parametrize("role", SECOND_FACTOR_ROLES)
@pytest.mark.parametrize("key", list(ROWS), ids=lambda k: f"{k[0]} {k[1]}")
def test_second_factor_comes_before_any_page(make_user, key, role) -> None:  # type: ignore[no-untyped-def]
    world = _world(make_user, "own", **_needs(key[1]))
    user = make_user(role, "MINEX")
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = _request(_signed_in(user, verify=False), key, world)
    row = ROWS[key]
    if row.open:
        assert response.status_code == row.ok
    else:
        assert response.status_code == 302
        assert response["Location"] == reverse("otp_verify")


POST_ONLY = [key for key in ROWS if key[0] == "POST" and ("GET", key[1]) not in ROWS]


@pytest.mark.parametrize("key", POST_ONLY, ids=lambda k: k[1])
def test_post_only_urls_refuse_get(make_user, key) -> None:  # type: ignore[no-untyped-def]
    world = _world(make_user, "own", **_needs(key[1]))
    supervisor = make_user(Role.SUPERVISOR, "MINEX")
    response = _signed_in(supervisor).get(reverse(key[1], kwargs=_kwargs(key[1], world)))
    assert response.status_code == 405


# --- Beyond the status: what the person page's forms refuse and what they disclose ---------


def test_a_refused_form_shows_the_page_again_with_the_spanish_message_at_the_field(
    make_user,
) -> None:  # type: ignore[no-untyped-def]
    world = _world(make_user, "own")
    client = _signed_in(make_user(Role.CASEWORKER, "MINEX"))
    url = reverse("people:document_add", kwargs={"person_id": world.target.pk})
    response = client.post(url, {"doc_type": "dpi", "number": "1234", "issuing_country": "GT"})
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="document-number-error"' in page and "13 dígitos" in page
    assert 'aria-describedby="document-number-error"' in page
    assert '<details class="amparo-part" open>' in page  # the refused form is open
    assert not world.target.documents.exists()


def test_a_relation_to_a_person_of_another_institution_is_refused(make_user) -> None:  # type: ignore[no-untyped-def]
    world = _world(make_user, "own")
    stranger = register(make_user(Role.CASEWORKER, "SBS"), given="Desconocida")
    client = _signed_in(make_user(Role.CASEWORKER, "MINEX"))
    url = reverse("people:relation_add", kwargs={"person_id": world.target.pk})
    response = client.post(url, {"kind": "sibling", "to_person": str(stranger.pk)})
    assert response.status_code == 422
    assert "Esa persona no está en sus registros." in response.content.decode()
    assert "Desconocida" not in response.content.decode()
    assert not world.target.relations_from.exists()


def test_the_relation_search_lists_only_people_the_user_holds(make_user) -> None:  # type: ignore[no-untyped-def]
    world = _world(make_user, "own")
    register(make_user(Role.CASEWORKER, "SBS"), given="Hermana", first="Ajena")
    client = _signed_in(make_user(Role.CASEWORKER, "MINEX"))
    page = client.get(
        reverse("people:detail", kwargs={"person_id": world.target.pk}), {"related_q": "hermana"}
    ).content.decode()
    assert f'<option value="{world.sibling.pk}">' in page
    assert "Ajena" not in page
    assert f'<option value="{world.target.pk}">' not in page  # not related to themselves


def test_relations_never_name_a_person_the_user_does_not_hold(make_user) -> None:  # type: ignore[no-untyped-def]
    """MINEX relates two people it holds; SBS, which holds only the first, sees no name."""
    from amparo.people.actions import person_link, relation_add

    minex, sbs = make_user(Role.CASEWORKER, "MINEX"), make_user(Role.CASEWORKER, "SBS")
    passport = DocumentInput("passport", "R777", "GT")
    mother = register(minex, given="Madre", first="Tum", documents=[passport])
    child = register(minex, given="Secreta", first="Tum")
    relation_add(actor=minex, from_person_id=mother.pk, to_person_id=child.pk, kind="parent")
    relation_add(actor=minex, from_person_id=child.pk, to_person_id=mother.pk, kind="relative")
    person_link(actor=sbs, document=passport)

    url = reverse("people:detail", kwargs={"person_id": mother.pk})
    assert "Secreta" in _signed_in(minex).get(url).content.decode()
    page = _signed_in(sbs).get(url)
    assert page.status_code == 200 and "Secreta" not in page.content.decode()


def test_voiding_leads_to_the_search_page_and_the_record_is_gone(make_user) -> None:  # type: ignore[no-untyped-def]
    world = _world(make_user, "own")
    client = _signed_in(make_user(Role.SUPERVISOR, "MINEX"))
    url = reverse("people:void", kwargs={"person_id": world.target.pk})
    assert client.post(url, {"reason": "  "}).status_code == 422  # a reason is required
    response = client.post(url, {"reason": "Registro duplicado"}, follow=True)
    assert response.redirect_chain == [(reverse("people:search"), 302)]
    assert "El registro fue anulado" in response.content.decode()
    detail = reverse("people:detail", kwargs={"person_id": world.target.pk})
    assert client.get(detail).status_code == 404
