from django.urls import path

from waishi.notify import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.mark_read, name="mark-read"),
    path("settings/", views.preferences, name="preferences"),
]
