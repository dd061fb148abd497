from django.urls import path

from waishi.policy import allowance_views, views

app_name = "policy"

urlpatterns = [
    path("", views.index, name="index"),
    path("change/", views.change, name="change"),
    path("try/", views.try_check, name="try"),
    path("live/", views.live_check, name="live"),
    path("hot/", views.hot_destinations, name="hot"),
    path("allowances/", allowance_views.allowance_list, name="allowances"),
    path("allowances/export.xlsx", allowance_views.allowance_export, name="allowance-export"),
    path("allowances/import/", allowance_views.allowance_import, name="allowance-import"),
    path("<int:policy_pk>/", views.detail, name="detail"),
]
