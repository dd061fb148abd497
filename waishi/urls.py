from django.urls import include, path

from waishi.ui import views as ui_views

urlpatterns = [
    path("", include("waishi.ui.urls")),
    path("accounts/", include("waishi.accounts.urls")),
    path("orgs/", include("waishi.orgs.urls")),
    path("audit/", include("waishi.audit.urls")),
    path("notifications/", include("waishi.notify.urls")),
    path("api/", include("waishi.api.urls")),
    path("policy/", include("waishi.policy.urls")),
    path("approvals/", include("waishi.approvals.urls")),
    path("followups/", include("waishi.followups.urls")),
    path("plans/", include("waishi.plans.urls")),
    path("missions/", include("waishi.missions.urls")),
    path("passports/", include("waishi.passports.urls")),
    path("arrivals/", include("waishi.arrivals.urls")),
    path("committee/", include("waishi.committee.urls")),
    path("declare/", include("waishi.arrivals.public_urls")),
]

handler400 = ui_views.bad_request
handler403 = ui_views.permission_denied
handler404 = ui_views.page_not_found
handler500 = ui_views.server_error
