"""Web forms of the tracing pages: they parse the input; the actions validate it and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.assistance.forms import AssistanceForm
from amparo.cases.forms import DateInput

from . import actions
from .models import MissingReport, TracingCandidate, TracingRequest, UnidentifiedRemains

TODAY_HINT = _("Leave empty for today.")


def _blank(choices: Any, label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _area(label: Any, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=actions.TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _date(label: Any, help_text: Any = "") -> forms.DateField:
    return forms.DateField(label=label, required=False, help_text=help_text, widget=DateInput())


class Versioned(AssistanceForm):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


# ---------------------------------------------------------------- missing-person reports


class ReportForm(AssistanceForm):
    aliases = {"report": "person"}

    channel = forms.ChoiceField(
        label=_("Reported through"),
        choices=MissingReport.Channel.choices,
        widget=forms.RadioSelect,
    )
    person = forms.UUIDField(required=False)
    reporter = forms.UUIDField(required=False)
    reporter_name = forms.CharField(
        label=_("Reporter's name"),
        max_length=200,
        required=False,
        help_text=_("When the reporter is not on record."),
    )
    reporter_relation = forms.CharField(
        label=_("Relation to the missing person"), max_length=60, required=False
    )
    reporter_contact = forms.CharField(
        label=_("Reporter's phone or address"), max_length=200, required=False
    )
    site = forms.ChoiceField(label=_("Recorded at"), required=False)
    reported_on = _date(_("Reported on"), TODAY_HINT)
    last_seen_country = forms.ChoiceField(label=_("Country where last seen"))
    last_seen_place = forms.CharField(
        label=_("Place where last seen"), max_length=200, required=False
    )
    last_seen_on = _date(_("Date last seen"))
    route = _area(_("Route"), _("Where the person was travelling from and to, and how."))
    description = _area(_("Physical description"), _("Height, build, scars, tattoos, teeth."))
    clothing = _area(_("Clothing and belongings"))
    contacts = _area(_("Other contacts"), _("People travelling with them, phone numbers used."))
    reference_sample = forms.BooleanField(
        label=_("The family gave a reference sample for DNA comparison"), required=False
    )
    sample_held_by = forms.CharField(
        label=_("Where the sample is held"), max_length=200, required=False
    )
    sample_reference = forms.CharField(
        label=_("Sample reference number"),
        max_length=60,
        required=False,
        help_text=_("Only the reference: no genetic data is recorded here."),
    )

    def __init__(
        self,
        *args: Any,
        sites: list[tuple[str, str]],
        countries: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, key="report", **kwargs)
        self.choose("site", _blank(sites))
        self.choose("last_seen_country", _blank(countries))

    def to_input(self) -> actions.ReportInput:
        d = self.cleaned_data
        return actions.ReportInput(
            person_id=d["person"],
            channel=d["channel"],
            last_seen_country=d["last_seen_country"],
            last_seen_place=d["last_seen_place"],
            last_seen_on=d["last_seen_on"],
            reported_on=d["reported_on"],
            site=d["site"] or "",
            reporter_id=d["reporter"],
            reporter_name=d["reporter_name"],
            reporter_relation=d["reporter_relation"],
            reporter_contact=d["reporter_contact"],
            route=d["route"],
            description=d["description"],
            clothing=d["clothing"],
            contacts=d["contacts"],
            reference_sample=d["reference_sample"],
            sample_held_by=d["sample_held_by"],
            sample_reference=d["sample_reference"],
        )


class SearchForm(Versioned):
    aliases = {"report": "authority"}

    authority = forms.CharField(label=_("Authority"), max_length=200)
    country = forms.ChoiceField(label=_("Country"))
    site = forms.ChoiceField(label=_("Through the consulate"))
    sent_on = _date(_("Sent on"), TODAY_HINT)

    def __init__(
        self,
        *args: Any,
        consulates: list[tuple[str, str]],
        countries: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, key="search", **kwargs)
        self.choose("site", _blank(consulates))
        self.choose("country", _blank(countries))

    def to_input(self) -> actions.SearchInput:
        d = self.cleaned_data
        return actions.SearchInput(
            authority=d["authority"], country=d["country"], site=d["site"], sent_on=d["sent_on"]
        )


class AnswerForm(AssistanceForm):
    answer = forms.CharField(
        label=_("Answer"), max_length=actions.TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    answered_on = _date(_("Answered on"), TODAY_HINT)

    def __init__(self, *args: Any, key: str = "answer", **kwargs: Any) -> None:
        super().__init__(*args, key=key, **kwargs)


class FoundForm(Versioned):
    aliases = {"status": "found_on"}

    found_on = forms.DateField(label=_("Found on"), required=False, widget=DateInput())
    country = forms.ChoiceField(label=_("Country where found"))
    place = forms.CharField(label=_("Place where found"), max_length=200, required=False)
    note = _area(_("Note"))
    found_person = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, key="found", **kwargs)
        self.choose("country", _blank(countries))

    def to_input(self) -> actions.FoundInput:
        d = self.cleaned_data
        return actions.FoundInput(
            found_on=d["found_on"],
            country=d["country"],
            place=d["place"],
            note=d["note"],
            found_person_id=d["found_person"],
        )


# ---------------------------------------------------------------- unidentified remains


class RemainsForm(AssistanceForm):
    reference = forms.CharField(label=_("Forensic reference"), max_length=60)
    found_on = forms.DateField(label=_("Found on"), required=False, widget=DateInput())
    found_country = forms.ChoiceField(label=_("Country where found"))
    found_place = forms.CharField(label=_("Place where found"), max_length=200)
    latitude = forms.DecimalField(
        label=_("Latitude"), required=False, max_digits=9, decimal_places=6
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), required=False, max_digits=9, decimal_places=6
    )
    age_min = forms.IntegerField(label=_("Estimated age from"), required=False)
    age_max = forms.IntegerField(label=_("Estimated age to"), required=False)
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=UnidentifiedRemains.Sex.choices,
        initial="U",
        widget=forms.RadioSelect,
    )
    descriptors = _area(_("Descriptors"), _("Height, build, scars, tattoos, dental features."))
    belongings = _area(_("Clothing and belongings"))
    burial_place = forms.CharField(
        label=_("Cemetery or burial place"), max_length=200, required=False
    )
    grave_reference = forms.CharField(label=_("Grave reference"), max_length=100, required=False)

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, key="remains", **kwargs)
        self.choose("found_country", _blank(countries))
        for name in ("latitude", "longitude", "age_min", "age_max"):
            self.fields[name].widget.input_type = "text"  # type: ignore[attr-defined]
            self.fields[name].widget.attrs["inputmode"] = "decimal"

    def to_input(self) -> actions.RemainsInput:
        d = self.cleaned_data
        return actions.RemainsInput(
            reference=d["reference"],
            found_on=d["found_on"],
            found_country=d["found_country"],
            found_place=d["found_place"],
            latitude=d["latitude"],
            longitude=d["longitude"],
            age_min=d["age_min"],
            age_max=d["age_max"],
            sex=d["sex"],
            descriptors=d["descriptors"],
            belongings=d["belongings"],
            burial_place=d["burial_place"],
            grave_reference=d["grave_reference"],
        )


class BurialForm(Versioned):
    burial_place = forms.CharField(
        label=_("Cemetery or burial place"), max_length=200, required=False
    )
    grave_reference = forms.CharField(label=_("Grave reference"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, key="burial", **kwargs)


class IdentifyForm(Versioned):
    report = forms.ChoiceField(label=_("Missing-person report"))
    evidence = forms.MultipleChoiceField(
        label=_("Primary evidence"),
        choices=UnidentifiedRemains.Evidence.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = _area(_("What the identification rests on"))
    identified_on = _date(_("Identified on"), TODAY_HINT)

    def __init__(self, *args: Any, reports: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, key="identify", **kwargs)
        self.choose("report", _blank(reports))

    def to_input(self) -> actions.IdentifyInput:
        import uuid

        d = self.cleaned_data
        return actions.IdentifyInput(
            report_id=uuid.UUID(d["report"]) if d["report"] else None,
            evidence=list(d["evidence"]),
            note=d["note"],
            identified_on=d["identified_on"],
        )


# ---------------------------------------------------------------- family tracing

RELATIVE_SLOTS = (1, 2, 3)


class TracingForm(AssistanceForm):
    aliases = {"relatives": "relative1_name"}

    child = forms.UUIDField(required=False)
    child_where = forms.ChoiceField(
        label=_("The child is"), choices=TracingRequest.Where.choices, widget=forms.RadioSelect
    )
    site = forms.ChoiceField(label=_("Recorded at"), required=False)
    requested_on = _date(_("Requested on"), TODAY_HINT)
    note = _area(_("Note"))

    def __init__(
        self,
        *args: Any,
        sites: list[tuple[str, str]],
        countries: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, key="tracing", **kwargs)
        self.choose("site", _blank(sites))
        for n in RELATIVE_SLOTS:
            self.fields[f"relative{n}_name"] = forms.CharField(
                label=_("Name"), max_length=200, required=False
            )
            self.fields[f"relative{n}_relation"] = forms.ChoiceField(
                label=_("Relation"),
                choices=TracingCandidate.Relation.choices,
                required=False,
                initial="mother" if n == 1 else "father" if n == 2 else "other",
            )
            self.fields[f"relative{n}_country"] = forms.ChoiceField(
                label=_("Last known country"), choices=_blank(countries), required=False
            )
            self.fields[f"relative{n}_place"] = forms.CharField(
                label=_("Last known place"), max_length=200, required=False
            )

    def relative_slots(self) -> list[list[Any]]:
        return [
            [self[f"relative{n}_{part}"] for part in ("name", "relation", "country", "place")]
            for n in RELATIVE_SLOTS
        ]

    def to_input(self) -> actions.TracingInput:
        d = self.cleaned_data
        return actions.TracingInput(
            child_id=d["child"],
            child_where=d["child_where"],
            relatives=[
                actions.RelativeSought(
                    name=d[f"relative{n}_name"],
                    relation=d[f"relative{n}_relation"] or "other",
                    country=d[f"relative{n}_country"] or "",
                    place=d[f"relative{n}_place"],
                )
                for n in RELATIVE_SLOTS
                if d[f"relative{n}_name"].strip()
            ],
            requested_on=d["requested_on"],
            site=d["site"] or "",
            note=d["note"],
        )


class CandidateForm(Versioned):
    person = forms.UUIDField(required=False)
    relation = forms.ChoiceField(label=_("Relation"), choices=TracingCandidate.Relation.choices)
    how_found = forms.CharField(
        label=_("How they were found"),
        max_length=200,
        help_text=_("For example: interview at the consulate, support-line call, matching."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, key="candidate", **kwargs)


class CandidateDecisionForm(AssistanceForm):
    decision = forms.ChoiceField(
        choices=[("verify", _("Verify")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    verification = forms.CharField(
        label=_("How the relationship was verified"), max_length=200, required=False
    )
    reason = _area(_("Why the candidate is rejected"))

    def __init__(self, *args: Any, decision: str, key: str, **kwargs: Any) -> None:
        super().__init__(*args, key=key, **kwargs)
        del self.fields["reason" if decision == "verify" else "verification"]


class OutcomeForm(Versioned):
    status = forms.ChoiceField(label=_("Outcome"), widget=forms.RadioSelect)
    on = _date(_("Date"), TODAY_HINT)
    reason = _area(_("Reason"), _("Required when the family is not reunified."))

    def __init__(self, *args: Any, statuses: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, key="outcome", **kwargs)
        self.choose("status", statuses)
