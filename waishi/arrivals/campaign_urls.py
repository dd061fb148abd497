"""The links to the public declaration form (part of the ``arrivals`` namespace)."""

from django.urls import path

from waishi.arrivals import campaign_views as views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_create, name="campaign-create"),
    path("campaigns/<int:campaign_pk>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<int:campaign_pk>/qr.png", views.campaign_qr, name="campaign-qr"),
]
