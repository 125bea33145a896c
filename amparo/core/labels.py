"""Words for the audit trail's action codes, as people read them on timelines and lists."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    "person.register": _("Registered"),
    "person.link": _("Record linked to the institution"),
    "person.update": _("Details changed"),
    "person.void": _("Record voided"),
    "person.view": _("Record viewed"),
    "person.edit_form": _("Record opened for editing"),
    "person.search": _("Search"),
    "person.break_glass": _("Break-glass access"),
    "person.view_break_glass": _("Record viewed by break-glass"),
    "person.list": _("List of people"),
    "person.document_add": _("Identity document added"),
    "person.contact_add": _("Contact added"),
    "person.name_add": _("Other name added"),
    "person.markers_set": _("Vulnerability updated"),
    "person.relation_add": _("Relation added"),
    "household.member_add": _("Added to a household"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "user.create": _("Account created"),
    "case.open": _("Case opened"),
    "case.view": _("Case viewed"),
    "case.transition": _("Step taken"),
    "case.transition_refused": _("Step refused"),
    "case.approval_request": _("Approval requested"),
    "case.approval_decide": _("Approval decided"),
    "case.approval_decide_refused": _("Approval refused"),
    "case.form_save": _("Form saved"),
    "case.form_save_refused": _("Form refused"),
    "case.task_done": _("Task done"),
    "case.note_add": _("Note added"),
    "case.attachment_add": _("File attached"),
    "case.attachment_download": _("File downloaded"),
    "case.deadlines_sweep": _("Overdue tasks escalated"),
    "consent.record": _("Consent recorded"),
    "consent.withdraw": _("Consent withdrawn"),
    "referral.send": _("Case referred"),
    "referral.send_refused": _("Referral refused"),
    "referral.decide": _("Referral decided"),
    "referral.decide_refused": _("Referral decision refused"),
    "service.record": _("Service delivered"),
    "auth.second_factor": _("Second factor verified"),
    "demo.generate_people": _("Demo people generated"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
