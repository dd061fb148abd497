"""campaign_urls"""

urlpatterns: list = []
