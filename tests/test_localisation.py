"""Spanish complete and local: charts and figures in Guatemala's conventions (CLDR es_GT),
times in America/Guatemala, labels instead of codes, plural forms through the catalogue."""

from __future__ import annotations

import re
from datetime import UTC, date, timedelta
from html import escape
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from amparo.cases.forms import SchemaForm
from amparo.cases.protocol import protocol_get
from amparo.core.models import Role, Site, User
from amparo.stats import charts

from .conftest import register

PROTOCOLS = sorted((settings.BASE_DIR / "protocols").glob("*/v*.yaml"))


def signed_in(user: User, language: str = "es") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


# --- charts ---------------------------------------------------------------------------------


MONTHS = [date(2024, m, 1) for m in range(1, 7)]


def test_chart_spec_carries_the_readers_locale_from_cldr() -> None:
    with translation.override("es"):
        spec = charts.line_spec("Personas atendidas", [(d, 12_345.0) for d in MONTHS])
    locale = spec["config"]["locale"]
    # Guatemala's Spanish (CLDR es_GT) writes 1,234.5; months and days from CLDR, not typed.
    assert locale["number"]["decimal"] == "." and locale["number"]["thousands"] == ","
    assert locale["time"]["months"][0] == "enero" and locale["time"]["shortMonths"][0] == "ene"
    assert locale["time"]["days"][0] == "domingo"  # d3 weeks start on Sunday
    with translation.override("en"):
        english = charts.line_spec("People", [(d, 1.0) for d in MONTHS])
    assert english["config"]["locale"]["time"]["months"][0] == "January"


def test_rendered_chart_has_spanish_months_and_grouped_thousands() -> None:
    points = [(d, float(v)) for d, v in zip(MONTHS, [900, 12_000, 23_456, 5, 7, 8], strict=True)]
    with translation.override("es"):
        texts = _texts(charts.svg(charts.line_spec("Contactos por mes", points)))
    assert any(t.startswith("ene") for t in texts), texts
    assert not any(t.startswith("Jan") for t in texts), texts
    assert "20,000" in texts, texts  # thousands grouped as es_GT groups them
    # Each month where it belongs: read in local time (UTC-6), 1 January 2024 was December.
    assert "dic 2023" not in texts and texts.index("ene 2024") < texts.index("feb 2024")


def test_chart_never_runs_past_its_width() -> None:
    """At 280 px the picture is 280 px wide, a long title broken into lines: nothing is cut off
    at the right edge of a phone; the SVG sizes itself by class (the CSP forbids inline style)."""
    title = "Niñas, niños y adolescentes no acompañados recibidos en los albergues de la SBS"
    rows = [("Quetzaltenango, San Juan Ostuncalco", 1_234.0), ("Huehuetenango", 567.0)]
    with translation.override("es"):
        svg = charts.svg(charts.bar_spec(title, rows, width=280))
    root = svg.split(">", 1)[0]
    assert 'viewBox="0 0 280 ' in root
    assert "amparo-chart" in root and "style=" not in root
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert " ".join(lines) == title
    assert len(lines) > 1 and all(len(line) * charts.TITLE_CHAR_PX <= 280 for line in lines)


def test_flows_chart_spec_shares_the_locale_block() -> None:
    from amparo.flows.charts import chart_spec

    days = [(date(2019, 1, 1) + timedelta(days=i)).isoformat() for i in range(60)]
    series = {
        "dates": days,
        "observed": [3] * 60,
        "expected": [2.5] * 60,
        "lower": [1.0] * 60,
        "upper": [4.0] * 60,
        "phase": ["normal"] * 60,
    }
    with translation.override("es"):
        spec = chart_spec(series, title="Tecún Umán", width=300)
    assert spec["config"]["locale"]["time"]["months"][0] == "enero"
    assert spec["autosize"]["type"] == "fit-x"
    # Drawn from 1 January: no point or label falls on 31 December (the UTC-6 slip).
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec)
    assert "dic" not in svg and "2018" not in svg


# --- figures --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["es", "en"])
def test_figure_groups_thousands_in_either_language(language: str) -> None:
    template = Template("{% load amparo_tags %}{{ n|figure }} · {{ r|figure }} · {{ y }}")
    with translation.override(language):
        text = template.render(Context({"n": 1_017_564, "r": 12_345.67, "y": 2019}))
    # Figures grouped; a year elsewhere on the page stays a year (no global separator).
    assert text == "1,017,564 · 12,345.7 · 2019"


def test_statistics_headline_figures_are_grouped() -> None:
    """The statistics page's headline figures (a year of support-line calls: 1,017,564)."""
    from django.template.loader import render_to_string

    from amparo.stats.registry import get

    calls = get("support_line.calls")
    item = {"indicator": calls, "value": 1_017_564, "unit": "", "url": "/", "svg": ""}
    with translation.override("es"):
        html = render_to_string(
            "stats/_index_result.html", {"charts": [item], "sections": [("Línea", [item])]}
        )
    assert html.count("1,017,564") == 2 and "1017564" not in html


@pytest.mark.django_db
def test_consular_headline_is_grouped_and_plural_for_one(make_user) -> None:  # type: ignore[no-untyped-def]
    from amparo.cases.models import ServiceDelivery

    consul = make_user(Role.CASEWORKER, "MINEX")
    person = register(consul, given="Pedro", first="Xol")
    site = Site.objects.get(code="us-los-angeles")
    now = timezone.now()
    ServiceDelivery.objects.create(
        person=person, kind="passport", site=site, institution=consul.institution,
        delivered_by=consul, delivered_at=now,
    )  # fmt: skip
    page = signed_in(consul).get("/assistance/consular/").content.decode()
    figures = page.split('id="figures-heading"', 1)[1].split("</p>", 1)[0]
    assert "1 servicio a 1 persona" in figures and "personas" not in figures
    others = [person] + [register(consul, given=f"Ana {i}", first="Tzul") for i in range(1)]
    ServiceDelivery.objects.bulk_create(
        ServiceDelivery(
            person=others[i % 2], kind="consular_id", site=site,
            institution=consul.institution, delivered_by=consul, delivered_at=now,
        )
        for i in range(1_200)
    )  # fmt: skip
    page = signed_in(consul).get("/assistance/consular/").content.decode()
    figures = page.split('id="figures-heading"', 1)[1].split("</p>", 1)[0]
    assert "1,201 servicios a 2 personas" in figures


# --- times and labels in the recommendations history ---------------------------------------


@pytest.mark.django_db
def test_recommendation_history_shows_labels_and_guatemala_time(make_user) -> None:  # type: ignore[no-untyped-def]
    from amparo.recommendations import actions

    from .matrix_recommendations import recs_world

    world = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    update, coordinator = world["update"], world["coordinator"]
    actions.update_decide(
        actor=make_user(Role.SUPERVISOR, "MINEX"), update_id=update.pk, approve=True
    )
    actions.update_decide(actor=coordinator, update_id=update.pk, approve=True)
    rec = world["rec"]
    rec.refresh_from_db()
    stored = rec.history[-1]["at"]  # ISO text in UTC, as the action keeps it
    html = signed_in(coordinator).get(f"/recommendations/items/{rec.pk}/").content.decode()
    history = html.split(escape("Historial"), 1)[1]
    when = timezone.localtime(timezone.datetime.fromisoformat(stored))
    assert when.strftime("%Y-%m-%d %H:%M") in history  # America/Guatemala
    assert stored[:16].replace("T", " ") not in history and stored[:16] not in history
    assert "Sin información → Planificada" in history
    assert "no_information" not in html and "planned" not in history
    updates = html.split(escape("Informes de avance"), 1)[1]
    assert "Enviado por el punto focal" in updates and "· submitted" not in updates


# --- protocol forms: every field and option has a Spanish and an English label ----------------


def _unlabelled(props: dict[str, Any], path: str) -> list[str]:
    missing = []
    for name, prop in (props or {}).items():
        where = f"{path}.{name}"
        title = prop.get("x-title") or {}
        if not (title.get("es") and title.get("en")):
            missing.append(f"{where} (x-title)")
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        values = prop.get("enum") or items.get("enum") or []
        titles = prop.get("x-enum-titles") or items.get("x-enum-titles") or {}
        for value in values:
            label = titles.get(str(value)) or {}
            if not (label.get("es") and label.get("en")):
                missing.append(f"{where}={value}")
        missing += _unlabelled(prop.get("properties") or {}, where)
        missing += _unlabelled(items.get("properties") or {}, where + "[]")
    return missing


@pytest.mark.parametrize("path", PROTOCOLS, ids=lambda p: p.parent.name)
def test_every_protocol_field_and_option_has_both_labels(path) -> None:  # type: ignore[no-untyped-def]
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = []
    for code, form in raw.get("forms", {}).items():
        missing += _unlabelled(form["schema"].get("properties") or {}, code)
    assert missing == []


def test_rights_interview_offers_its_violations_in_spanish() -> None:
    protocol = protocol_get("child_reception")
    assert protocol is not None
    with translation.override("es"):
        form = SchemaForm(protocol.forms["rights_interview"].schema)
        choices = dict(form.fields["violations"].choices)
    assert choices["family_separation"] == "Separación familiar"
    assert choices["violence"] == "Violencia"
    with translation.override("en"):
        form = SchemaForm(protocol.forms["rights_interview"].schema)
        assert dict(form.fields["violations"].choices)["family_separation"] == "Family separation"


# --- flows: stored rules and versions read in Spanish ---------------------------------------


def test_flows_rules_and_versions_are_shown_in_spanish() -> None:
    from amparo.flows import engine
    from amparo.flows.labels import plan_title, rule_label, version_label

    with translation.override("es"):
        rules = [rule_label(r) for r in engine.PHASE_RULES]
        model = version_label(engine.MODEL_VERSION)
        plan = plan_title("caravan-2019")
    assert rules[0].startswith("Vigilancia:") and rules[2].startswith("Emergencia:")
    assert not set(rules) & set(engine.PHASE_RULES)
    assert model.startswith("Conteos esperados") and model.endswith("(nb-glm-2)")
    assert plan == "Plan de contingencia ante caravanas de migrantes"


@pytest.mark.django_db
def test_recruiter_history_names_each_step_in_spanish(make_user) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from amparo.labour.models import Recruiter
    from amparo.labour.names import tax_number_with_check

    chief = signed_in(make_user(Role.SUPERVISOR, "MINTRAB"))
    application = {
        "kind": "organisation",
        "name": "Agencia Laboral Los Altos, S.A.",
        "tax_number": tax_number_with_check("1234567"),
        "representative": "Ana López",
        "countries": ["CA", "MX"],
        "sectors": ["agriculture"],
        "documents": "Escritura constitutiva\nFianza",
    }
    assert chief.post(reverse("labour:recruiter_new"), application).status_code == 303
    recruiter = Recruiter.objects.get()
    until = (timezone.localdate() + timedelta(days=365)).isoformat()
    decide = reverse("labour:recruiter_decide", args=[recruiter.pk])
    chief.post(decide, {"decision": "authorise", "valid_until": until, "version": 1})
    html = chief.get(reverse("labour:recruiter_detail", args=[recruiter.pk])).content.decode()
    history = html.split('id="history-heading"', 1)[1]
    assert "(Reclutador autorizado)" in history
    assert "(authorise)" not in history and "(applied)" not in history


@pytest.mark.django_db
def test_public_portal_dates_an_evening_update_on_its_guatemalan_day(make_user) -> None:  # type: ignore[no-untyped-def]
    """At 21:00 in Guatemala it is already 03:00 of the next day in UTC."""
    from datetime import datetime

    from amparo.recommendations import actions
    from amparo.recommendations.models import ProgressUpdate
    from amparo.recommendations.portal import public_detail

    from .matrix_recommendations import recs_world

    world = recs_world(make_user, make_user(Role.CASEWORKER, "MINEX"))
    update = world["update"]
    actions.update_decide(
        actor=make_user(Role.SUPERVISOR, "MINEX"), update_id=update.pk, approve=True
    )
    actions.update_decide(actor=world["coordinator"], update_id=update.pk, approve=True)
    evening = datetime(2026, 3, 5, 3, 0, tzinfo=UTC)  # 4 March, 21:00 in Guatemala
    ProgressUpdate.objects.filter(pk=update.pk).update(created_at=evening)
    shown = public_detail(world["rec"])
    assert [e["on"] for e in shown["evidence"]] == ["2026-03-04"]


def test_bulletin_pdf_says_when_in_guatemala_time() -> None:
    from amparo.flows.bulletin import _local

    with translation.override("es"):
        # Kept in the JSON bulletin as UTC; read in the PDF as 12:00 in Guatemala.
        assert _local("2019-03-30T18:00:00+00:00") == "30 de marzo de 2019 a las 12:00"
    assert _local(None) == ""


def test_audit_record_types_are_named_in_spanish() -> None:
    template = Template("{% load amparo_tags %}{{ t|object_type_label }}")
    with translation.override("es"):
        shown = [template.render(Context({"t": t})) for t in ("TravelDocument", "Person")]
    assert shown == ["Solicitud de documento de viaje", "Persona"]


@pytest.mark.django_db
def test_contacts_list_count_is_grouped(make_user) -> None:  # type: ignore[no-untyped-def]
    from amparo.assistance.models import SupportContact

    operator = make_user(Role.OPERATOR, "MINEX")
    now = timezone.now()
    SupportContact.objects.bulk_create(
        SupportContact(
            institution=operator.institution,
            received_at=now - timedelta(seconds=i),
            channel="call",
            reason_id="information",
            outcome="information",
            recorded_by=operator,
        )
        for i in range(1_234)
    )
    page = signed_in(operator).get("/assistance/contacts/").content.decode()
    assert "1,234 contactos" in page and "1234 contactos" not in page
