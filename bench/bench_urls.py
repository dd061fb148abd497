"""The product's URLs plus the bench-only admin site at ``/bench-admin/``."""

from django.urls import path

from bench.bench_admin import site
from waishi.urls import *  # noqa: F403
from waishi.urls import urlpatterns as product

urlpatterns = [path("bench-admin/", site.urls), *product]
