"""public_urls"""

app_name = "declare"

urlpatterns: list = []
