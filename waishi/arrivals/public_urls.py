"""The public declaration form (``/declare/``): no login. A campaign's link is
``/declare/<token>/``; the lookup by confirmation code is the same for every campaign
(a traveller may come back after the link has closed)."""

from django.urls import path

from waishi.arrivals import public_views as views

app_name = "declare"

urlpatterns = [
    path("check/", views.lookup, name="lookup"),
    path("check/declaration/", views.declaration, name="declaration"),
    path("check/declaration/edit/", views.correct, name="correct"),
    path("check/end/", views.lookup_end, name="lookup-end"),
    path("<str:token>/", views.campaign_form, name="form"),
    path("<str:token>/health/", views.resident_declare, name="resident-declare"),
]
