from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.core.models import Institution

from .compute import Period
from .registry import DIMENSIONS


def latest_record_day(before: date | None = None) -> date | None:
    """The day of the newest service, case, civil act or flow count (before a day, if given);
    on indexed dates only, so it is cheap."""
    from datetime import datetime, time

    from django.db.models import Max
    from django.utils import timezone

    from amparo.assistance.models import CivilRegistration
    from amparo.cases.models import Case, ServiceDelivery
    from amparo.flows.models import FlowCount

    moment_limit = {}
    day_limit = {}
    if before is not None:
        edge = datetime.combine(before, time.min, tzinfo=timezone.get_current_timezone())
        moment_limit, day_limit = {"lt": edge}, {"lt": before}
    days: list[date] = []
    for model, name in ((ServiceDelivery, "delivered_at"), (Case, "opened_at")):
        limit = {f"{name}__{k}": v for k, v in moment_limit.items()}
        moment = model.objects.filter(**limit).aggregate(m=Max(name))["m"]
        if moment is not None:
            days.append(timezone.localtime(moment).date())
    for model, name in ((CivilRegistration, "recorded_on"), (FlowCount, "date")):
        limit = {f"{name}__{k}": v for k, v in day_limit.items()}
        day = model.objects.filter(**limit).aggregate(m=Max(name))["m"]
        if day is not None:
            days.append(day)
    return max(days) if days else None


def default_period(today: date | None = None) -> Period:
    """The latest full calendar year with records, never an empty one: what a periodic report
    usually covers. The current year's records are left out (it is not over), unless they are
    the only ones: then the year so far. A last year whose records stop early (the national
    demo's 2018 to March 2019) gives way to the full year before it (2018)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    newest = latest_record_day(before=date(today.year, 1, 1))
    if newest is None:
        return Period(date(today.year, 1, 1), today)
    year = newest.year
    if newest.month < 12:
        earlier = latest_record_day(before=date(year, 1, 1))
        if earlier is not None and earlier.year == year - 1:
            year -= 1
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
