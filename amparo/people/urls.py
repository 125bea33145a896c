from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("new/candidates/", views.candidates, name="candidates"),
    path("link/", views.link, name="link"),
    path("<uuid:person_id>/", views.detail, name="detail"),
    path("<uuid:person_id>/edit/", views.edit, name="edit"),
    # The person page's small forms: POST only, each calls one action.
    path("<uuid:person_id>/documents/", views.document_add, name="document_add"),
    path("<uuid:person_id>/contacts/", views.contact_add, name="contact_add"),
    path("<uuid:person_id>/names/", views.name_add, name="name_add"),
    path("<uuid:person_id>/relations/", views.relation_add, name="relation_add"),
    path("<uuid:person_id>/void/", views.void, name="void"),
    path("<uuid:person_id>/break-glass/", views.break_glass, name="break_glass"),
]
