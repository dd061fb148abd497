from django.urls import path

from waishi.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.index, name="index"),
    path("change/", views.change, name="change"),
    path("<int:policy_pk>/", views.detail, name="detail"),
]
