from django.urls import path

from waishi.passports import views

app_name = "passports"

urlpatterns = [
    path("", views.passport_list, name="list"),
    path("new/", views.passport_create, name="create"),
    path("report.xlsx", views.custody_report, name="report"),
    path("trips/", views.trip_list, name="trips"),
    path("trips/<int:mission_pk>/issue/", views.mission_issue, name="issue"),
    path("<int:passport_pk>/", views.passport_detail, name="detail"),
    path("<int:passport_pk>/edit/", views.passport_edit, name="edit"),
    path("<int:passport_pk>/number/", views.passport_unmask, name="unmask"),
    path("<int:passport_pk>/mark/", views.passport_mark, name="mark"),
    path("custody/<int:custody_pk>/return/", views.custody_return, name="return"),
    path("returns/", views.custody_return_many, name="return-many"),
    path("applications/", views.application_list, name="applications"),
    path("applications/new/", views.application_create, name="application-create"),
    path(
        "applications/<int:application_pk>/",
        views.application_detail,
        name="application-detail",
    ),
    path(
        "applications/<int:application_pk>/decide/",
        views.application_decide,
        name="application-decide",
    ),
]
