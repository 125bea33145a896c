"""The labour app's rows of the authorization matrices (see tests/matrix.py).

API operations are tested for every role and institution in tests/test_labour_api.py; web
pages by tests/test_web_matrix.py with the rows below (the matrix's user is of MINEX, which is
not the labour ministry: the ministry's own pages answer it 403, its records are tested in
tests/test_labour_web.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from amparo.core.models import Role, Site, User
from amparo.core.permissions import Perm
from amparo.people.models import Person

from .conftest import register
from .matrix import Row

CONDITIONS = "CAD 16.50 por hora, 40 horas semanales, vivienda y transporte pagados"


@dataclass(frozen=True)
class Op:
    perm: Perm | None  # None: anyone, signed in or not
    ok: int  # with the permission, in the labour ministry, on its own records
    other: int | None = None  # on another institution's records (None: same as ok)
    body: dict[str, Any] | None = None
    query: str = ""


LABOUR_OPERATIONS: dict[tuple[str, str], Op] = {
    ("GET", "/api/v1/public/recruiters"): Op(None, 200, query="?q=altos"),
    ("POST", "/api/v1/public/fraud-reports"): Op(
        None, 202, body={"recruiter_name": "Don Chepe", "description": "Cobra por visas falsas"}
    ),
    ("GET", "/api/v1/recruiters"): Op(Perm.LABOUR_READ, 200, query="?status=applied"),
    ("POST", "/api/v1/recruiters"): Op(
        Perm.LABOUR_WRITE,
        201,
        body={
            "kind": "individual",
            "name": "Reclutador Independiente Quetzaltenango",
            "tax_number": "{nit}",
            "countries": ["MX"],
            "sectors": ["agriculture"],
            "documents": ["DPI", "Antecedentes penales"],
        },
    ),
    ("GET", "/api/v1/recruiters/{recruiter_id}"): Op(Perm.LABOUR_READ, 200),
    ("POST", "/api/v1/recruiters/{recruiter_id}/decision"): Op(
        Perm.LABOUR_DECIDE,
        200,
        body={"decision": "authorise", "valid_until": "{next_year}", "version": 1},
    ),
    ("POST", "/api/v1/recruiters/{recruiter_id}/supervision"): Op(
        Perm.LABOUR_WRITE, 201, body={"kind": "complaint", "summary": "Cobro indebido"}
    ),
    ("GET", "/api/v1/fraud-reports"): Op(Perm.LABOUR_READ, 200, query="?status=new"),
    ("POST", "/api/v1/fraud-reports/{report_id}/review"): Op(
        Perm.LABOUR_WRITE, 200, body={"note": "Remitido al Ministerio Público"}
    ),
    ("GET", "/api/v1/employers"): Op(Perm.LABOUR_READ, 200, query="?q=ferme"),
    ("POST", "/api/v1/employers"): Op(
        Perm.LABOUR_WRITE,
        201,
        body={"name": "Serres Gagnon", "country": "CA", "sector": "agriculture"},
    ),
    ("GET", "/api/v1/job-offers"): Op(Perm.LABOUR_READ, 200, query="?country=CA"),
    ("POST", "/api/v1/job-offers"): Op(
        Perm.LABOUR_WRITE,
        201,
        body={
            "employer_id": "{employer_id}",
            "programme": "Canadá agrícola",
            "sector": "agriculture",
            "positions": 10,
            "starts_on": "2025-04-01",
            "ends_on": "2025-10-01",
            "conditions": CONDITIONS,
        },
    ),
    ("GET", "/api/v1/job-offers/{offer_id}"): Op(Perm.LABOUR_READ, 200, 404),
    ("POST", "/api/v1/job-offers/{offer_id}/workers"): Op(
        Perm.LABOUR_WRITE, 201, 404, body={"person_id": "{person_id}"}
    ),
    ("POST", "/api/v1/placements/{placement_id}/step"): Op(
        Perm.LABOUR_WRITE, 200, 404, body={"status": "preselected", "version": 1}
    ),
    ("POST", "/api/v1/placements/{placement_id}/readmit"): Op(
        Perm.LABOUR_WRITE, 201, 404, body={"offer_id": "{next_offer_id}"}
    ),
    ("GET", "/api/v1/pamphlets"): Op(Perm.LABOUR_READ, 200),
    ("POST", "/api/v1/pamphlets"): Op(
        Perm.LABOUR_WRITE,
        201,
        body={"site": "{site}", "country": "CA", "programme": "Canadá", "quantity": 40},
    ),
    ("GET", "/api/v1/workplace-visits"): Op(Perm.LABOUR_READ, 200),
    ("POST", "/api/v1/workplace-visits"): Op(
        Perm.LABOUR_WRITE,
        201,
        body={
            "employer_id": "{employer_id}",
            "site": "{site}",
            "kind": "visit",
            "findings": "Sin novedad",
        },
    ),
    ("GET", "/api/v1/support-services"): Op(Perm.LABOUR_READ, 200),
    ("POST", "/api/v1/support-services"): Op(
        Perm.LABOUR_WRITE,
        201,
        422,  # another institution's worker cannot be named
        body={"person_id": "{worker_id}", "site": "{site}", "kind": "orientation"},
    ),
    ("GET", "/api/v1/labour/figures"): Op(Perm.LABOUR_READ, 200, query="?year=2024"),
}
API_OPERATIONS = {(m, p) for m, p in LABOUR_OPERATIONS}


def office(institution: Any) -> Site:
    code = f"{institution.code.lower().replace('_', '-')}-oficina-laboral"
    site, _ = Site.objects.get_or_create(
        code=code,
        defaults={
            "institution": institution,
            "kind": Site.Kind.OFFICE,
            "country_id": "GT",
            "name_es": "Oficina de movilidad laboral",
            "name_en": "Labour mobility office",
        },
    )
    return site


def labour_world(make_user: Any, holder: User, person: Person) -> dict[str, Any]:
    """Records of every labour register: the recruiters (the ministry's, whoever holds the
    rest), and the offers, workers, visits and services of `holder`'s institution."""
    from amparo.labour import actions
    from amparo.labour.models import Employer
    from amparo.labour.names import tax_number_with_check

    chief = make_user(Role.SUPERVISOR, "MINTRAB")
    n = Employer.objects.count()
    applied = actions.recruiter_apply(
        actor=chief,
        data=actions.RecruiterInput(
            kind="organisation",
            name=f"Agencia Los Altos {n}",
            tax_number=tax_number_with_check(f"{5000000 + n}"),
            countries=["CA"],
            sectors=["agriculture"],
            documents=["Escritura"],
            representative="Ana López",
        ),
    )
    report = actions.fraud_report_submit(
        data=actions.FraudReportInput("Agencia falsa", "Pidió Q. 2,000 por inscribirme")
    )
    employer = actions.employer_create(
        actor=chief,
        data=actions.EmployerInput(f"Ferme Tremblay {n}", "CA", "agriculture", "Québec"),
    )
    site = office(holder.institution)

    def offer(start: date) -> Any:
        return actions.offer_create(
            actor=holder,
            data=actions.OfferInput(
                employer.pk,
                "Canadá agrícola",
                "agriculture",
                5,
                start,
                start + timedelta(days=150),
                CONDITIONS,
            ),
        )

    first, second = offer(date(2023, 4, 1)), offer(date(2024, 4, 1))
    placement = actions.placement_register(
        actor=holder, offer_id=second.pk, data=actions.PlacementInput(person.pk, site.code)
    )
    returned = actions.placement_register(
        actor=holder, offer_id=first.pk, data=actions.PlacementInput(person.pk)
    )
    for status in ("preselected", "selected", "prepared", "deployed", "returned"):
        actions.placement_step(
            actor=holder, placement_id=returned.pk, data=actions.StepInput(status)
        )
    third = offer(date(2025, 4, 1))
    newcomer = register(holder, given="Nuevo", first="Trabajador")
    visit = actions.visit_record(
        actor=holder,
        data=actions.VisitInput(employer.pk, site.code, "inspection", "Vivienda adecuada"),
    )
    service = actions.service_record(
        actor=holder, data=actions.ServiceInput(person.pk, site.code, "orientation")
    )
    actions.pamphlets_record(
        actor=holder, data=actions.PamphletInput(site.code, "CA", "Canadá", 100)
    )
    return {
        "recruiter": applied,
        "report": report,
        "employer": employer,
        "site": site,
        "offer": second,
        "placement": placement,
        "returned": returned,
        "next_offer": third,
        "newcomer": newcomer,
        "person": person,
        "visit": visit,
        "service": service,
        "next_year": timezone.localdate() + timedelta(days=365),
    }


# ---------------------------------------------------------------- web pages

R, W, D = Perm.LABOUR_READ, Perm.LABOUR_WRITE, Perm.LABOUR_DECIDE
OFFER = {
    "programme": "Canadá agrícola",
    "sector": "agriculture",
    "positions": "4",
    "starts_on": "2025-04-01",
    "ends_on": "2025-09-30",
    "conditions": CONDITIONS,
}
REPORT = {"recruiter_name": "Don Chepe", "description": "Pidió Q. 3,000 por una visa"}
# The matrix's user is of MINEX: the ministry's register pages that write answer it 403
# (tests/test_labour_web.py covers them for the ministry).
WEB_ROWS: dict[tuple[str, str], Row] = {
    ("GET", "labour:check"): Row(None, 200, query="?q=altos", public=200),
    ("GET", "labour:report"): Row(None, 200, public=200),
    ("POST", "labour:report"): Row(None, 303, data=REPORT, public=303),
    ("GET", "labour:recruiters"): Row(R, 200, query="?status=applied"),
    ("GET", "labour:recruiter_new"): Row(W, 403),
    ("POST", "labour:recruiter_new"): Row(W, 403, data={"name": "X"}),
    ("GET", "labour:recruiter_detail"): Row(R, 200),
    ("POST", "labour:recruiter_decide"): Row(D, 403, data={"decision": "refuse"}),
    ("POST", "labour:recruiter_supervise"): Row(W, 403, data={"kind": "complaint"}),
    ("GET", "labour:fraud_reports"): Row(R, 403),
    ("POST", "labour:fraud_review"): Row(W, 403, data={"note": "Visto"}),
    ("GET", "labour:offers"): Row(R, 200),
    ("POST", "labour:employer_new"): Row(
        W, 303, data={"name": "Serres Gagnon", "country": "CA", "sector": "agriculture"}
    ),
    ("GET", "labour:offer_new"): Row(W, 200),
    ("POST", "labour:offer_new"): Row(W, 303, data=OFFER),
    ("GET", "labour:offer_detail"): Row(R, 200, record=True),
    ("POST", "labour:placement_new"): Row(W, 303, data={}, record=True),
    ("POST", "labour:placement_step"): Row(
        W, 303, data={"status": "preselected", "version": "1"}, record=True
    ),
    ("POST", "labour:placement_readmit"): Row(W, 303, data={}, record=True),
    ("GET", "labour:person_options"): Row(W, 200, query="?q=objetivo"),
    ("GET", "labour:pamphlets"): Row(R, 200),
    ("POST", "labour:pamphlets"): Row(
        W,
        303,
        data={"site": "ca-montreal", "country": "CA", "programme": "Canadá", "quantity": "50"},
    ),
    ("GET", "labour:visits"): Row(R, 200),
    ("POST", "labour:visits"): Row(
        W, 303, data={"site": "ca-montreal", "kind": "visit", "findings": "Sin novedad"}
    ),
    ("GET", "labour:services"): Row(R, 200),
    ("POST", "labour:services"): Row(
        W, 303, data={"site": "ca-montreal", "kind": "orientation"}, picks=True
    ),
    ("GET", "labour:figures"): Row(R, 200, query="?year=2024"),
}


def web_world(make_user: Any, holder: User, target: Person) -> dict[str, dict[str, Any]]:
    world = labour_world(make_user, holder, target)
    recruiter = {"recruiter_id": world["recruiter"].pk}
    offer = {"offer_id": world["offer"].pk}
    return {
        "labour:recruiter_detail": recruiter,
        "labour:recruiter_decide": recruiter,
        "labour:recruiter_supervise": recruiter,
        "labour:fraud_review": {"report_id": world["report"].pk},
        "labour:offer_detail": offer,
        "labour:placement_new": offer,
        "labour:placement_step": {"placement_id": world["placement"].pk},
        "labour:placement_readmit": {"placement_id": world["returned"].pk},
        "_labour": world,
    }


def web_post_data(name: str, data: dict[str, Any], world: Any) -> dict[str, Any]:
    from django.core.cache import cache

    labour = world.case_args.get("_labour", {})
    if name == "labour:report":
        cache.clear()  # the flood limit counts every report of the run from one address
    if name == "labour:placement_new":
        data["person"] = str(labour["newcomer"].pk)
    if name == "labour:placement_readmit":
        data["offer"] = str(labour["next_offer"].pk)
    if name in ("labour:offer_new", "labour:visits", "labour:services"):
        data["employer"] = str(labour["employer"].pk)
    return data
