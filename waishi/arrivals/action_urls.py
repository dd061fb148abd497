"""action_urls"""

urlpatterns: list = []
