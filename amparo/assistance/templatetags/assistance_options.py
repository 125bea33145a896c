"""The options of a select, rendered in Python: the contact page's list of 249 countries went
through the template language option by option, a fifth of the page's time."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def select_options(field: BoundField) -> SafeString:
    """`<option>`s of a choice field, the bound or initial value selected; labels escaped."""
    value = field.value()
    current = "" if value is None else str(value)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (code, " selected" if str(code) == current else "", label)
            for code, label in field.field.choices
        ),
    )
