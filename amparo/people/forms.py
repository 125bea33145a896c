"""Web forms for people: they parse input; the actions validate and write."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _

from amparo.core.forms import ActionErrors
from amparo.core.models import Country, Language

from .actions import DocumentInput, PersonInput
from .models import (
    BirthDatePrecision,
    ContactPoint,
    DocumentType,
    Person,
    PersonName,
    RelationKind,
    RelationToHead,
    Sex,
    Vulnerability,
)


def _country_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(c.code, c.name) for c in Country.objects.all()]


def _language_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(lang.code, lang.name) for lang in Language.objects.filter(national=True)]


class PersonForm(ActionErrors, forms.Form):
    given_names = forms.CharField(label=_("Given names"), max_length=200, required=False)
    first_surname = forms.CharField(label=_("First surname"), max_length=100, required=False)
    second_surname = forms.CharField(label=_("Second surname"), max_length=100, required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(
        label=_("Date of birth"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("If you only know the age, leave it empty and enter the age."),
    )
    birth_date_precision = forms.ChoiceField(
        label=_("Precision of the date"),
        choices=BirthDatePrecision.choices,
        initial=BirthDatePrecision.EXACT,
    )
    age_years = forms.IntegerField(
        label=_("Age in years"), required=False, min_value=0, max_value=150
    )
    nationality = forms.ChoiceField(label=_("Nationality"), required=False)
    origin_municipality = forms.CharField(
        label=_("Municipality of origin (INE code)"),
        max_length=4,
        required=False,
        help_text=_("Four digits, e.g. 0901 for Quetzaltenango."),
    )
    preferred_language = forms.ChoiceField(label=_("Preferred language"), required=False)
    markers = forms.MultipleChoiceField(
        label=_("Vulnerability"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["nationality"].choices = _country_choices()
        self.fields["preferred_language"].choices = _language_choices()

    def to_input(self) -> PersonInput:
        d = self.cleaned_data
        return PersonInput(
            given_names=d["given_names"],
            first_surname=d["first_surname"],
            second_surname=d["second_surname"],
            sex=d["sex"],
            birth_date=d["birth_date"],
            birth_date_precision=d["birth_date_precision"],
            age_years=d["age_years"],
            nationality=d["nationality"] or None,
            origin_municipality=d["origin_municipality"] or None,
            preferred_language=d["preferred_language"] or None,
        )


class PersonCreateForm(PersonForm):
    doc_type = forms.ChoiceField(
        label=_("Identity document"), choices=[("", "—"), *DocumentType.choices], required=False
    )
    number = forms.CharField(label=_("Document number"), max_length=60, required=False)
    issuing_country = forms.ChoiceField(label=_("Issuing country"), required=False)
    confirm_new = forms.BooleanField(
        label=_("None of the people listed is this person: register a new record"), required=False
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuing_country"].choices = _country_choices()

    def documents(self) -> list[DocumentInput]:
        d = self.cleaned_data
        if not d.get("number"):
            return []
        return [
            DocumentInput(
                doc_type=d["doc_type"], number=d["number"], issuing_country=d["issuing_country"]
            )
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("number") and not data.get("doc_type"):
            self.add_error("doc_type", _("Choose the type of the document."))
        if data.get("number") and not data.get("issuing_country"):
            self.add_error("issuing_country", _("Choose the country that issued the document."))
        return data


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class LinkForm(ActionErrors, forms.Form):
    doc_type = forms.ChoiceField(label=_("Identity document"), choices=DocumentType.choices)
    number = forms.CharField(label=_("Document number"), max_length=60)
    issuing_country = forms.ChoiceField(label=_("Issuing country"))
    reason = forms.CharField(label=_("Why you link this record"), max_length=500, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["issuing_country"].choices = _country_choices()


# --- Small forms of the person page. Several share a page, so each gives its fields their
# own ids (`auto_id`) while the names posted stay plain.


class PersonPartForm(ActionErrors, forms.Form):
    id_prefix = "part"

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class DocumentAddForm(PersonPartForm):
    id_prefix = "document"
    doc_type = forms.ChoiceField(
        label=_("Document type"), choices=[("", "—"), *DocumentType.choices]
    )
    number = forms.CharField(label=_("Document number"), max_length=60)
    issuing_country = forms.ChoiceField(label=_("Issuing country"), initial="GT")
    expires_on = forms.DateField(
        label=_("Expiry date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["issuing_country"].choices = _country_choices()

    def to_input(self) -> DocumentInput:
        d = self.cleaned_data
        return DocumentInput(
            doc_type=d["doc_type"],
            number=d["number"],
            issuing_country=d["issuing_country"],
            expires_on=d["expires_on"],
        )


class ContactAddForm(PersonPartForm):
    id_prefix = "contact"
    kind = forms.ChoiceField(
        label=_("Kind of contact"), choices=[("", "—"), *ContactPoint.Kind.choices]
    )
    value = forms.CharField(
        label=_("Number, address or e-mail"),
        max_length=300,
        help_text=_("Telephone numbers with the country code, e.g. +502 5555 1234."),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        help_text=_("For example whose telephone it is, or when to call."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = _country_choices()

    def to_kwargs(self) -> dict[str, str | None]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "value": d["value"],
            "country": d["country"] or None,
            "note": d["note"],
        }


class NameAddForm(PersonPartForm):
    id_prefix = "name"
    kind = forms.ChoiceField(
        label=_("Kind of name"), choices=PersonName.Kind.choices, initial=PersonName.Kind.ALIAS
    )
    given_names = forms.CharField(label=_("Given names"), max_length=200, required=False)
    first_surname = forms.CharField(label=_("First surname"), max_length=100, required=False)
    second_surname = forms.CharField(label=_("Second surname"), max_length=100, required=False)

    def to_kwargs(self) -> dict[str, str]:
        d = self.cleaned_data
        return {k: d[k] for k in ("kind", "given_names", "first_surname", "second_surname")}


class RelationAddForm(PersonPartForm):
    """`to_person` is offered from a search of the people the user holds (`candidates`);
    whether the user may relate that person is the action's to decide."""

    id_prefix = "relation"
    kind = forms.ChoiceField(label=_("This person is"), choices=[("", "—"), *RelationKind.choices])
    to_person = forms.UUIDField(label=_("Other person"), widget=forms.Select)
    # The search that listed the people, so that a refused form can list them again.
    related_q = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def offer(self, people: Iterable[Person]) -> None:
        """List these people (found by the user's search) as the ones to choose from."""
        self.fields["to_person"].widget.choices = [("", "—")] + [
            (str(p.pk), _candidate_label(p)) for p in people
        ]


def _candidate_label(person: Person) -> str:
    if person.birth_date:
        return f"{person.full_name} · {person.birth_date:%Y-%m-%d}"
    return person.full_name


class VoidForm(PersonPartForm):
    id_prefix = "void"
    reason = forms.CharField(label=_("Why the record is voided"), max_length=500)


# --- Households ------------------------------------------------------------------------------


def _relation_choices(empty: str) -> list[tuple[str, str]]:
    return [("", empty), *RelationToHead.choices]


class HouseholdCreateForm(PersonPartForm):
    """A household headed by the person whose page it is; the people related to them (the
    relations on their page) may join it, each with their relation to the head."""

    id_prefix = "household"
    label = forms.CharField(
        label=_("Name of the household"),
        max_length=200,
        help_text=_("For example the family's surnames: “Hogar Cux Tzul”."),
    )

    def __init__(self, *args: object, candidates: Iterable[Person] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = list(candidates)
        for person in self.candidates:
            self.fields[f"member-{person.pk}"] = forms.ChoiceField(
                label=_candidate_label(person),
                choices=_relation_choices(str(_("Not in this household"))),
                required=False,
            )

    def relations(self) -> dict[uuid.UUID, str]:
        """The members chosen besides the head, with their relation to the head."""
        chosen = {}
        for person in self.candidates:
            relation = self.cleaned_data.get(f"member-{person.pk}") or ""
            if relation:
                chosen[person.pk] = relation
        return chosen


class HouseholdRenameForm(PersonPartForm):
    id_prefix = "rename"
    label = forms.CharField(label=_("Name of the household"), max_length=200)


class HouseholdMemberAddForm(PersonPartForm):
    """`person` is offered from a search of the people the user holds."""

    id_prefix = "member"
    relation = forms.ChoiceField(
        label=_("Relation to the head of household"), choices=_relation_choices("—")
    )
    person = forms.UUIDField(label=_("Person"), widget=forms.Select)
    member_q = forms.CharField(max_length=100, required=False, widget=forms.HiddenInput)

    def offer(self, people: Iterable[Person]) -> None:
        self.fields["person"].widget.choices = [("", "—")] + [
            (str(p.pk), _candidate_label(p)) for p in people
        ]


class HouseholdMemberRelationForm(PersonPartForm):
    relation = forms.ChoiceField(
        label=_("Relation to the head of household"), choices=_relation_choices("—")
    )


class HouseholdHeadForm(PersonPartForm):
    id_prefix = "head"
    head = forms.UUIDField(label=_("New head of household"), widget=forms.Select)
    former_head_relation = forms.ChoiceField(
        label=_("Relation of the former head to the new head"), choices=_relation_choices("—")
    )

    def offer(self, members: Iterable[Person]) -> None:
        self.fields["head"].widget.choices = [("", "—")] + [
            (str(p.pk), _candidate_label(p)) for p in members
        ]


class ServiceAddForm(PersonPartForm):
    """A service given to the person outside a referral (a referral's services are recorded
    on the referrals page)."""

    id_prefix = "service"
    kind = forms.ChoiceField(label=_("Service"))
    case = forms.ChoiceField(label=_("Case"), required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(
        self, *args: object, kinds: list[tuple[str, str]], cases: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "—"), *kinds]
        self.fields["case"].choices = [("", _("No case")), *cases]
