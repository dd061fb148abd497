"""The arrivals' working pages: the board, the queues, an arrival, its health record and
the export (part of the "arrivals" namespace, mounted at /arrivals/)."""

from django.urls import path

from waishi.arrivals import work_views

urlpatterns = [
    path("", work_views.board, name="board"),
    path("queue/", work_views.work_queue, name="queue"),
    path("export.xlsx", work_views.arrival_export, name="export"),
    path("<int:arrival_pk>/", work_views.arrival_detail, name="arrival-detail"),
    path("<int:arrival_pk>/health/", work_views.arrival_health, name="arrival-health"),
]
