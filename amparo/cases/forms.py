"""Web forms for cases: they parse input; the engine (actions.py) validates and writes.

`SchemaForm` turns a protocol form's JSON Schema into a Django form and the POST back into
typed JSON, so that a new protocol's forms appear on the case page without new code.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from amparo.core.forms import ActionErrors

from .models import Consent, ServiceKind

TEXTAREA_ABOVE = 200  # a string allowed to be longer than this is typed in a text area


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class CasesForm(ActionErrors, forms.Form):
    """A form of the case pages; `key` makes its element ids unique on a page of many forms."""

    def __init__(self, *args: Any, key: str = "", **kwargs: Any) -> None:
        if key:
            kwargs.setdefault("auto_id", f"{key}-%s")
        super().__init__(*args, **kwargs)


def _bilingual(value: Any) -> str | None:
    """A {"es": ..., "en": ...} label in the interface language (Spanish first)."""
    if isinstance(value, dict):
        lang = (translation.get_language() or "es")[:2]
        found = value.get(lang) or value.get("es") or next(iter(value.values()), None)
        return str(found) if found is not None else None
    return str(value) if value is not None else None


def humanise(code: str) -> str:
    """`returned_from` → "Returned from": the label of last resort for a code."""
    words = str(code).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def property_label(name: str, prop: dict[str, Any]) -> str:
    """The field's label: `x-title` ({es, en}), then `title`, then the humanised name."""
    return _bilingual(prop.get("x-title")) or prop.get("title") or humanise(name)


def choice_label(value: Any, prop: dict[str, Any]) -> str:
    """An enum value's label: `x-enum-titles` ({value: {es, en}}), else the humanised value."""
    titles = prop.get("x-enum-titles") or {}
    return _bilingual(titles.get(str(value))) or humanise(str(value))


def _kind(prop: dict[str, Any]) -> str:
    """What the property is, as far as the form is concerned."""
    if "enum" in prop:
        return "enum"
    kind = prop.get("type")
    if kind == "array" and isinstance(prop.get("items"), dict) and "enum" in prop["items"]:
        return "multi"
    if kind in ("boolean", "integer", "number"):
        return str(kind)
    if kind == "string":
        return "date" if prop.get("format") == "date" else "string"
    return "json"  # anything else (objects, free arrays) is typed as JSON


class JSONField(forms.CharField):
    """A property the form has no widget for: typed as JSON, kept as the parsed value."""

    widget = forms.Textarea

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # JSON is typed with its codes as keys and values: marked so that page translators
        # (and the whole-product walk's language check) leave it as written.
        return {**super().widget_attrs(widget), "translate": "no", "spellcheck": "false"}

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise forms.ValidationError(_("Enter valid JSON.")) from exc

    def prepare_value(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False)


def _field(name: str, prop: dict[str, Any], required: bool) -> tuple[str, forms.Field]:
    label = property_label(name, prop)
    help_text = prop.get("description", "")
    common: dict[str, Any] = {"label": label, "help_text": help_text}
    kind = _kind(prop)
    if kind == "boolean":
        # An unticked box is an answer ("no"), so the box is never itself required.
        return kind, forms.BooleanField(required=False, **common)
    if kind == "enum":
        choices = [(str(v), choice_label(v, prop)) for v in prop["enum"]]
        return kind, forms.ChoiceField(choices=[("", "—"), *choices], required=required, **common)
    if kind == "multi":
        items = prop["items"]
        # Protocol files put the labels on the array or on its items: read either.
        labelled = items if "x-enum-titles" in items else prop
        choices = [(str(v), choice_label(v, labelled)) for v in items["enum"]]
        return kind, forms.MultipleChoiceField(
            choices=choices, required=required, widget=forms.CheckboxSelectMultiple, **common
        )
    if kind in ("integer", "number"):
        field_class = forms.IntegerField if kind == "integer" else forms.FloatField
        field = field_class(
            required=required,
            min_value=prop.get("minimum"),
            max_value=prop.get("maximum"),
            **common,
        )
        if kind == "number":
            field.widget.attrs["step"] = "any"
        return kind, field
    if kind == "date":
        return kind, forms.DateField(required=required, widget=DateInput(), **common)
    if kind == "string":
        max_length = prop.get("maxLength")
        widget = (
            forms.Textarea(attrs={"rows": 4})
            if max_length is None or max_length > TEXTAREA_ABOVE
            else forms.TextInput
        )
        return kind, forms.CharField(
            required=required,
            max_length=max_length,
            min_length=prop.get("minLength"),
            widget=widget,
            **common,
        )
    return kind, JSONField(required=required, **common)


class SchemaForm(ActionErrors, forms.Form):
    """A Django form built from a JSON Schema object; `to_json` gives typed JSON back.

    boolean → checkbox; enum → select; array of enum → checkboxes; string → text input, or a
    text area when it may be longer than 200 characters; integer and number → number input;
    string with format "date" → date input. Required fields follow the schema's "required";
    labels its "x-title" ({es, en}) or "title", else the property's name made readable.
    """

    def __init__(
        self,
        schema: dict[str, Any],
        data: Any = None,
        *,
        prefix: str | None = None,
        initial_json: dict[str, Any] | None = None,
    ) -> None:
        self.schema = schema
        self.kinds: dict[str, str] = {}
        self.enum_values: dict[str, dict[str, Any]] = {}
        self.error_prefix = prefix or ""
        super().__init__(data, prefix=prefix, auto_id="%s")
        required = set(schema.get("required", []))
        for name, prop in (schema.get("properties") or {}).items():
            prop = prop if isinstance(prop, dict) else {}
            kind, field = _field(name, prop, name in required)
            self.kinds[name] = kind
            if kind == "enum":
                self.enum_values[name] = {str(v): v for v in prop["enum"]}
            elif kind == "multi":
                self.enum_values[name] = {str(v): v for v in prop["items"]["enum"]}
            self.fields[name] = field
        self.initial = self.initial_from_json(initial_json or {})
        # Saved values the form has no field for (the schema allows more) are kept as they are.
        self.kept = {k: v for k, v in (initial_json or {}).items() if k not in self.kinds}

    def initial_from_json(self, values: dict[str, Any]) -> dict[str, Any]:
        """Saved JSON as the form's initial values (choices are strings in the form)."""
        initial: dict[str, Any] = {}
        for name, value in values.items():
            kind = self.kinds.get(name)
            if kind == "multi" and isinstance(value, list):
                initial[name] = [str(v) for v in value]
            elif kind == "enum":
                initial[name] = str(value)
            else:
                initial[name] = value
        return initial

    def to_json(self) -> dict[str, Any]:
        """The cleaned values as the schema's types; empty optional fields are left out."""
        required = set(self.schema.get("required", []))
        out: dict[str, Any] = dict(self.kept)
        for name, kind in self.kinds.items():
            value = self.cleaned_data.get(name)
            if kind == "boolean":
                out[name] = bool(value)
                continue
            if kind == "enum":
                value = self.enum_values[name].get(value) if value not in ("", None) else None
            elif kind == "multi":
                value = [self.enum_values[name][v] for v in value or []]
                if not value and name not in required:
                    continue
                out[name] = value
                continue
            elif kind == "date" and isinstance(value, date):
                value = value.isoformat()
            elif kind == "string" and value == "":
                value = None
            if value is None:
                continue
            out[name] = value
        return out


# --- the small forms of the case pages ------------------------------------------------------


class CaseFilterForm(CasesForm):
    STATUS = [("open", _("Open")), ("closed", _("Closed")), ("all", _("All"))]

    protocol = forms.ChoiceField(label=_("Protocol"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    mine = forms.BooleanField(label=_("Only cases assigned to me"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS, required=False, initial="open")

    def __init__(
        self,
        *args: Any,
        protocols: list[tuple[str, str]],
        stages: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, key="filter", **kwargs)
        self.fields["protocol"].choices = [("", _("All protocols")), *protocols]
        self.fields["stage"].choices = [("", _("All stages")), *stages]

    def values(self) -> dict[str, Any]:
        """The filters to apply: a value that is not valid counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "protocol": data.get("protocol") or "",
            "stage": data.get("stage") or "",
            "mine": bool(data.get("mine")),
            "status": data.get("status") or "open",
        }


class CaseOpenForm(CasesForm):
    protocol = forms.ChoiceField(label=_("Protocol"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, protocols: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, key="open", **kwargs)
        self.fields["protocol"].choices = protocols


class StepForm(CasesForm):
    transition = forms.CharField(max_length=60, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    closure_reason = forms.ChoiceField(label=_("Reason for closing"), required=False)

    def __init__(self, *args: Any, closure_reasons: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if closure_reasons:
            self.fields["closure_reason"].choices = [("", "—"), *closure_reasons]
            self.fields["closure_reason"].required = True
        else:
            del self.fields["closure_reason"]


class ApprovalForm(CasesForm):
    DECISIONS = [("approve", _("Approve")), ("reject", _("Do not approve"))]

    decision = forms.ChoiceField(choices=DECISIONS)
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Required when you do not approve the step."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class NoteForm(CasesForm):
    text = forms.CharField(
        label=_("Note"), max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AttachmentForm(CasesForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPEG or PNG, at most 10 MB."),
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class ReferralForm(CasesForm):
    to_institution = forms.ChoiceField(label=_("Refer to"))
    reason = forms.CharField(
        label=_("Reason for the referral"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    shares = forms.MultipleChoiceField(
        label=_("What the referral shares"),
        choices=Consent.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.MultipleChoiceField(
        label=_("Services requested"),
        choices=ServiceKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    override_reason = forms.CharField(
        label=_("Reason to refer without the person's consent"),
        help_text=_("Only when no consent on record covers this sharing. It is audited."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, targets: list[tuple[str, str]], may_override: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, key="referral", **kwargs)
        self.fields["to_institution"].choices = [("", "—"), *targets]
        if not may_override:
            del self.fields["override_reason"]


class ConsentForm(CasesForm):
    scopes = forms.MultipleChoiceField(
        label=_("The person agrees to share"),
        choices=Consent.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    recipient = forms.ChoiceField(label=_("With"), required=False)

    def __init__(self, *args: Any, recipients: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, key="consent", **kwargs)
        self.fields["recipient"].choices = [
            ("", _("Any institution of the network")),
            *recipients,
        ]


class ReferralDecisionForm(CasesForm):
    DECISIONS = [("accept", _("Accept")), ("decline", _("Decline"))]

    decision = forms.ChoiceField(choices=DECISIONS)
    reason = forms.CharField(
        label=_("Reason"),
        help_text=_("Required when you decline the referral."),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ServiceForm(CasesForm):
    aliases = {"delivered_at": "delivered_on"}

    kind = forms.ChoiceField(label=_("Service"))
    delivered_on = forms.DateField(
        label=_("Date delivered"),
        help_text=_("Leave empty for today."),
        required=False,
        widget=DateInput(),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args: Any, requested: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The services the referral asked for come first.
        ordered = sorted(ServiceKind.choices, key=lambda c: c[0] not in requested)
        self.fields["kind"].choices = [("", "—"), *ordered]

    def delivered_at(self) -> datetime | None:
        day = self.cleaned_data.get("delivered_on")
        if day is None or day == timezone.localdate():
            return None  # now
        return timezone.make_aware(datetime.combine(day, time(12, 0)))
