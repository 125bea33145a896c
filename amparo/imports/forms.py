"""The upload form of the import page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.core.forms import ActionErrors

from .layouts import LAYOUTS
from .models import ImportJob


class ImportForm(ActionErrors, forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_(
            "CSV in UTF-8 or Windows-1252, separated by commas, semicolons or tabs; "
            "or an XLSX workbook."
        ),
    )
    source = forms.CharField(
        label=_("Source system"),
        max_length=40,
        help_text=_(
            "A short name for the system the file comes from, e.g. consulado-la. "
            "Rows are recognised by this name and their reference."
        ),
    )
    mode = forms.ChoiceField(label=_("If some rows have errors"), choices=ImportJob.Mode.choices)
    date_order = forms.ChoiceField(
        label=_("Dates written as"),
        choices=ImportJob.DateOrder.choices,
        help_text=_("Dates written YYYY-MM-DD are always read correctly."),
    )
    sheet = forms.CharField(
        label=_("Sheet (XLSX with several sheets)"), max_length=100, required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["kind"].choices = [
            (kind, layout.title) for kind, layout in sorted(LAYOUTS.items())
        ]
