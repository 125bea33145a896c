"""Web forms of the support line and the consular registers: they parse the input; the actions
(actions.py, cases.actions.service_record) validate it and write."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.cases.forms import DateInput
from amparo.cases.models import ServiceKind
from amparo.core.forms import ActionErrors

from . import actions
from .models import CivilRegistration, SupportContact, TravelDocument

URGENCY_CHOICES = [
    ("life_or_liberty", _("Life or liberty at risk")),
    ("urgent", _("Urgent")),
    ("ordinary", _("Ordinary")),
]
CONSULAR_SERVICES = [
    ServiceKind.PASSPORT,
    ServiceKind.CONSULAR_ID,
    ServiceKind.BIRTH_REGISTRATION,
    ServiceKind.CIVIL_REGISTRY,
    ServiceKind.CERTIFICATION,
    ServiceKind.LEGAL_AID,
    ServiceKind.LAWYER,
    ServiceKind.INFORMATION,
]


def _blank(choices: Any, label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


class AssistanceForm(ActionErrors, forms.Form):
    """A form of the assistance pages; `key` makes its element ids unique on a page."""

    def __init__(self, *args: Any, key: str = "", **kwargs: Any) -> None:
        self.key = key
        if key:
            kwargs.setdefault("auto_id", f"{key}-%s")
        super().__init__(*args, **kwargs)

    def choose(self, name: str, choices: list[tuple[str, Any]]) -> None:
        self.fields[name].choices = choices  # type: ignore[attr-defined]


def _noon(day: date | None) -> datetime | None:
    """A date typed in a form as a moment: now for today (or no date), noon otherwise."""
    if day is None or day == timezone.localdate():
        return None
    return timezone.make_aware(datetime.combine(day, time(12, 0)))


# ---------------------------------------------------------------- support line


class ContactForm(AssistanceForm):
    """The operator's form. Field names are a fixed contract (benchmarks post them)."""

    reason = forms.ChoiceField(label=_("Reason for the contact"))
    channel = forms.ChoiceField(
        label=_("Channel"), choices=SupportContact.Channel.choices, initial="call"
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        help_text=_("Not needed when the contact opens or updates a case."),
        choices=_blank(SupportContact.Outcome.choices),
    )
    caller_country = forms.ChoiceField(label=_("Caller's country"), required=False)
    caller_city = forms.CharField(label=_("Caller's city"), max_length=120, required=False)
    person = forms.UUIDField(required=False)
    open_case = forms.BooleanField(
        label=_("Open a case under the reason's protocol"), required=False
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        help_text=_("For a case opened from the contact."),
        choices=URGENCY_CHOICES,
        initial="urgent",
        required=False,
    )
    case = forms.UUIDField(required=False)
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": "1000"}),
    )
    duration_seconds = forms.IntegerField(
        label=_("Duration (seconds)"),
        required=False,
        help_text=_("Counted from when the page opened; correct it if needed."),
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "min": "0", "data-contact-timer": "on"}
        ),
    )

    def __init__(
        self,
        *args: Any,
        reasons: list[tuple[str, str]],
        countries: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, key="contact", **kwargs)
        self.choose("reason", _blank(reasons))
        self.choose("caller_country", _blank(countries))

    def to_input(self) -> actions.ContactInput:
        d = self.cleaned_data
        return actions.ContactInput(
            channel=d["channel"],
            reason=d["reason"],
            outcome=d["outcome"] or "",
            caller_country=d["caller_country"] or None,
            caller_city=d["caller_city"],
            duration_seconds=d["duration_seconds"] or 0,
            person_id=d["person"],
            open_case=d["open_case"],
            urgency=d["urgency"] or "urgent",
            case_id=d["case"],
            note=d["note"],
        )


class ContactFilterForm(AssistanceForm):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())
    reason = forms.ChoiceField(label=_("Reason"), required=False)
    channel = forms.ChoiceField(
        label=_("Channel"),
        required=False,
        choices=_blank(SupportContact.Channel.choices, _("All channels")),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=_blank(SupportContact.Outcome.choices, _("All outcomes")),
    )

    def __init__(self, *args: Any, reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, key="filter", **kwargs)
        self.choose("reason", _blank(reasons, _("All reasons")))

    def values(self) -> dict[str, Any]:
        """The filters to apply: a value that is not valid counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "start": data.get("start"),
            "end": data.get("end"),
            "reason": data.get("reason") or "",
            "channel": data.get("channel") or "",
            "outcome": data.get("outcome") or "",
        }


# ---------------------------------------------------------------- consular services


class PeriodForm(AssistanceForm):
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("To"), required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, key="period", **kwargs)

    def period(self) -> tuple[date, date]:
        """The period asked for; the current year by default."""
        today = timezone.localdate()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        start = data.get("start") or date(today.year, 1, 1)
        end = data.get("end") or date(today.year, 12, 31)
        return (start, end) if start <= end else (end, start)


class MobileConsulateForm(AssistanceForm):
    consulate = forms.ChoiceField(label=_("Consulate"))
    city = forms.CharField(label=_("City"), max_length=120, required=False)
    region = forms.CharField(
        label=_("State or province"),
        max_length=120,
        required=False,
        help_text=_("Leave empty for the consulate's own."),
    )
    place = forms.CharField(
        label=_("Venue"),
        max_length=120,
        required=False,
        help_text=_("A church, school or community centre, if any."),
    )
    opens_on = forms.DateField(label=_("First day"), widget=DateInput())
    closes_on = forms.DateField(
        label=_("Last day"),
        required=False,
        help_text=_("Leave empty for a one-day mobile consulate."),
        widget=DateInput(),
    )

    def __init__(self, *args: Any, consulates: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, key="mobile", **kwargs)
        self.choose("consulate", _blank(consulates))


class ServiceForm(AssistanceForm):
    aliases = {"delivered_at": "delivered_on"}

    person = forms.UUIDField(required=False)
    kind = forms.ChoiceField(
        label=_("Service"), choices=_blank([(k.value, k.label) for k in CONSULAR_SERVICES])
    )
    site = forms.ChoiceField(label=_("Consulate or mobile consulate"))
    delivered_on = forms.DateField(
        label=_("Date"),
        required=False,
        help_text=_("Leave empty for today."),
        widget=DateInput(),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, sites: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, key="service", **kwargs)
        self.choose("site", _blank(sites))

    def delivered_at(self) -> datetime | None:
        return _noon(self.cleaned_data.get("delivered_on"))


# ---------------------------------------------------------------- registers


class RegisterFilterForm(AssistanceForm):
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(
        self,
        *args: Any,
        kinds: list[tuple[str, Any]],
        statuses: list[tuple[str, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, key="filter", **kwargs)
        self.choose("kind", _blank(kinds, _("All kinds")))
        self.choose("status", _blank(statuses, _("All statuses")))

    def values(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"kind": data.get("kind") or "", "status": data.get("status") or ""}


class CivilRegistrationForm(AssistanceForm):
    kind = forms.ChoiceField(
        label=_("Act"), choices=CivilRegistration.Kind.choices, widget=forms.RadioSelect
    )
    person = forms.UUIDField(required=False)
    other_person = forms.UUIDField(required=False)
    site = forms.ChoiceField(label=_("Recorded at"))
    event_date = forms.DateField(label=_("Date of the event"), required=False, widget=DateInput())
    event_country = forms.ChoiceField(label=_("Country of the event"))
    event_place = forms.CharField(label=_("Place of the event"), max_length=200, required=False)
    recorded_on = forms.DateField(
        label=_("Recorded on"),
        required=False,
        help_text=_("Leave empty for today."),
        widget=DateInput(),
    )

    def __init__(
        self,
        *args: Any,
        sites: list[tuple[str, str]],
        countries: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, key="civil", **kwargs)
        self.choose("site", _blank(sites))
        self.choose("event_country", _blank(countries))

    def to_input(self) -> actions.CivilRegistrationInput:
        d = self.cleaned_data
        return actions.CivilRegistrationInput(
            kind=d["kind"],
            person_id=d["person"],
            site=d["site"],
            event_date=d["event_date"],
            event_country=d["event_country"],
            event_place=d["event_place"],
            other_person_id=d["other_person"],
            recorded_on=d["recorded_on"],
        )


class CivilStepForm(AssistanceForm):
    status = forms.ChoiceField(choices=CivilRegistration.Status.choices, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the rejection"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    registry_reference = forms.CharField(
        label=_("Registry entry number"), max_length=60, required=False
    )

    def __init__(self, *args: Any, status: str, **kwargs: Any) -> None:
        super().__init__(*args, key=f"step-{status}", **kwargs)
        if status != CivilRegistration.Status.REJECTED:
            del self.fields["reason"]
        if status != CivilRegistration.Status.REGISTERED:
            del self.fields["registry_reference"]


class TravelDocumentForm(AssistanceForm):
    kind = forms.ChoiceField(
        label=_("Document"), choices=TravelDocument.Kind.choices, widget=forms.RadioSelect
    )
    person = forms.UUIDField(required=False)
    site = forms.ChoiceField(label=_("Requested at"))
    requested_on = forms.DateField(
        label=_("Requested on"),
        required=False,
        help_text=_("Leave empty for today."),
        widget=DateInput(),
    )

    def __init__(self, *args: Any, sites: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, key="travel", **kwargs)
        self.choose("site", _blank(sites))

    def to_input(self) -> actions.TravelDocumentInput:
        d = self.cleaned_data
        return actions.TravelDocumentInput(
            kind=d["kind"], person_id=d["person"], site=d["site"], requested_on=d["requested_on"]
        )


PARENT_RELATIONS = [("mother", _("Mother")), ("father", _("Father")), ("guardian", _("Guardian"))]


class TravelCheckForm(AssistanceForm):
    # Both parents' messages ("parents") are shown at the first parent's name.
    aliases = {"parents": "parent1_name"}

    consent_basis = forms.ChoiceField(
        label=_("Consent"), choices=TravelDocument.ConsentBasis.choices, widget=forms.RadioSelect
    )
    parent1_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    parent1_document = forms.CharField(label=_("Identity document"), max_length=60, required=False)
    parent1_relation = forms.ChoiceField(
        label=_("Relation"), choices=PARENT_RELATIONS, initial="mother", required=False
    )
    parent2_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    parent2_document = forms.CharField(label=_("Identity document"), max_length=60, required=False)
    parent2_relation = forms.ChoiceField(
        label=_("Relation"), choices=PARENT_RELATIONS, initial="father", required=False
    )
    court_order = forms.CharField(
        label=_("Court order"),
        max_length=120,
        required=False,
        help_text=_("Court and reference of the order, when a judge authorised the document."),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, key="check", **kwargs)

    def to_input(self) -> actions.TravelCheckInput:
        d = self.cleaned_data
        parents = [
            actions.ParentConsent(
                name=d[f"parent{n}_name"],
                document=d[f"parent{n}_document"],
                relation=d[f"parent{n}_relation"] or "parent",
            )
            for n in (1, 2)
            if d[f"parent{n}_name"].strip()
        ]
        return actions.TravelCheckInput(
            consent_basis=d["consent_basis"], parents=parents, court_order=d["court_order"]
        )


class TravelDecisionForm(AssistanceForm):
    decision = forms.ChoiceField(
        choices=[("issue", _("Issue")), ("refuse", _("Refuse"))], widget=forms.HiddenInput
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    document_number = forms.CharField(label=_("Document number"), max_length=40, required=False)
    reason = forms.CharField(
        label=_("Reason for the refusal"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, decision: str, **kwargs: Any) -> None:
        super().__init__(*args, key=decision, **kwargs)
        del self.fields["reason" if decision == "issue" else "document_number"]
