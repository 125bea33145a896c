"""Web forms of the labour pages: they parse the input; the actions validate it and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.assistance.forms import AssistanceForm
from amparo.cases.forms import DateInput

from . import actions
from .models import Placement, Recruiter, Sector, SupervisionEvent, SupportService, WorkplaceVisit

TODAY_HINT = _("Leave empty for today.")


def _blank(choices: Any, label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _area(label: Any, help_text: Any = "", required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=actions.TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _date(label: Any, help_text: Any = "", required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput())


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class Versioned(AssistanceForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


# ---------------------------------------------------------------- public


class CheckForm(forms.Form):
    q = forms.CharField(label=_("Name of the recruiter or agency"), required=False, max_length=100)
    number = forms.CharField(
        label=_("Or its registration number"),
        required=False,
        max_length=40,
        help_text=_("As on its authorisation, e.g. RC-7KQ2-M9XD."),
    )


class FraudReportForm(AssistanceForm):
    recruiter_name = forms.CharField(label=_("Name of the recruiter or agency"), max_length=200)
    number = forms.CharField(
        label=_("Registration number, if they showed one"), required=False, max_length=40
    )
    description = forms.CharField(
        label=_("What happened"),
        max_length=2000,
        help_text=_("What they offered, what they asked you to pay, where and when."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    place = forms.CharField(label=_("Where"), required=False, max_length=200)
    reporter_name = forms.CharField(
        label=_("Your name (optional)"),
        required=False,
        max_length=200,
        help_text=_("You may stay anonymous."),
    )
    reporter_contact = forms.CharField(
        label=_("Phone or e-mail (optional)"),
        required=False,
        max_length=200,
        help_text=_("Only if you want the ministry to contact you."),
    )
    # The honeypot: hidden from people (and screen readers); bots fill it in.
    website = forms.CharField(required=False, max_length=200)

    def to_input(self, language: str) -> actions.FraudReportInput:
        d = self.cleaned_data
        return actions.FraudReportInput(
            recruiter_name=d["recruiter_name"],
            description=d["description"],
            number=d["number"],
            place=d["place"],
            reporter_name=d["reporter_name"],
            reporter_contact=d["reporter_contact"],
            language=language,
        )


# ---------------------------------------------------------------- recruiter register


class RecruiterForm(AssistanceForm):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Recruiter.Kind.choices, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Name or company name"), max_length=200)
    tax_number = forms.CharField(label=_("Tax number (NIT)"), max_length=20)
    representative = forms.CharField(
        label=_("Legal representative"), required=False, max_length=200
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=300)
    contact = forms.CharField(label=_("Phone or e-mail"), required=False, max_length=200)
    countries = forms.MultipleChoiceField(
        label=_("Countries recruited for"), widget=forms.CheckboxSelectMultiple
    )
    sectors = forms.MultipleChoiceField(
        label=_("Sectors"), choices=Sector.choices, widget=forms.CheckboxSelectMultiple
    )
    documents = _area(_("Documents submitted"), _("One per line."), required=True)
    guarantee_amount = forms.DecimalField(
        label=_("Guarantee (GTQ)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )
    guarantee_reference = forms.CharField(
        label=_("Guarantee reference (bond, bank)"), required=False, max_length=100
    )
    applied_on = _date(_("Applied on"), TODAY_HINT)
    distinct_from = forms.CharField(
        label=_("Confirmed different from (registration number)"),
        required=False,
        max_length=40,
        help_text=_(
            "Supervisors only: when the register flags a similar name that is not this recruiter."
        ),
    )

    def to_input(self) -> actions.RecruiterInput:
        d = self.cleaned_data
        return actions.RecruiterInput(
            kind=d["kind"],
            name=d["name"],
            tax_number=d["tax_number"],
            countries=d["countries"],
            sectors=d["sectors"],
            documents=_lines(d["documents"]),
            representative=d["representative"],
            address=d["address"],
            contact=d["contact"],
            guarantee_amount=d["guarantee_amount"],
            guarantee_reference=d["guarantee_reference"],
            applied_on=d["applied_on"],
            distinct_from=d["distinct_from"],
        )


DECISION_LABELS = {
    "authorise": _("Authorise"),
    "refuse": _("Refuse"),
    "renew": _("Renew"),
    "suspend": _("Suspend"),
    "reinstate": _("Lift the suspension"),
    "revoke": _("Revoke"),
}


class DecisionForm(Versioned):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect)
    valid_from = _date(_("Authorised from"), TODAY_HINT)
    valid_until = _date(_("Authorised until"))
    reason = _area(_("Reasons"))

    def __init__(self, *args: Any, status: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = [k for k, (sources, _t) in actions.DECISIONS.items() if status in sources]
        self.fields["decision"].choices = [(k, DECISION_LABELS[k]) for k in allowed]  # type: ignore[attr-defined]

    def to_input(self) -> actions.DecisionInput:
        d = self.cleaned_data
        return actions.DecisionInput(
            decision=d["decision"],
            reason=d["reason"],
            valid_from=d["valid_from"],
            valid_until=d["valid_until"],
            version=d["version"],
        )


class SupervisionForm(Versioned):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=SupervisionEvent.Kind.choices, widget=forms.RadioSelect
    )
    occurred_on = _date(_("Date"), TODAY_HINT)
    summary = _area(_("What happened"), required=True)
    decision = _area(_("Decision"))
    fine_amount = forms.DecimalField(
        label=_("Fine (GTQ)"), required=False, min_value=0, max_digits=12, decimal_places=2
    )

    def to_input(self) -> actions.SupervisionInput:
        d = self.cleaned_data
        return actions.SupervisionInput(
            kind=d["kind"],
            summary=d["summary"],
            decision=d["decision"],
            occurred_on=d["occurred_on"],
            fine_amount=d["fine_amount"],
            version=d["version"],
        )


class ReviewForm(AssistanceForm):
    note = _area(_("What was done"), required=True)


# ---------------------------------------------------------------- employers and offers


class EmployerForm(AssistanceForm):
    name = forms.CharField(label=_("Employer"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    sector = forms.ChoiceField(label=_("Sector"), choices=_blank(Sector.choices))
    region = forms.CharField(label=_("State or province"), required=False, max_length=120)
    city = forms.CharField(label=_("City"), required=False, max_length=120)

    def to_input(self) -> actions.EmployerInput:
        d = self.cleaned_data
        return actions.EmployerInput(d["name"], d["country"], d["sector"], d["region"], d["city"])


class OfferForm(AssistanceForm):
    aliases = {"employer_id": "employer"}

    employer = forms.ChoiceField(label=_("Employer"))
    programme = forms.CharField(
        label=_("Programme"),
        max_length=120,
        help_text=_("E.g. Temporary agricultural work in Canada."),
    )
    country = forms.ChoiceField(
        label=_("Country of work"), required=False, help_text=_("The employer's, when empty.")
    )
    sector = forms.ChoiceField(label=_("Sector"), choices=_blank(Sector.choices))
    positions = forms.IntegerField(label=_("Positions"), min_value=0, max_value=10_000_000)
    starts_on = _date(_("Starts on"), required=True)
    ends_on = _date(_("Ends on"), required=True)
    conditions = _area(
        _("Conditions"), _("Wage, hours, housing, transport, who pays the journey."), required=False
    )
    recruiter_number = forms.CharField(
        label=_("Recruiter's registration number"),
        required=False,
        max_length=40,
        help_text=_("Empty when the ministry recruits directly."),
    )

    def to_input(self) -> actions.OfferInput:
        d = self.cleaned_data
        return actions.OfferInput(
            employer_id=d["employer"] or None,
            programme=d["programme"],
            sector=d["sector"],
            positions=d["positions"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            conditions=d["conditions"],
            country=d["country"],
            recruiter_number=d["recruiter_number"],
        )


class PlacementForm(AssistanceForm):
    person = forms.UUIDField(required=False)
    site = forms.ChoiceField(
        label=_("Registered at"), required=False, help_text=_("An office or a border window.")
    )
    registered_on = _date(_("Registered on"), TODAY_HINT)

    def to_input(self) -> actions.PlacementInput:
        d = self.cleaned_data
        return actions.PlacementInput(d["person"], d["site"], d["registered_on"])


STEP_LABELS = {
    "preselected": _("Pre-selected"),
    "selected": _("Selected"),
    "prepared": _("Pre-departure information given"),
    "deployed": _("Departed"),
    "returned": _("Returned"),
    "not_selected": _("Not selected"),
    "withdrawn": _("Withdrew"),
}


class StepForm(Versioned):
    status = forms.ChoiceField(label=_("Next step"), choices=_blank(Placement.Status.choices))
    on = _date(_("On"), TODAY_HINT)
    note = forms.CharField(label=_("Note"), required=False, max_length=actions.TEXT_MAX)

    def __init__(self, *args: Any, current: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = actions.PLACEMENT_STEPS.get(current, ())
        if steps:
            self.fields["status"].choices = [(s, STEP_LABELS[s]) for s in steps]  # type: ignore[attr-defined]

    def to_input(self) -> actions.StepInput:
        d = self.cleaned_data
        return actions.StepInput(d["status"], d["on"], d["note"], d["version"])


class ReadmitForm(AssistanceForm):
    offer = forms.ChoiceField(label=_("Next season's offer"))


class PamphletForm(AssistanceForm):
    site = forms.ChoiceField(label=_("Site"))
    country = forms.ChoiceField(label=_("Destination"))
    programme = forms.CharField(label=_("Programme"), max_length=120)
    quantity = forms.IntegerField(
        label=_("Pamphlets handed out"), min_value=0, max_value=10_000_000
    )
    distributed_on = _date(_("Date"), TODAY_HINT)

    def to_input(self) -> actions.PamphletInput:
        d = self.cleaned_data
        return actions.PamphletInput(
            d["site"], d["country"], d["programme"], d["quantity"], d["distributed_on"]
        )


# ---------------------------------------------------------------- support abroad


class VisitForm(AssistanceForm):
    aliases = {"employer_id": "employer"}

    employer = forms.ChoiceField(label=_("Employer"))
    site = forms.ChoiceField(label=_("Consulate or office"))
    kind = forms.ChoiceField(
        label=_("Kind"), choices=WorkplaceVisit.Kind.choices, widget=forms.RadioSelect
    )
    visited_on = _date(_("Date"), TODAY_HINT)
    workers_met = forms.IntegerField(
        label=_("Workers met"), required=False, min_value=0, max_value=100_000
    )
    findings = _area(_("Findings"), required=True)
    follow_up = _area(_("Follow-up actions"))

    def to_input(self) -> actions.VisitInput:
        d = self.cleaned_data
        return actions.VisitInput(
            employer_id=d["employer"] or None,
            site=d["site"],
            kind=d["kind"],
            findings=d["findings"],
            visited_on=d["visited_on"],
            workers_met=d["workers_met"] or 0,
            follow_up=d["follow_up"],
        )


class ServiceForm(AssistanceForm):
    aliases = {"employer_id": "employer"}

    person = forms.UUIDField(required=False)
    site = forms.ChoiceField(label=_("Consulate or office"))
    kind = forms.ChoiceField(label=_("Service"), choices=_blank(SupportService.Kind.choices))
    employer = forms.ChoiceField(label=_("Employer"), required=False)
    given_on = _date(_("Date"), TODAY_HINT)
    description = _area(_("Description"))
    breach_of_contract = forms.BooleanField(
        label=_("Breach of contract: open a labour-rights case for the consular lawyer"),
        required=False,
    )

    def to_input(self) -> actions.ServiceInput:
        d = self.cleaned_data
        return actions.ServiceInput(
            person_id=d["person"],
            site=d["site"],
            kind=d["kind"],
            employer_id=d["employer"] or None,
            given_on=d["given_on"],
            description=d["description"],
            breach_of_contract=d["breach_of_contract"],
        )
