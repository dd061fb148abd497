from django.urls import path

from waishi.ui import search_views, views

app_name = "ui"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("search/", search_views.search, name="search"),
]
