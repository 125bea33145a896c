"""Web forms of the recommendations app. They only parse: the actions validate."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.core.forms import ActionErrors
from amparo.core.models import Institution

from .models import Assignment, FocalPoint, Indicator, Mechanism, RecommendationTag, Status
from .parsing import KINDS

KIND_LABELS = {
    "loipr": _("List of issues prior to reporting"),
    "state_report": _("State report"),
    "summary_record": _("Summary record"),
    "concluding_observations": _("Concluding observations"),
    "upr_report": _("UPR report"),
}
DATE = forms.DateInput(attrs={"type": "date"})


def _mechanisms() -> list[tuple[str, str]]:
    return [("", _("Found from the symbol"))] + [
        (m.code, f"{m.code} — {m.name}") for m in Mechanism.objects.all()
    ]


def _institutions() -> list[tuple[str, str]]:
    return [("", "—")] + [
        (i.code, f"{i.acronym or i.code} — {i.name}")
        for i in Institution.objects.exclude(sector="civil_society")
    ]


class DocumentForm(ActionErrors, forms.Form):
    file = forms.FileField(
        label=_("Document"), help_text=_("Plain text, DOCX or PDF; Spanish or English.")
    )
    mechanism = forms.ChoiceField(label=_("Mechanism"), required=False, choices=())
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("Found from the text"))] + list(KIND_LABELS.items()),
    )
    symbol = forms.CharField(
        label=_("Symbol"), required=False, max_length=80, help_text=_("e.g. CMW/C/GTM/CO/2")
    )
    date = forms.DateField(label=_("Date"), required=False, widget=DATE)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["mechanism"].choices = _mechanisms()  # type: ignore[attr-defined]
        self.fields["kind"].choices = [  # type: ignore[attr-defined]
            ("", _("Found from the text")),
            *((k, KIND_LABELS[k]) for k in KINDS),
        ]


class UhriForm(ActionErrors, forms.Form):
    file = forms.FileField(
        label=_("UHRI JSON export"),
        help_text=_("The JSON file exported from the Universal Human Rights Index."),
    )


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    mechanism = forms.ChoiceField(label=_("Mechanism"), required=False, choices=())
    status = forms.ChoiceField(
        label=_("Implementation status"),
        required=False,
        choices=[("", _("Any"))] + list(Status.choices),
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False, choices=())
    group = forms.ChoiceField(label=_("Affected group"), required=False, choices=())

    def __init__(self, *args: object, language: str = "es", **kwargs: object) -> None:
        from .tagging import GROUPS, THEMES

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        i = 0 if language == "en" else 1
        self.fields["mechanism"].choices = [("", _("Any"))] + [  # type: ignore[attr-defined]
            (m.code, m.code) for m in Mechanism.objects.all()
        ]
        self.fields["theme"].choices = [("", _("Any"))] + [  # type: ignore[attr-defined]
            (c, v[i]) for c, v in THEMES.items()
        ]
        self.fields["group"].choices = [("", _("Any"))] + [  # type: ignore[attr-defined]
            (c, v[i]) for c, v in GROUPS.items()
        ]


class TagForm(ActionErrors, forms.Form):
    vocabulary = forms.ChoiceField(choices=RecommendationTag.Vocabulary.choices)
    code = forms.CharField(max_length=60)
    confirm = forms.TypedChoiceField(
        choices=[("1", _("Confirm")), ("0", _("Reject"))], coerce=lambda v: v == "1"
    )


class AssignForm(ActionErrors, forms.Form):
    institution = forms.ChoiceField(label=_("Institution"), choices=())
    role = forms.ChoiceField(label=_("Responsibility"), choices=Assignment.Role.choices)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["institution"].choices = _institutions()  # type: ignore[attr-defined]


class ActionForm(ActionErrors, forms.Form):
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Due on"), required=False, widget=DATE)


class IndicatorForm(ActionErrors, forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=300)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Indicator.Frequency.choices)
    due_on = forms.DateField(label=_("Next due on"), required=False, widget=DATE)
    stats_indicator = forms.CharField(
        label=_("Statistics indicator"),
        required=False,
        max_length=80,
        help_text=_(
            "The code of the indicator in the statistics catalogue, if it comes from Amparo."
        ),
    )
    baseline = forms.CharField(label=_("Baseline"), required=False, max_length=200)
    target = forms.CharField(label=_("Target"), required=False, max_length=200)


class UpdateForm(ActionErrors, forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 4}))
    proposed_status = forms.ChoiceField(
        label=_("Implementation status"),
        choices=[c for c in Status.choices if c[0] != Status.NO_INFORMATION],
    )
    # Not required here: the action refuses it with the message that explains why.
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The document, decision or data that shows the progress."),
    )
    evidence_url = forms.CharField(label=_("Link to the evidence"), required=False, max_length=200)


class DecisionForm(ActionErrors, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Validate")), ("return", _("Return"))]
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PublishForm(ActionErrors, forms.Form):
    public = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda v: v == "1")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class FocalPointForm(ActionErrors, forms.Form):
    institution = forms.ChoiceField(label=_("Institution"), choices=())
    kind = forms.ChoiceField(label=_("Focal point"), choices=FocalPoint.Kind.choices)
    username = forms.CharField(label=_("User name"), max_length=150)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["institution"].choices = _institutions()  # type: ignore[attr-defined]


class SubmissionForm(ActionErrors, forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=200)
    email = forms.CharField(label=_("Contact email"), max_length=254)
    text = forms.CharField(label=_("Information"), widget=forms.Textarea(attrs={"rows": 5}))
    link = forms.CharField(label=_("Link"), required=False, max_length=200)
    # A honeypot, hidden from people by CSS and from screen readers by aria-hidden.
    website = forms.CharField(required=False, max_length=200)


class ModerationForm(ActionErrors, forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("publish", _("Publish")), ("reject", _("Reject"))]
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class DraftForm(ActionErrors, forms.Form):
    loipr = forms.ChoiceField(label=_("List of issues"), choices=())
    title = forms.CharField(label=_("Title"), max_length=300)

    def __init__(self, *args: object, **kwargs: object) -> None:
        from .models import Document

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["loipr"].choices = [("", "—")] + [  # type: ignore[attr-defined]
            (str(d.pk), d.symbol) for d in Document.objects.filter(kind="loipr")
        ]


class SectionForm(ActionErrors, forms.Form):
    text = forms.CharField(
        label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
