from django.urls import path

from waishi.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="plan-list"),
    path("new/", views.plan_form, name="plan-create"),
    path("<int:plan_pk>/", views.plan_detail, name="plan-detail"),
    path("<int:plan_pk>/edit/", views.plan_form, name="plan-edit"),
    path("<int:plan_pk>/transition/", views.plan_transition, name="plan-transition"),
    path("<int:plan_pk>/export.xlsx", views.plan_export, {"fmt": "xlsx"}, name="plan-export-xlsx"),
    path("<int:plan_pk>/export.docx", views.plan_export, {"fmt": "docx"}, name="plan-export-docx"),
    path("<int:plan_pk>/entries/new/", views.entry_create, name="entry-create"),
    path("<int:plan_pk>/copy-last-year/", views.plan_copy_last_year, name="copy-last-year"),
    path("<int:plan_pk>/quotas/new/", views.quota_create, name="quota-create"),
    path("entries/<int:entry_pk>/", views.entry_detail, name="entry-detail"),
    path("entries/<int:entry_pk>/edit/", views.entry_edit, name="entry-edit"),
    path("entries/<int:entry_pk>/delete/", views.entry_delete, name="entry-delete"),
    path("entries/<int:entry_pk>/transition/", views.entry_transition, name="entry-transition"),
    path("quotas/<int:quota_pk>/edit/", views.quota_edit, name="quota-edit"),
]
