"""Statistics pages and exports: exact figures for authorised roles, the records behind a
figure (own institution, audited), suppressed exports that open in LibreOffice."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from amparo.core.models import AuditEntry, Role
from amparo.core.permissions import ROLE_PERMISSIONS, Perm
from amparo.demo.national import scaled_volumes

from .conftest import api_client
from .test_web_matrix import _signed_in

pytestmark = pytest.mark.django_db

SCALE = 0.002
YEAR = "start=2018-01-01&end=2018-12-31"


@pytest.fixture(autouse=True)
def worker_at_once(settings) -> None:  # type: ignore[no-untyped-def]
    """The worker's computations run as soon as they are queued (test_stats_jobs.py checks
    that pages never wait for them, and the real worker)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def national() -> dict[str, int]:
    call_command("demo", national=True, scale=SCALE, stdout=io.StringIO())
    return scaled_volumes(SCALE)


def _get(client: Client, name: str, query: str = "", **kw: Any) -> Any:
    return client.get(reverse(name, kwargs=kw) + ("?" + query if query else ""))


def test_dashboard_and_indicator_page_show_exact_figures(make_user, national) -> None:  # type: ignore[no-untyped-def]
    analyst = _signed_in(make_user(Role.ANALYST, "INE"))
    page = _get(analyst, "stats:index", YEAR)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Llamadas a la línea" in text or "Calls to the migrant support line" in text
    # Headline figures grouped as Guatemala's Spanish writes them (1,017,564).
    assert f">{national['contacts']:,} " in text or f">{national['contacts']:,}<" in text
    # One institution: SBS's page counts the shelter children, not MINEX's calls.
    sbs = _get(analyst, "stats:index", YEAR + "&institution=SBS").content.decode()
    assert f">{national['sheltered_children']:,} " in sbs
    # The dashboard's charts: month by month, or split by a dimension.
    assert text.count("<svg") >= 4
    by_sex = _get(analyst, "stats:index", YEAR + "&by=sex")
    assert by_sex.status_code == 200 and by_sex.content.decode().count("<svg") >= 3
    assert _get(analyst, "stats:index", YEAR + "&by=colour").status_code == 422
    assert _get(analyst, "stats:index", "by=colour").status_code == 422
    page = _get(
        analyst, "stats:indicator", YEAR + "&by=sex&by=age_group", indicator_id="children.sheltered"
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "<svg" in body  # the monthly chart
    assert f"{national['sheltered_children']:,}" in body
    # Analysts never open the records behind a figure: no links to them.
    assert reverse("stats:records", args=["children.sheltered"]) not in body
    assert (
        _get(analyst, "stats:records", YEAR, indicator_id="children.sheltered").status_code == 403
    )


def test_odd_input_is_a_page_not_an_error(make_user) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in(make_user(Role.ANALYST, "INE"))
    bad = _get(client, "stats:index", "start=2018-13-01&end=2018-12-31")
    assert bad.status_code == 422 and "usa-error-message" in bad.content.decode()
    reversed_ = _get(client, "stats:index", "start=2019-01-01&end=2018-01-01")
    assert reversed_.status_code == 422
    assert _get(client, "stats:indicator", YEAR, indicator_id="nothing.here").status_code == 404
    four = YEAR + "&by=sex&by=age_group&by=nationality&by=department"
    page = _get(client, "stats:indicator", four, indicator_id="consular.services")
    assert page.status_code == 422
    wrong = _get(client, "stats:indicator", YEAR + "&by=colour", indicator_id="consular.services")
    assert wrong.status_code == 422
    assert _get(client, "stats:export", YEAR, fmt="exe").status_code == 404
    for name, kw in (("stats:export", {"fmt": "csv"}), ("stats:report", {}),
                     ("stats:questions", {})):  # fmt: skip
        assert _get(client, name, "start=nada&end=2018-12-31", **kw).status_code == 422
    # Odd breakdown values: a cell that matches nothing is an empty list, not an error.
    supervisor = _signed_in(make_user(Role.SUPERVISOR, "MINEX", "protection"))
    odd = YEAR + "&by=age_group&key=%F0%9F%98%80"
    page = _get(supervisor, "stats:records", odd, indicator_id="consular.services")
    assert page.status_code == 200 and page.context["found"].count == 0
    uuid_dim = YEAR + "&by=institution&key=not-a-uuid"
    assert _get(
        supervisor, "stats:records", uuid_dim, indicator_id="consular.services"
    ).status_code in (200, 422)
    # An empty period: zeros.
    empty = _get(client, "stats:indicator", "start=2030-01-01&end=2030-01-31",
                 indicator_id="consular.services")  # fmt: skip
    assert empty.status_code == 200 and "<strong>0</strong>" in empty.content.decode()


def test_records_behind_a_figure_are_own_institution_only_and_audited(make_user, national) -> None:  # type: ignore[no-untyped-def]
    sbs = make_user(Role.SUPERVISOR, "SBS", "protection")
    client = _signed_in(sbs)
    page = _get(client, "stats:indicator", YEAR + "&by=sex", indicator_id="children.sheltered")
    link = reverse("stats:records", args=["children.sheltered"])
    assert link in page.content.decode()
    response = _get(client, "stats:records", YEAR + "&by=sex&key=F",
                    indicator_id="children.sheltered")  # fmt: skip
    assert response.status_code == 200
    found = response.context["found"]
    from amparo.cases.models import ServiceDelivery

    girls = ServiceDelivery.objects.filter(kind="shelter", person__sex="F")
    assert found.count == girls.count() > 0
    assert {r.pk for r in found.rows} == set(girls.values_list("pk", flat=True))
    entry = AuditEntry.objects.filter(action="stats.records").latest("at")
    assert entry.actor == sbs and entry.detail["cell"] == {"sex": "F"}
    assert entry.detail["count"] == found.count
    # A supervisor of another institution sees none of SBS's children.
    minex = _signed_in(make_user(Role.SUPERVISOR, "MINEX", "protection"))
    other = _get(minex, "stats:records", YEAR, indicator_id="children.sheltered")
    assert other.status_code == 200 and other.context["found"].count == 0
    # SBS's general team does not hold the protected children: they are not listed.
    general = _signed_in(make_user(Role.SUPERVISOR, "SBS", "general"))
    hidden = _get(general, "stats:records", YEAR, indicator_id="children.sheltered")
    assert hidden.context["found"].count == 0
    bad = _get(client, "stats:records", YEAR + "&by=sex", indicator_id="children.sheltered")
    assert bad.status_code == 422


def test_questions_page_answers_each_question(make_user, national) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in(make_user(Role.ANALYST, "INE"))
    page = _get(client, "stats:questions", YEAR)
    assert page.status_code == 200
    items = page.context["items"]
    assert {i["question"].code for i in items} == {
        "missing", "monitoring_complaints", "asylum", "families", "consular_lawyers", "extortion",
    }  # fmt: skip
    for item in items:
        assert item["answers"], item["question"].code
        for answer in item["answers"]:
            assert str(answer["indicator"].definition)
    text = page.content.decode()
    # Nothing recorded yet for asylum in the demo: the page says so.
    assert "todavía" in text or "yet" in text


def _export(client: Client, fmt: str, extra: str = "") -> Any:
    response = _get(client, "stats:export", YEAR + extra, fmt=fmt)
    assert response.status_code == 200, fmt
    body = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    return response, body


def test_exports_are_suppressed_and_well_formed(make_user, national, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in(make_user(Role.ANALYST, "INE"))
    response, body = _export(client, "csv")
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    calls = [r for r in rows if r["indicator_id"] == "support_line.calls"]
    assert calls[0]["value"] == str(national["contacts"])
    # At this scale the violence cases are one or two: never published.
    violence = [r for r in rows if r["indicator_id"] == "violence.health_cases"]
    assert violence[0]["value"] == "" and violence[0]["suppressed"] == "True"
    # Every small count of people is hidden; pamphlets handed out count no one.
    small = [
        r
        for r in rows
        if r["value"] not in ("", "0")
        and int(float(r["value"])) < 5
        and r["indicator_id"] != "labour.pamphlets"
    ]
    assert not small
    _r, sdmx = _export(client, "sdmx")
    lines = list(csv.reader(io.StringIO(sdmx.decode())))
    assert lines[0][:4] == ["DATAFLOW", "INDICATOR", "TIME_PERIOD", "REF_AREA"]
    assert any(r[1] == "SUPPORT_LINE.CALLS" and r[-2] == str(national["contacts"]) for r in lines)
    assert any(r[-1] == "C" and r[-2] == "" for r in lines[1:])
    files = {}
    for fmt in ("xlsx", "pdf", "docx"):
        _r, data = _export(client, fmt)
        files[fmt] = tmp_path / f"report.{fmt}"
        files[fmt].write_bytes(data)
    from docx import Document
    from openpyxl import load_workbook
    from pypdf import PdfReader

    sheet = load_workbook(files["xlsx"], read_only=True).worksheets[0]
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert any(r[0] == "support_line.calls" and r[8] == national["contacts"] for r in values)
    pdf_text = "".join(page.extract_text() for page in PdfReader(files["pdf"]).pages)
    # Grouped as Guatemala's Spanish writes figures (CLDR es_GT): 12,345, as on the pages.
    assert "1,017,564" not in pdf_text and f"{national['contacts']:,}" in pdf_text
    assert "Extraído" in pdf_text or "Extracted" in pdf_text
    doc = Document(str(files["docx"]))
    assert doc.tables and any("…" in c.text for t in doc.tables for r in t.rows for c in r.cells)
    _r, english = _export(client, "pdf", "&lang=en")
    en_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(english)).pages)
    assert "Calls to the migrant support line" in en_text
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        # In CI LibreOffice must be there (Debian: libreoffice-writer-nogui, -calc-nogui).
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is missing")
        pytest.skip("LibreOffice is not installed")
    for fmt in ("docx", "xlsx"):
        result = subprocess.run(
            [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path / fmt),
             str(files[fmt])],
            capture_output=True, timeout=180, check=False,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        converted = tmp_path / fmt / "report.pdf"
        assert converted.exists(), result.stderr.decode()
        assert PdfReader(converted).pages


@pytest.mark.parametrize("role", list(Role))
def test_api_by_role(make_user, role) -> None:  # type: ignore[no-untyped-def]
    client = api_client(make_user(role, "MINEX"))
    allowed = Perm.STATS_READ in ROLE_PERMISSIONS[role]
    listing = client.get("/api/v1/stats/indicators")
    figure = client.get(
        "/api/v1/stats/indicators/consular.services?from=2018-01-01&to=2018-12-31&by=sex"
    )
    for response in (listing, figure):
        assert response.status_code == (200 if allowed else 403), role
    if allowed:
        assert any(i["id"] == "consular.services" for i in listing.json())
        data = figure.json()
        assert data["value"] == 0 and isinstance(data["value"], int)
        assert data["disaggregations"][0]["dimensions"] == ["sex"]


def test_api_errors_are_422_per_field(make_user) -> None:  # type: ignore[no-untyped-def]
    client = api_client(make_user(Role.ANALYST, "INE"))
    base = "/api/v1/stats/indicators/consular.services"
    bad = client.get(base + "?from=2019-01-01&to=2018-01-01&by=colour&institution=XX")
    assert bad.status_code == 422
    body = json.dumps(bad.json())
    for field in ("to", "by", "institution"):
        assert f'"{field}"' in body
    assert client.get(base + "?from=2018-02-30").status_code == 422
    assert client.get("/api/v1/stats/indicators/nothing").status_code == 404
    assert Client().get("/api/v1/stats/indicators").status_code == 401


def test_report_page_shows_suppressed_tables(make_user, national) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in(make_user(Role.SUPERVISOR, "MINEX", "protection"))
    page = _get(client, "stats:report", YEAR)
    assert page.status_code == 200
    text = page.content.decode()
    assert "<details" in text and "…" in text
    assert f"{national['contacts']:,}" in text
    for fmt in ("pdf", "docx", "csv", "xlsx", "sdmx"):
        assert reverse("stats:export", args=[fmt]) in text


def test_consular_lawyers_success_rate_is_shown_only_without_small_cells(make_user) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from django.utils import timezone

    from amparo.cases.models import Case

    from .conftest import register

    consul = make_user(Role.CASEWORKER, "MINEX")
    person = register(consul)
    at = datetime(2018, 5, 1, 10, tzinfo=timezone.get_current_timezone())

    def close(reason: str, n: int) -> None:
        for _ in range(n):
            Case.objects.create(
                protocol_code="assistance_abroad", protocol_version=1, person=person,
                institution=consul.institution, stage="closed", opened_at=at, opened_by=consul,
                closed_at=at, closure_reason=reason,
            )  # fmt: skip

    close("legal_action_successful", 6)
    close("legal_action_unsuccessful", 5)
    client = _signed_in(make_user(Role.ANALYST, "INE"))

    def answer() -> str:
        """The answer as the page shows it (kept by the worker, recomputed when data change)."""
        import re

        text = _get(client, "stats:questions", YEAR).content.decode()
        title = "Acciones legales consulares resueltas, por resultado"
        found = re.search(title + r": ([^<]*)</dt>", text)
        assert found, text
        return " ".join(found.group(1).split())

    assert answer().startswith("11 ") and "55 % con éxito" in answer()
    for case in Case.objects.filter(closure_reason="legal_action_unsuccessful")[:3]:
        case.delete()
    # 6 successful and 2 not: the 2 would be given away by the rate.
    assert answer().startswith("8 ") and "con éxito" not in answer()


def test_default_period_is_the_last_full_year_before_the_newest_records(
    make_user, national
) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from amparo.stats.forms import default_period

    # The national demo runs to March 2019: its last full year is 2018.
    assert default_period() == default_period(date(2026, 11, 28))
    period = default_period()
    assert (period.start, period.end) == (date(2018, 1, 1), date(2018, 12, 31))
    client = _signed_in(make_user(Role.ANALYST, "INE"))
    page = _get(client, "stats:index")
    assert page.status_code == 200 and page.context["period"] == period
