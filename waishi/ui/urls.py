from django.urls import path

from waishi.ui import search_views, views

app_name = "ui"

urlpatterns = [
    path("", views.home, name="home"),
    path("work/", views.work_items, name="work-items"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("search/", search_views.search, name="search"),
]
