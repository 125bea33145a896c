"""The indicator catalogue: every figure Amparo reports, declared once.

Each app declares its indicators in `amparo/<app>/indicators.py` by calling `register(...)`;
the stats app imports those modules at startup (StatsConfig.ready). A declaration names a
model, the date field that places a record in a period, what is counted (records, distinct
people, households, ...), fixed filters, and the disaggregations it allows, each mapped to a
field path of that model. Every path is checked against the models when it is registered: a
definition that names an unknown field or disaggregation is refused with a message that says
which indicator, which path and which part of it is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class IndicatorError(ImproperlyConfigured):
    """An indicator definition that cannot be computed (unknown model, field or dimension)."""


class Measure(StrEnum):
    RECORDS = "records"  # every row counts once
    DISTINCT = "distinct"  # distinct values of `count_field` (people, households, cases)
    SUM = "sum"  # the sum of `count_field` (durations)


class Unit(StrEnum):
    RECORDS = "records"
    PEOPLE = "people"
    HOUSEHOLDS = "households"
    SERVICES = "services"
    CASES = "cases"
    SECONDS = "seconds"


UNIT_LABELS: dict[str, Promise] = {
    Unit.RECORDS: _("records"),
    Unit.PEOPLE: _("people"),
    Unit.HOUSEHOLDS: _("households"),
    Unit.SERVICES: _("services"),
    Unit.CASES: _("cases"),
    Unit.SECONDS: _("seconds"),
}


@dataclass(frozen=True)
class Dimension:
    """A way to split a figure. Indicators map it to a field path of their own model."""

    code: str
    title: Promise
    # "age_group": the path names a Person; the group is the age at the record's date.
    kind: str = "value"


# The disaggregations the State report uses (issue 8): at least these. Indicators may also
# declare their own ("kind", "reason", ...), listed in `local_dimensions`.
DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in (
        Dimension("sex", _("Sex")),
        Dimension("age_group", _("Age group"), kind="age_group"),
        Dimension("nationality", _("Nationality")),
        Dimension("department", _("Department of origin")),
        Dimension("country_of_stay", _("Country of stay")),
        Dimension("migration_status", _("Migration status")),
        Dimension("protocol", _("Protocol")),
        Dimension("institution", _("Institution")),
        Dimension("site", _("Site")),
        Dimension("kind", _("Kind")),
        Dimension("status", _("Status")),
        Dimension("outcome", _("Outcome")),
        Dimension("reason", _("Reason")),
        Dimension("channel", _("Channel")),
        Dimension("group", _("Group of people")),
    )
}

# Age groups at the record's date (CRC: a child is under 18; "adolescent" 12-17 as in the
# national protocol for migrant children; an older person is 60 or more, as in
# Vulnerability.OLDER_PERSON).
AGE_GROUPS: list[tuple[str, Promise, int | None, int | None]] = [
    ("child", _("Child (0-11)"), 0, 12),
    ("adolescent", _("Adolescent (12-17)"), 12, 18),
    ("adult", _("Adult (18-59)"), 18, 60),
    ("older", _("Older person (60+)"), 60, None),
    ("unknown", _("Age not recorded"), None, None),
]


@dataclass(frozen=True)
class Indicator:
    id: str
    title: Promise | str
    definition: Promise | str
    model: str  # "app_label.ModelName"
    date_field: str
    unit: Unit
    measure: Measure = Measure.RECORDS
    count_field: str = ""  # for DISTINCT and SUM
    filters: dict[str, Any] = field(default_factory=dict)
    excludes: dict[str, Any] = field(default_factory=dict)
    # dimension code -> field path from `model` (for age_group: the path to a Person)
    disaggregations: dict[str, str] = field(default_factory=dict)
    # the field that says whose record it is (scoping and the per-institution dashboard)
    institution_field: str = "institution"
    # Counted from the first record up to the end of the period (e.g. "since 2016").
    cumulative: bool = False
    # The app that declared it (set by register) and the report section it belongs to.
    app: str = ""
    section: str = ""
    # Said beside the figure when nothing records it yet (e.g. the flows app is not built).
    note: Promise | str = ""

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)


_REGISTRY: dict[str, Indicator] = {}


def _fail(ind: Indicator, message: str) -> IndicatorError:
    return IndicatorError(f"Indicator “{ind.id}” ({ind.app or '?'}): {message}")


def resolve_path(
    model: type[models.Model], path: str, *, lookups: bool = False
) -> models.Field | models.ForeignObjectRel:
    """The field at the end of `path` (Django's double-underscore notation). With `lookups`
    a trailing lookup (`__in`, `__startswith`, ...) is allowed; after a JSON field any key is.
    Raises FieldDoesNotExist naming the part that is wrong."""
    current: type[models.Model] = model
    found: Any = None
    parts = path.split("__")
    for i, part in enumerate(parts):
        if found is not None and isinstance(found, models.JSONField):
            return found
        try:
            found = current._meta.get_field(part)
        except FieldDoesNotExist:
            rest = parts[i:]
            if lookups and found is not None and len(rest) == 1 and found.get_lookup(part):
                return found
            raise FieldDoesNotExist(
                f"“{part}” is not a field of {current._meta.label} (in “{path}”)"
            ) from None
        if found.is_relation and found.related_model is not None and i < len(parts) - 1:
            current = found.related_model
    return found


def validate(ind: Indicator) -> None:
    """Refuse a definition that names an unknown model, field or disaggregation."""
    if not ind.id or not ind.id.replace("_", "").replace(".", "").isalnum():
        raise _fail(ind, "the id must be letters, digits, dots and underscores")
    try:
        model = apps.get_model(ind.model)
    except (LookupError, ValueError):
        raise _fail(ind, f"unknown model “{ind.model}”") from None
    checks: list[tuple[str, str, bool]] = [("date_field", ind.date_field, False)]
    if ind.measure != Measure.RECORDS:
        if not ind.count_field:
            raise _fail(ind, f"a “{ind.measure}” measure needs a count_field")
        checks.append(("count_field", ind.count_field, False))
    if ind.institution_field:
        checks.append(("institution_field", ind.institution_field, False))
    checks += [(f"filter “{key}”", key, True) for key in [*ind.filters, *ind.excludes]]
    for code, path in ind.disaggregations.items():
        if code not in DIMENSIONS:
            known = ", ".join(sorted(DIMENSIONS))
            raise _fail(ind, f"unknown disaggregation “{code}” (known: {known})")
        checks.append((f"disaggregation “{code}”", path, False))
    for what, path, lookups in checks:
        try:
            target = resolve_path(model, path, lookups=lookups)
        except FieldDoesNotExist as exc:
            raise _fail(ind, f"{what}: {exc}") from None
        if what == "date_field" and not isinstance(target, models.DateField):
            raise _fail(ind, f"date_field “{path}” is not a date or date-time field")
    age = ind.disaggregations.get("age_group")
    if age is not None:
        person = resolve_path(model, age)
        if getattr(person, "related_model", None) is None or (
            person.related_model._meta.label != "people.Person"
        ):
            raise _fail(ind, f"disaggregation “age_group” must name a person, not “{age}”")


def register(*indicators: Indicator, app: str = "") -> None:
    """Add indicators to the catalogue (validated now, so a bad one stops the start-up)."""
    for ind in indicators:
        if app and not ind.app:
            object.__setattr__(ind, "app", app)
        validate(ind)
        if ind.id in _REGISTRY and _REGISTRY[ind.id] != ind:
            raise _fail(ind, "another indicator already has this id")
        _REGISTRY[ind.id] = ind


def unregister(*ids: str) -> None:
    for i in ids:
        _REGISTRY.pop(i, None)


def catalogue() -> list[Indicator]:
    """Every registered indicator, in report order (section, then declaration order)."""
    order = {code: n for n, (code, _t) in enumerate(SECTIONS)}
    items = list(_REGISTRY.values())
    return sorted(items, key=lambda i: order.get(i.section, len(order)))


def get(indicator_id: str) -> Indicator | None:
    return _REGISTRY.get(indicator_id)


def dimensions_of(ind: Indicator) -> list[Dimension]:
    return [DIMENSIONS[c] for c in ind.disaggregations]


# The State report's sections, in the order of the periodic report (CMW/C/GTM/2 and the
# Committee's dialogue): what each app's indicators are filed under.
SECTIONS: list[tuple[str, Promise]] = [
    ("nationals_abroad", _("Assistance to nationals abroad")),
    ("civil_registry", _("Civil registry and travel documents")),
    ("children", _("Migrant children and adolescents")),
    ("returnees", _("Returnees and their households")),
    ("trafficking", _("Trafficking in persons and violence")),
    ("missing", _("Missing migrants and family tracing")),
    ("asylum", _("Asylum and international protection")),
    ("complaints", _("Complaints against officials")),
    ("labour", _("Labour migration")),
    ("flows", _("Migratory flows")),
    ("other", _("Other indicators")),
]


def section_title(code: str) -> Promise | str:
    return dict(SECTIONS).get(code, code)


def autodiscover(modules: Iterable[str] | None = None) -> None:
    """Import `indicators` from every installed app (each registers its own)."""
    from django.utils.module_loading import autodiscover_modules

    if modules is None:
        autodiscover_modules("indicators")
    else:
        import importlib

        for name in modules:
            importlib.import_module(name)
