"""Words for what happens to a case, as people read them on the case page's timeline."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .forms import humanise
from .models import Consent, ServiceKind
from .protocol import Protocol, text

EVENT_LABELS: dict[str, Promise] = {
    "opened": gettext_lazy("Case opened"),
    "transition": gettext_lazy("Step taken"),
    "approval_requested": gettext_lazy("Approval requested"),
    "approval_rejected": gettext_lazy("Step not approved"),
    "form": gettext_lazy("Form saved"),
    "task_done": gettext_lazy("Task done"),
    "note": gettext_lazy("Note added"),
    "attachment": gettext_lazy("File attached"),
    "referral_sent": gettext_lazy("Case referred"),
    "referral_accepted": gettext_lazy("Referral accepted"),
    "referral_declined": gettext_lazy("Referral declined"),
    "service": gettext_lazy("Service delivered"),
}


def event_label(kind: str) -> str:
    label = EVENT_LABELS.get(kind)
    return str(label) if label is not None else humanise(kind)


def stage_name(protocol: Protocol | None, code: str) -> str:
    stage = protocol.stages.get(code) if protocol else None
    return text(stage.name) if stage else code


def transition_name(protocol: Protocol | None, code: str) -> str:
    spec = protocol.transitions.get(code) if protocol else None
    return text(spec.name) if spec else code


def form_title(protocol: Protocol | None, code: str) -> str:
    spec = protocol.forms.get(code) if protocol else None
    return text(spec.title) if spec else code


def task_title(protocol: Protocol | None, code: str) -> str:
    for stage in protocol.stages.values() if protocol else []:
        for task in stage.tasks:
            if task.code == code:
                return text(task.title)
    return code


def service_label(code: str) -> str:
    return str(ServiceKind(code).label) if code in ServiceKind.values else code


def scope_label(code: str) -> str:
    return str(Consent.Scope(code).label) if code in Consent.Scope.values else code


def closure_reason_label(code: str, protocol: Protocol | None = None) -> str:
    """The reason's name from the protocol file in the interface language, else the code made
    readable (protocols may give reasons as bare codes)."""
    names = protocol.closure_reason_names.get(code) if protocol else None
    return text(names) if names else (humanise(code) if code else "")


def event_detail(event: dict[str, Any], protocol: Protocol | None) -> str:
    """One line saying what the event changed, in the interface language."""
    kind, detail = event["kind"], event.get("detail") or {}
    if kind == "opened":
        return _("Stage: %(stage)s") % {"stage": stage_name(protocol, event["stage_to"])}
    if kind == "transition":
        line = _("%(step)s: from “%(from)s” to “%(to)s”") % {
            "step": transition_name(protocol, detail.get("transition", "")),
            "from": stage_name(protocol, event["stage_from"]),
            "to": stage_name(protocol, event["stage_to"]),
        }
        if detail.get("approved_by"):
            line += " · " + _("approved by %(user)s") % {"user": detail["approved_by"]}
        if detail.get("closure_reason"):
            line += " · " + closure_reason_label(detail["closure_reason"], protocol)
        return line
    if kind == "approval_requested":
        return transition_name(protocol, detail.get("transition", ""))
    if kind == "approval_rejected":
        return _("%(step)s. Reason: %(reason)s") % {
            "step": transition_name(protocol, detail.get("transition", "")),
            "reason": detail.get("reason", ""),
        }
    if kind == "form":
        return form_title(protocol, detail.get("form", ""))
    if kind == "task_done":
        return task_title(protocol, detail.get("task", ""))
    if kind == "attachment":
        return str(detail.get("name", ""))
    if kind == "referral_sent":
        services = ", ".join(service_label(s) for s in detail.get("services") or [])
        line = _("To %(institution)s") % {"institution": detail.get("to", "")}
        return f"{line} · {services}" if services else line
    if kind == "referral_accepted":
        return _("By %(institution)s") % {"institution": detail.get("by", "")}
    if kind == "referral_declined":
        return _("By %(institution)s. Reason: %(reason)s") % {
            "institution": detail.get("by", ""),
            "reason": detail.get("reason", ""),
        }
    if kind == "service":
        return _("%(service)s, by %(institution)s") % {
            "service": service_label(detail.get("service", "")),
            "institution": detail.get("institution", ""),
        }
    return ""
