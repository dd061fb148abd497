"""work_urls"""

urlpatterns: list = []
