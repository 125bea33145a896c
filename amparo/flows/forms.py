"""Forms of the flows pages (short, for a phone)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.core.forms import ActionErrors

from .models import Direction, StreamKind


class DateInput(forms.DateInput):
    input_type = "date"


class FlowForm(ActionErrors, forms.Form):
    def choose(self, name: str, choices: list[tuple[str, Any]]) -> None:
        self.fields[name].choices = choices  # type: ignore[attr-defined]


def _count(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class EntryForm(FlowForm):
    site = forms.ChoiceField(label=_("Border crossing point"))
    date = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices, initial="in")
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    adults = _count(_("Adults"))
    families = _count(_("Families"))
    unaccompanied_children = _count(_("Unaccompanied children"))


class StreamForm(FlowForm):
    kind = forms.ChoiceField(label=_("Stream"), choices=StreamKind.choices)
    site = forms.ChoiceField(label=_("Site"))
    date = forms.DateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    value = forms.IntegerField(label=_("Value"), min_value=0, max_value=1_000_000)


class RunForm(FlowForm):
    false_alarms_per_year = forms.FloatField(
        label=_("False alerts per crossing point per year"),
        min_value=0.01,
        max_value=365,
        initial=1.0,
    )


class NoteForm(FlowForm):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SupportForm(FlowForm):
    people = forms.IntegerField(label=_("People supported"), min_value=1, max_value=1_000_000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
