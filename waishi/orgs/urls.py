from django.urls import path

from waishi.orgs import import_views, views

app_name = "orgs"

urlpatterns = [
    path("districts/", views.district_list, name="district-list"),
    path("units/", views.unit_list, name="unit-list"),
    path("units/new/", views.unit_form, name="unit-create"),
    path("units/<int:unit_pk>/", views.unit_detail, name="unit-detail"),
    path("units/<int:unit_pk>/edit/", views.unit_form, name="unit-edit"),
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_form, name="person-create"),
    path("people/find/", views.person_find, name="person-find"),
    path("people/import/", import_views.people_import, name="person-import"),
    path(
        "people/import/template.xlsx",
        import_views.people_import_template,
        name="person-import-template",
    ),
    path("people/<int:person_pk>/", views.person_detail, name="person-detail"),
    path("people/<int:person_pk>/edit/", views.person_form, name="person-edit"),
    path("people/<int:person_pk>/id-number/", views.person_unmask, name="person-unmask"),
]
