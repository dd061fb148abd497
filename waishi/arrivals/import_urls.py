"""import_urls"""

urlpatterns: list = []
