from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from importlib import import_module
from typing import Any

from django import template
from django.utils.formats import number_format

from amparo.core.labels import action_label, object_type_label
from amparo.core.localisation import local_datetime

register = template.Library()


@register.filter(name="action_label")
def action_label_filter(action: str) -> str:
    return action_label(action)


@register.filter(is_safe=True)
def figure(value: Any, decimals: int | str = 1) -> Any:
    """A count or amount as the reader's locale writes it, thousands grouped: 1,017,564 in
    Guatemala's Spanish and in English. Whole numbers show no decimals; others at most
    `decimals`. Anything that is not a number is left as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return value
    places = int(decimals)
    rounded = round(value, places)
    if rounded == int(rounded):
        return number_format(int(rounded), force_grouping=True)
    return number_format(rounded, decimal_pos=places, force_grouping=True)


@register.filter(expects_localtime=True)
def local_time(value: Any) -> datetime | Any:
    """An instant in the user's time zone (America/Guatemala unless another is active): for
    the ISO 8601 texts kept in JSON histories, which the `date` filter cannot read. Use as
    `{{ h.at|local_time|date:"Y-m-d H:i" }}`."""
    local = local_datetime(value)
    return local if local is not None else value


@lru_cache(maxsize=64)
def _choices_class(path: str) -> Any:
    """`amparo.x.models.Model.Status`: the longest importable module, then attributes."""
    parts = path.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            found: Any = import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ImportError(path)


@register.filter
def choice_label(value: Any, choices_path: str) -> str:
    """The label of a stored choice code, from the TextChoices class at `choices_path`
    (`{{ h.to|choice_label:"amparo.recommendations.models.Status" }}`); the code itself,
    made readable, when the class does not know it."""
    from amparo.cases.forms import humanise

    if value in (None, ""):
        return ""
    choices = _choices_class(choices_path)
    label = dict(choices.choices).get(str(value))
    return str(label) if label is not None else humanise(str(value))


@register.filter
def country_name(code: Any) -> str:
    """An ISO 3166 alpha-2 code (`HN`) as the country's name in the reader's language."""
    from amparo.core.models import Country

    if not code:
        return ""
    country = Country.objects.filter(code=str(code).upper()).first()
    return country.name if country is not None else str(code)


@register.filter
def stream_label(key: str) -> str:
    from amparo.flows.labels import stream_label as label

    return label(key)


@register.filter
def phase_rule(stored: str) -> str:
    from amparo.flows.labels import rule_label

    return rule_label(stored)


@register.filter
def version_label(stored: str) -> str:
    from amparo.flows.labels import version_label as label

    return label(stored)


@register.filter
def plan_title(code: str) -> str:
    from amparo.flows.labels import plan_title as title

    return title(code)


@register.filter
def import_kind(kind: str) -> str:
    """An import job's layout code (`support_contacts`) as the layout's title."""
    from amparo.imports.layouts import layout_get

    layout = layout_get(str(kind))
    return str(layout.title) if layout is not None else str(kind)


@register.filter(name="object_type_label")
def object_type_label_filter(name: str) -> str:
    """An audit entry's record type (`TravelDocument`) in the reader's language."""
    return object_type_label(str(name))



@register.filter
def can(user: Any, perm: str) -> bool:
    """Whether the user holds a permission (`Perm` member name), for links to pages that would
    otherwise answer 403: `{% if user|can:"FLOWS_WRITE" %}`."""
    from amparo.core.permissions import Perm, has_perm

    return has_perm(user, Perm[str(perm)])
