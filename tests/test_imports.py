"""Bulk imports: every kind of bad file is handled or refused with a clear message, nothing is
half-written, and the same file imported twice adds nothing."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from amparo.assistance.models import CivilRegistration, SupportContact, TravelDocument
from amparo.cases.models import ServiceDelivery
from amparo.core.errors import InvalidInput
from amparo.core.models import Role, Site
from amparo.core.permissions import Forbidden
from amparo.imports.actions import import_create
from amparo.imports.engine import run_import
from amparo.imports.models import ImportJob
from amparo.people.models import IdentityDocument, Involvement, Person
from amparo.people.queries import persons_visible_to

pytestmark = pytest.mark.django_db

CONTACT_HEADER = (
    "ref,received_at,channel,caller_country,caller_city,reason,outcome,duration_seconds,note"
)
CONTACTS = [
    "A1,2018-03-14 09:25,call,US,Houston,detention,information,312,",
    "A2,14/03/2018 10:00,llamada,MX,Tapachula,information,information,60,",
    "A3,2018-03-15,message,us,,passport,information,,",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def supervisor(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.SUPERVISOR, "MINEX")


def run(user, kind: str, data: bytes, *, name: str = "f.csv", **options) -> ImportJob:  # type: ignore[no-untyped-def]
    options.setdefault("source", "cc")
    job = import_create(
        actor=user, kind=kind, file=io.BytesIO(data), name=name, size=len(data), **options
    )
    return run_import(job)


def csv_bytes(header: str, lines: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode(encoding)


def test_contacts_import_and_reimport_adds_nothing(supervisor):
    data = csv_bytes(CONTACT_HEADER, CONTACTS)
    job = run(supervisor, "contacts", data)
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.rows_seen, job.rows_inserted, job.rows_existing) == (3, 3, 0)
    contact = SupportContact.objects.get(external_ref="A2")
    assert contact.channel == "call"  # the Spanish alias
    assert contact.received_at.date() == date(2018, 3, 14)
    assert contact.import_job_id == job.pk and contact.recorded_by == supervisor
    again = run(supervisor, "contacts", data)
    assert (again.rows_inserted, again.rows_existing) == (0, 3)
    assert SupportContact.objects.count() == 3
    # Another source may use the same references: they are different rows.
    other = run(supervisor, "contacts", data, source="otro-centro")
    assert other.rows_inserted == 3


def test_latin1_file_is_read(supervisor):
    data = csv_bytes(
        CONTACT_HEADER,
        ["B1,2018-03-14 09:25,call,US,Nueva York,detention,information,5,Llamó la señora Pérez"],
        "latin-1",
    )
    job = run(supervisor, "contacts", data)
    assert job.status == ImportJob.Status.DONE and job.encoding == "cp1252"
    assert SupportContact.objects.get(external_ref="B1").note == "Llamó la señora Pérez"


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters(supervisor, delimiter):
    lines = [line.replace(",", delimiter) for line in [CONTACT_HEADER, *CONTACTS]]
    job = run(supervisor, "contacts", csv_bytes(lines[0], lines[1:]))
    assert job.status == ImportJob.Status.DONE and job.delimiter == delimiter
    assert job.rows_inserted == 3


def test_missing_and_unknown_columns_refuse_the_file(supervisor):
    header = CONTACT_HEADER.replace("reason,", "").replace("note", "notes")
    job = run(supervisor, "contacts", csv_bytes(header, []))
    assert job.status == ImportJob.Status.REFUSED
    assert "reason" in job.message and "notes" in job.message
    assert SupportContact.objects.count() == 0


def test_a_bad_row_refuses_everything_by_default(supervisor):
    lines = [*CONTACTS, "A4,2018-03-16 08:00,call,ZZ,X,detention,information,1,"]
    job = run(supervisor, "contacts", csv_bytes(CONTACT_HEADER, lines))
    assert job.status == ImportJob.Status.REFUSED
    assert (
        job.errors == [{"line": 5, "column": "caller_country", "message": "Unknown code “ZZ”."}]
        or job.errors[0]["line"] == 5
    )
    assert SupportContact.objects.count() == 0


def test_valid_rows_mode_writes_a_reject_file(supervisor):
    lines = [
        *CONTACTS,
        "A4,2018-03-16 08:00,call,US,X,nope,information,1,",  # unknown reason
        "A5,2018-03-16 08:00,fax,US,X,detention,information,1,",  # unknown channel
        "A6,2018-03-16 08:00,call,US,X,detention,information,-3,",  # out of range
        "A7,2099-03-16 08:00,call,US,X,detention,information,1,",  # in the future
    ]
    job = run(supervisor, "contacts", csv_bytes(CONTACT_HEADER, lines), mode="valid")
    assert job.status == ImportJob.Status.DONE
    assert (job.rows_inserted, job.rows_rejected) == (3, 4)
    rejects = list(csv.reader(io.StringIO(job.reject_file.read().decode("utf-8-sig"))))
    assert rejects[0][:3] == ["línea", "columna", "motivo"] or rejects[0][:3] == [
        "line",
        "column",
        "reason",
    ]
    assert [(r[0], r[1]) for r in rejects[1:]] == [
        ("5", "reason"),
        ("6", "channel"),
        ("7", "duration_seconds"),
        ("8", "received_at"),
    ]


def test_month_day_dates_are_recognised_and_explained(supervisor):
    lines = ["D1,03/14/2018 09:00,call,US,X,detention,information,1,"]
    job = run(supervisor, "contacts", csv_bytes(CONTACT_HEADER, lines))
    assert job.status == ImportJob.Status.REFUSED
    assert job.errors[0]["column"] == "received_at"
    assert "order" in job.errors[0]["message"] or "orden" in job.errors[0]["message"]
    job = run(supervisor, "contacts", csv_bytes(CONTACT_HEADER, lines), date_order="mdy")
    assert job.status == ImportJob.Status.DONE
    assert SupportContact.objects.get(external_ref="D1").received_at.date() == date(2018, 3, 14)


def test_duplicate_rows_in_one_file(supervisor):
    same = [CONTACTS[0], CONTACTS[0]]
    job = run(supervisor, "contacts", csv_bytes(CONTACT_HEADER, same))
    assert job.status == ImportJob.Status.DONE
    assert (job.rows_inserted, job.rows_existing) == (1, 1)
    clash = [CONTACTS[0], CONTACTS[0].replace("Houston", "Dallas")]
    job = run(supervisor, "contacts", csv_bytes(CONTACT_HEADER, clash), source="b")
    assert job.status == ImportJob.Status.REFUSED
    assert job.errors[0]["line"] == 3 and job.errors[0]["column"] == "ref"


def test_truncated_file_and_wrong_field_counts(supervisor):
    data = csv_bytes(CONTACT_HEADER, CONTACTS) + b"A9,2018-03-15,call,US"
    job = run(supervisor, "contacts", data)
    assert job.status == ImportJob.Status.REFUSED
    assert job.errors[0]["line"] == 5
    assert "4" in job.errors[0]["message"]
    open_quote = csv_bytes(CONTACT_HEADER, CONTACTS) + b'A9,"2018-03-15,call'
    job = run(supervisor, "contacts", open_quote)
    assert job.status == ImportJob.Status.REFUSED and job.rows_rejected == 1
    assert SupportContact.objects.count() == 0


def test_empty_and_binary_files_are_refused(supervisor):
    with pytest.raises(InvalidInput) as exc:
        run(supervisor, "contacts", b"")
    assert "file" in exc.value.errors
    job = run(supervisor, "contacts", b"\xd0\xcf\x11\xe0old excel", name="f.csv")
    assert job.status == ImportJob.Status.REFUSED and "XLS" in job.message
    job = run(supervisor, "contacts", CONTACT_HEADER.encode() + b"\n")
    assert job.status == ImportJob.Status.REFUSED


def test_options_are_checked_before_the_file(supervisor, make_user):
    with pytest.raises(InvalidInput) as exc:
        run(supervisor, "nothing", b"x", source="Bad Source!", name="f.pdf", mode="x")
    assert set(exc.value.errors) == {"kind", "source", "file", "mode"}
    with pytest.raises(Forbidden):
        run(make_user(Role.CASEWORKER, "MINEX"), "contacts", b"x")


def _xlsx(rows: list[list[object]], *, sheets: int = 1) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "contactos"
    for row in rows:
        sheet.append(row)
    for n in range(1, sheets):
        book.create_sheet(f"otra{n}")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_import_with_dates_and_numbers(supervisor):
    from datetime import datetime

    rows = [
        CONTACT_HEADER.split(","),
        [
            "X1",
            datetime(2018, 3, 14, 9, 25),
            "call",
            "US",
            "Houston",
            "detention",
            "information",
            312,
            None,
        ],
    ]
    job = run(supervisor, "contacts", _xlsx(rows), name="f.xlsx")
    assert job.status == ImportJob.Status.DONE, job.message
    assert SupportContact.objects.get(external_ref="X1").duration_seconds == 312


def test_xlsx_formulas_and_several_sheets(supervisor):
    rows = [
        CONTACT_HEADER.split(","),
        ["X1", "2018-03-14", "call", "US", "H", "detention", "information", "=1+1", None],
    ]
    job = run(supervisor, "contacts", _xlsx(rows), name="f.xlsx")
    assert job.status == ImportJob.Status.REFUSED
    assert job.errors[0]["column"] == "duration_seconds"
    job = run(supervisor, "contacts", _xlsx(rows[:1], sheets=2), name="f.xlsx")
    assert job.status == ImportJob.Status.REFUSED and "otra1" in job.message
    rows[1][7] = 5
    job = run(supervisor, "contacts", _xlsx(rows, sheets=2), name="f.xlsx", sheet="contactos")
    assert job.status == ImportJob.Status.DONE


SERVICE_HEADER = (
    "ref,delivered_at,site,kind,given_names,first_surname,second_surname,sex,birth_date,"
    "document_type,document_number,document_country,note"
)


def test_services_find_or_create_people_and_mobile_consulates(supervisor, person):
    events = run(
        supervisor,
        "mobile_consulates",
        csv_bytes(
            "ref,consulate,city,region,place,opens_on,closes_on",
            ["M1,US_LOS_ANGELES,Bakersfield,California,,10/03/2018,11/03/2018"],
        ),
    )
    assert events.status == ImportJob.Status.DONE, events.errors
    mobile = Site.objects.get(kind=Site.Kind.MOBILE_CONSULATE)
    assert mobile.parent.code == "us-los-angeles" and mobile.opens_on == date(2018, 3, 10)
    lines = [
        # The person already in the network, by the passport of the `person` fixture.
        "S1,2018-03-10 10:00,M1,passport,Maria Jose,Tzoc,,F,,passport,A1234567,GT,",
        "S2,2018-03-10 11:00,M1,consular_id,Pedro,Xol,Caal,M,1990-01-02,dpi,1234 56789 0101,GT,",
        "S3,2018-04-02 09:00,us-los-angeles,passport,Pedro,Xol,Caal,M,1990-01-02,dpi,"
        "1234567890101,GT,",
        "S4,2018-04-02 09:30,us-los-angeles,information,Ana,,,F,,,,,",
    ]
    job = run(supervisor, "consular_services", csv_bytes(SERVICE_HEADER, lines))
    assert job.status == ImportJob.Status.DONE, job.errors
    assert job.rows_inserted == 4
    services = ServiceDelivery.objects.filter(import_job=job)
    assert services.filter(person=person).count() == 1
    assert services.values("person").distinct().count() == 3  # S2 and S3: one Pedro
    pedro = IdentityDocument.objects.get(number_normalized="1234567890101").person
    assert Involvement.objects.filter(person=pedro, source="import").exists()
    assert persons_visible_to(supervisor).filter(pk=pedro.pk).exists()
    assert services.filter(site=mobile).count() == 2
    again = run(supervisor, "consular_services", csv_bytes(SERVICE_HEADER, lines))
    assert (again.rows_inserted, again.rows_existing) == (0, 4)
    assert Person.objects.filter(given_names="Pedro").count() == 1


def test_services_reject_half_documents_and_unknown_sites(supervisor):
    lines = [
        "S1,2018-03-10 10:00,us-los-angeles,passport,Ana,,,F,,passport,,GT,",
        "S2,2018-03-10 10:00,nowhere,passport,Ana,,,F,,,,,",
    ]
    job = run(supervisor, "consular_services", csv_bytes(SERVICE_HEADER, lines), mode="valid")
    assert [(e["line"], e["column"]) for e in job.errors] == [
        (2, "document_number"),
        (3, "site"),
    ]


def test_civil_registrations_with_status_and_spouse(supervisor):
    header = (
        "ref,kind,recorded_on,event_date,event_country,event_place,site,status,"
        "registry_reference,rejection_reason,given_names,first_surname,spouse_given_names,"
        "spouse_first_surname"
    )
    lines = [
        "C1,birth,2018-05-20,2018-05-02,US,Los Angeles,us-los-angeles,registered,RN-1,,Luis,Ajú,,",
        "C2,marriage,2018-06-01,2018-05-30,US,,us-los-angeles,,,,Rosa,Coc,Juan,Ical",
        "C3,death,2018-06-01,2018-05-30,US,,us-los-angeles,rejected,,,Tomás,Xol,,",
        "C4,marriage,2018-06-01,2018-05-30,US,,us-los-angeles,,,,Rosa,Coc,,",
    ]
    job = run(supervisor, "civil_registrations", csv_bytes(header, lines), mode="valid")
    assert [(e["line"], e["column"]) for e in job.errors] == [
        (4, "rejection_reason"),
        (5, "spouse_given_names"),
    ]
    birth = CivilRegistration.objects.get(external_ref="C1")
    assert birth.status == "registered" and [h["status"] for h in birth.history] == [
        "recorded",
        "registered",
    ]
    marriage = CivilRegistration.objects.get(external_ref="C2")
    assert marriage.other_person.given_names == "Juan"


def test_travel_documents_check_the_consent_rule(supervisor):
    header = (
        "ref,kind,requested_on,site,status,consent_basis,parent1_name,parent2_name,court_order,"
        "issued_number,refusal_reason,given_names,birth_date"
    )
    lines = [
        "T1,child_passport,2018-07-02,us-los-angeles,issued,both_parents,Rosa,Juan,,P1,,Ana,2012-01-01",
        "T2,child_passport,2018-07-02,us-los-angeles,issued,adult,,,,P2,,Ana,2012-01-01",
        "T3,special_pass,2018-07-02,us-los-angeles,checked,court_order,,,,,,Luis,2010-01-01",
        "T4,travel_authorisation,2018-07-02,us-los-angeles,refused,,,,,,,Eva,2011-01-01",
        "T5,travel_authorisation,2018-07-02,us-los-angeles,,,,,,,,Eva,2011-01-01",
    ]
    job = run(supervisor, "travel_documents", csv_bytes(header, lines), mode="valid")
    assert [(e["line"], e["column"]) for e in job.errors] == [
        (3, "consent_basis"),
        (4, "court_order"),
        (5, "refusal_reason"),
    ]
    issued = TravelDocument.objects.get(external_ref="T1")
    assert issued.parents[1]["name"] == "Juan" and issued.document_number == "P1"
    assert TravelDocument.objects.get(external_ref="T5").status == "requested"


def test_command_line_import(supervisor, tmp_path, capsys):
    path = Path(tmp_path) / "contactos.csv"
    path.write_bytes(csv_bytes(CONTACT_HEADER, CONTACTS))
    call_command("import", "contacts", str(path), source="cc", user=supervisor.username)
    assert SupportContact.objects.count() == 3
    bad = Path(tmp_path) / "malo.csv"
    bad.write_bytes(csv_bytes(CONTACT_HEADER, ["Z1,ayer,call,US,X,detention,information,1,"]))
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("import", "contacts", str(bad), source="cc", user=supervisor.username)
    assert "received_at" in capsys.readouterr().out


def test_large_imports_refresh_the_planner_statistics(supervisor, monkeypatch):
    from amparo.imports import engine

    monkeypatch.setattr(engine, "ANALYZE_AFTER", 2)
    job = run(supervisor, "contacts", csv_bytes(CONTACT_HEADER, CONTACTS))
    assert job.status == ImportJob.Status.DONE and job.rows_inserted == 3
