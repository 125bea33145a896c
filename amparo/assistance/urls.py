from django.urls import path

from . import views

app_name = "assistance"
urlpatterns = [
    # The support line.
    path("contacts/", views.contacts, name="contacts"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/export.csv", views.contacts_export, name="contacts_export"),
    path("contacts/figures/", views.contact_figures, name="contact_figures"),
    # The person pickers' fragments (htmx).
    path("people/", views.person_options, name="person_options"),
    path("people/cases/", views.person_cases, name="person_cases"),
    # Consular services and mobile consulates.
    path("consular/", views.consular, name="consular"),
    path("consular/mobile/", views.mobile_consulate_new, name="mobile_consulate_new"),
    path("consular/services/", views.service_new, name="service_new"),
    # Civil registry.
    path("civil-registry/", views.civil_registry, name="civil_registry"),
    path("civil-registry/new/", views.civil_registry_new, name="civil_registry_new"),
    path(
        "civil-registry/<uuid:record_id>/",
        views.civil_registry_detail,
        name="civil_registry_detail",
    ),
    path(
        "civil-registry/<uuid:record_id>/step/",
        views.civil_registry_step,
        name="civil_registry_step",
    ),
    # Travel documents.
    path("travel-documents/", views.travel_documents, name="travel_documents"),
    path("travel-documents/new/", views.travel_document_new, name="travel_document_new"),
    path(
        "travel-documents/<uuid:record_id>/",
        views.travel_document_detail,
        name="travel_document_detail",
    ),
    path(
        "travel-documents/<uuid:record_id>/check/",
        views.travel_document_check,
        name="travel_document_check",
    ),
    path(
        "travel-documents/<uuid:record_id>/decision/",
        views.travel_document_decision,
        name="travel_document_decision",
    ),
]
