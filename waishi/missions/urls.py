"""The URLs of trips abroad, room by room, in the order they are matched."""

from waishi.missions.application import urls as application_urls
from waishi.missions.changes import urls as change_urls
from waishi.missions.report import urls as report_urls
from waishi.missions.trip import urls as trip_urls

app_name = "missions"

urlpatterns = [
    *application_urls.urlpatterns,
    *trip_urls.urlpatterns,
    *change_urls.urlpatterns,
    *report_urls.urlpatterns,
    *application_urls.step_urlpatterns,
]
