"""The arrivals pages for signed-in users (``/arrivals/``); the public declaration form
has its own URLs (``/declare/``, ``waishi.arrivals.public_urls``)."""

from waishi.arrivals import action_urls, campaign_urls, config_urls, import_urls, work_urls

app_name = "arrivals"

urlpatterns = [
    *work_urls.urlpatterns,
    *action_urls.urlpatterns,
    *import_urls.urlpatterns,
    *config_urls.urlpatterns,
    *campaign_urls.urlpatterns,
]
