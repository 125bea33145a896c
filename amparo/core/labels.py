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
    "person.list": _("List of people"),
    "person.document_add": _("Identity document added"),
    "person.contact_add": _("Contact added"),
    "person.name_add": _("Other name added"),
    "person.markers_set": _("Vulnerability updated"),
    "person.relation_add": _("Relation added"),
    "household.member_add": _("Added to a household"),
    "token.create": _("API token created"),
    "auth.second_factor": _("Second factor verified"),
    "demo.generate_people": _("Demo people generated"),
}


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action
