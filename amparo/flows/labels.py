"""Words for what the flows records keep as codes or as the engine's English: stream keys,
phase rules, model and threshold versions, plan codes, in the reader's language.

A phase change keeps the rules and versions it was decided under as text (that is the
record); the pages show them through these functions, never the stored text itself."""

from __future__ import annotations

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.core.models import Site

from .models import StreamKind
from .plans import PLANS

# Each rule is stored as "<phase>: <sentence>"; the phase word identifies it.
RULE_LABELS: dict[str, Promise] = {
    "watch": gettext_lazy("Watch: the crossings statistic passes the low threshold"),
    "alert": gettext_lazy(
        "Alert: it passes the high threshold, or it passes the low threshold while an "
        "independent stream (shelter occupancy, support-line contacts, clinic attendances) "
        "passes its own low threshold within the last 2 days"
    ),
    "emergency": gettext_lazy("Emergency: alert while a shelter is over capacity"),
    "step down": gettext_lazy(
        "Step down: a phase ends only after some quiet days without its trigger"
    ),
}

# Model and threshold versions by the code that opens their stored description.
VERSION_LABELS: dict[str, Promise] = {
    "nb-glm": gettext_lazy(
        "Expected counts: quasi-Poisson regression on the day of the week, the season and "
        "the trend"
    ),
    "nb-cusum": gettext_lazy("Thresholds: cumulative sum (CUSUM) for negative binomial counts"),
}


def rule_label(stored: str) -> str:
    """A stored phase rule in the reader's language (the stored text if it is unknown)."""
    head = str(stored).split(":", 1)[0].strip().lower()
    label = RULE_LABELS.get(head)
    return str(label) if label is not None else str(stored)


def version_label(stored: str) -> str:
    """`nb-glm-2 (quasi-Poisson GLM, …)` → the method in words, with its version code."""
    code = str(stored).split(" ", 1)[0]
    family = code.rsplit("-", 1)[0] if code[-1:].isdigit() else code
    label = VERSION_LABELS.get(family)
    return f"{label} ({code})" if label is not None else str(stored)


def plan_title(code: str) -> str:
    """A contingency plan's title in the reader's language, from its code."""
    english = (translation.get_language() or "es")[:2] == "en"
    for plan in PLANS.values():
        if plan.code == code:
            return plan.title_en if english else plan.title_es
    return code


def stream_label(key: str) -> str:
    """A detection stream's key (`contacts:legal_advice`, `occupancy:site`) in words."""
    kind, _sep, rest = str(key).partition(":")
    if kind == "contacts" and rest:
        from amparo.assistance.models import ContactReason

        reason = ContactReason.objects.filter(code=rest).first()
        name = reason.name if reason is not None else rest
        return _("Support-line contacts: %(reason)s") % {"reason": name}
    if kind in StreamKind.values and rest:
        site = Site.objects.filter(code=rest).first()
        return f"{StreamKind(kind).label}: {site.name if site is not None else rest}"
    if kind in StreamKind.values:  # the national sum of a kind (`occupancy`, `clinic`)
        return str(StreamKind(kind).label)
    if key == "national":
        return _("National total")
    site = Site.objects.filter(code=key).first()  # a crossing point's own stream
    return site.name if site is not None else str(key)
