from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.core.models import Institution

from .compute import Period
from .registry import DIMENSIONS


def latest_record_day() -> date | None:
    """The day of the newest service, case or civil act (indexed dates: cheap)."""
    from django.db.models import Max
    from django.utils import timezone

    from amparo.assistance.models import CivilRegistration
    from amparo.cases.models import Case, ServiceDelivery

    days: list[date] = []
    for moment in (
        ServiceDelivery.objects.aggregate(m=Max("delivered_at"))["m"],
        Case.objects.aggregate(m=Max("opened_at"))["m"],
    ):
        if moment is not None:
            days.append(timezone.localtime(moment).date())
    recorded = CivilRegistration.objects.aggregate(m=Max("recorded_on"))["m"]
    if recorded is not None:
        days.append(recorded)
    return max(days) if days else None


def default_period(today: date | None = None) -> Period:
    """The last full calendar year before the newest records: what a periodic report usually
    covers (in production the last calendar year; on old data, such as the national demo of
    2018–March 2019, its last full year)."""
    year = (today or date.today()).year - 1
    latest = latest_record_day()
    if latest is not None and latest.year - 1 < year:
        year = latest.year - 1
    return Period(date(year, 1, 1), date(year, 12, 31))


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    institution = forms.ModelChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("National (every institution)"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("The end of the period is before its start."))
        if start and end and (end - start).days > 366 * 20:
            self.add_error("end", _("Choose a period of at most twenty years."))
        return data

    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


def period_form(params: Any) -> PeriodForm:
    """The form bound to the query string, or to the default period when none is given."""
    if "start" in params or "end" in params:
        return PeriodForm(params)
    default = default_period()
    initial = {"start": default.start, "end": default.end}
    if params.get("institution"):
        initial["institution"] = params.get("institution")
    return PeriodForm(initial)


class BreakdownForm(forms.Form):
    """Up to three dimensions to cross (one GROUP BY)."""

    by = forms.MultipleChoiceField(
        label=_("Break down by"),
        choices=[(code, d.title) for code, d in DIMENSIONS.items()],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, allowed: list[str], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.fields["by"].choices = [(c, DIMENSIONS[c].title) for c in allowed]

    def clean_by(self) -> list[str]:
        chosen = self.cleaned_data["by"]
        if len(chosen) > 3:
            raise forms.ValidationError(_("Choose at most three breakdowns."))
        return chosen
