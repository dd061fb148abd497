"""The city command's configuration (settings, plans, rules) and the foreign residents,
inside the ``arrivals`` namespace (``/arrivals/``)."""

from django.urls import path

from waishi.arrivals import config_views, resident_views

urlpatterns: list = [
    path("settings/", config_views.settings_view, name="settings"),
    path("plans/", config_views.plan_list, name="plan-list"),
    path("plans/new/", config_views.plan_create, name="plan-create"),
    path("plans/<int:mplan_pk>/", config_views.plan_detail, name="plan-detail"),
    path("plans/<int:mplan_pk>/edit/", config_views.plan_edit, name="plan-edit"),
    path("plans/<int:mplan_pk>/retire/", config_views.plan_retire, name="plan-retire"),
    path("rules/", config_views.rule_list, name="rule-list"),
    path("rules/new/", config_views.rule_create, name="rule-create"),
    path("rules/<int:plan_rule_pk>/edit/", config_views.rule_edit, name="rule-edit"),
    path("rules/<int:plan_rule_pk>/delete/", config_views.rule_delete, name="rule-delete"),
    path("residents/", resident_views.resident_list, name="resident-list"),
    path("residents/<int:resident_pk>/", resident_views.resident_detail, name="resident-detail"),
]
