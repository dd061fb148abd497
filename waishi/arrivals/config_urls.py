"""config_urls"""

urlpatterns: list = []
