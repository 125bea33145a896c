"""What the whole-product walk found on the flows pages: links that answer 403, charts that
speak English to screen readers, Python's None and raw stream keys on the dashboard."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from amparo.core.models import Role, Site
from amparo.flows.charts import chart_svg
from amparo.flows.models import DetectionRun, StreamResult
from amparo.stats.charts import bar_spec, line_spec, svg

from .test_web_matrix import _signed_in

pytestmark = pytest.mark.django_db
POINT = "tecun-uman-i"


def _series(days: int = 30, *, expected: bool = True) -> dict[str, Any]:
    """A stream's kept series as detection stores it: the last day with an alert."""
    end = timezone.localdate() - dt.timedelta(days=1)
    dates = [str(end - dt.timedelta(days=days - 1 - j)) for j in range(days)]
    observed = [40 + (j % 7) for j in range(days)]
    return {
        "dates": dates,
        "observed": observed,
        "expected": [42.5] * days if expected else [None] * days,
        "lower": [30] * days if expected else [None] * days,
        "upper": [55] * days if expected else [None] * days,
        "statistic": [0.1] * days,
        "phase": ["normal"] * (days - 1) + ["alert"],
    }


def _run() -> DetectionRun:
    """A finished run: a crossing point without an expected count yet (too few days) and the
    national shelter-occupancy stream."""
    now = timezone.now()
    run = DetectionRun.objects.create(
        requested_at=now,
        finished_at=now,
        status=DetectionRun.Status.DONE,
        as_of=timezone.localdate() - dt.timedelta(days=1),
    )
    site = Site.objects.get(code=POINT)
    StreamResult.objects.create(
        run=run,
        key=POINT,
        site=site,
        phase="normal",
        h_low=1,
        h_high=2,
        series=_series(expected=False),
    )
    StreamResult.objects.create(
        run=run, key="occupancy", phase="normal", h_low=1, h_high=2, series=_series()
    )
    return run


def _nav_links(html: str) -> set[str]:
    nav = html.split('aria-label="Flujos migratorios"', 1)[1].split("</nav>", 1)[0]
    return set(re.findall(r'href="([^"]+)"', nav))


@pytest.mark.parametrize(
    ("role", "institution", "shown"),
    [
        (Role.ANALYST, "INE", False),
        (Role.AUDITOR, "MINEX", False),
        (Role.INSTITUTION_ADMIN, "MINEX", False),
        (Role.SYSTEM_ADMIN, "MINEX", False),
        (Role.OPERATOR, "IGM", True),
    ],
)
def test_flows_nav_links_only_to_pages_the_role_may_open(
    make_user: Any, role: str, institution: str, shown: bool
) -> None:
    client = _signed_in(make_user(role, institution))
    html = client.get(reverse("flows:dashboard")).content.decode()
    links = _nav_links(html)
    for name in ("flows:entry", "flows:streams"):
        url = reverse(name)
        assert (url in links) is shown
        # Every link the menu shows opens.
        if shown:
            assert client.get(url).status_code == 200
    for url in links:
        assert client.get(url).status_code == 200, url


def test_dashboard_shows_no_none_and_names_the_occupancy_stream(make_user: Any) -> None:
    _run()
    client = Client()
    client.force_login(make_user(Role.ANALYST, "INE"))
    html = client.get(reverse("flows:dashboard")).content.decode()
    assert "None" not in html
    assert "observado: 41; sin conteo esperado" in html
    assert "occupancy" not in html
    assert "<li>Ocupación de albergues: " in html


def _aria_text(text: str) -> list[str]:
    return re.findall(r'(?:aria-label|aria-roledescription|aria-description)="([^"]*)"', text)


def test_charts_are_named_in_spanish_without_vega_english_aria() -> None:
    flows = chart_svg(_series(), title="Tecún Umán I")
    bars = svg(bar_spec("Casos por departamento", [("Guatemala", 12.0), ("Petén", 3.0)]))
    months = svg(line_spec("Casos por mes", [(dt.date(2026, 1, 1), 4.0)]))
    for text in (flows, bars, months):
        for english in ("axis for", "Title text", "mark container", "year-month", "Y-axis"):
            assert english not in text
    assert _aria_text(flows) == [
        "Tecún Umán I: conteo diario observado, conteo esperado con su banda del 95 %, y los "
        "días en vigilancia, alerta o emergencia"
    ]
    assert _aria_text(bars) == ["Casos por departamento"]
    assert _aria_text(months) == ["Casos por mes"]
    spec = bar_spec("Casos", [("Guatemala", 1.0)])
    assert spec["config"]["aria"] is False
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == ["Categoría", "Valor"]
