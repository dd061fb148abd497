from django.urls import path

from waishi.approvals import views

app_name = "approvals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("rules/", views.rule_list, name="rule-list"),
    path("rules/new/", views.rule_create, name="rule-create"),
    path("rules/<int:rule_pk>/", views.rule_detail, name="rule-detail"),
    path("rules/<int:rule_pk>/edit/", views.rule_edit, name="rule-edit"),
    path("rules/<int:rule_pk>/deactivate/", views.rule_deactivate, name="rule-deactivate"),
    path("delegations/", views.delegation_list, name="delegation-list"),
    path("delegations/new/", views.delegation_create, name="delegation-create"),
    path(
        "delegations/<int:delegation_pk>/revoke/",
        views.delegation_revoke,
        name="delegation-revoke",
    ),
]
