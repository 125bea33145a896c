"""Words for the matching engine's comparisons, as reviewers read them."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The comparisons' output column names (models_spec.settings_for), named for people.
COMPARISON_LABELS = {
    "given_names": _("Given names"),
    "surnames": _("Surnames"),
    "birth": _("Date of birth or age"),
    "document": _("Identity document"),
    "sex": _("Sex"),
    "nationality": _("Nationality"),
    "origin": _("Place of origin"),
}


@register.filter
def comparison_label(name: str) -> str:
    """The comparison's name for people; an unknown one (a newer model) reads "Other detail"."""
    return str(COMPARISON_LABELS.get(name, _("Other detail")))
