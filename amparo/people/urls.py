from django.urls import path

from . import household_views, views

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
    path("<uuid:person_id>/households/", views.household_create, name="household_create"),
    path("<uuid:person_id>/services/", views.service_add, name="service_add"),
    path("<uuid:person_id>/void/", views.void, name="void"),
    path("<uuid:person_id>/break-glass/", views.break_glass, name="break_glass"),
    # A household's page and its small forms.
    path(
        "households/<uuid:household_id>/",
        household_views.household_detail,
        name="household_detail",
    ),
    path(
        "households/<uuid:household_id>/name/",
        household_views.household_rename,
        name="household_rename",
    ),
    path(
        "households/<uuid:household_id>/members/",
        household_views.household_member_add,
        name="household_member_add",
    ),
    path(
        "households/<uuid:household_id>/members/<uuid:person_id>/relation/",
        household_views.household_member_relation,
        name="household_member_relation",
    ),
    path(
        "households/<uuid:household_id>/members/<uuid:person_id>/remove/",
        household_views.household_member_remove,
        name="household_member_remove",
    ),
    path(
        "households/<uuid:household_id>/head/",
        household_views.household_head,
        name="household_head",
    ),
]
