from django.urls import path

from waishi.missions import steps, views

app_name = "missions"

urlpatterns = [
    path("", views.mission_list, name="list"),
    path("export.xlsx", views.mission_export, name="export"),
    path("new/", views.mission_create, name="create"),
    path("<int:mission_pk>/", views.mission_detail, name="detail"),
    path("<int:mission_pk>/letter/", views.mission_letter, name="letter"),
    path("<int:mission_pk>/check/", views.mission_check, name="check"),
    path("<int:mission_pk>/submit/", views.mission_submit, name="submit"),
    path("<int:mission_pk>/withdraw/", views.mission_withdraw, name="withdraw"),
    *[
        path(
            f"<int:mission_pk>/{step.slug}/",
            views.mission_step,
            {"step": step.slug},
            name=step.slug,
        )
        for step in steps.STEPS
    ],
]
