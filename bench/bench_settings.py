"""Settings of the page benchmark only (``bench/pages_bench.py``): the product's, plus
Django's admin on a bench-only site (``bench/bench_urls.py``), the stock screen the
pages are compared with. The admin is never part of the product's settings or URLs."""

from waishi.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.admin"]  # noqa: F405
ROOT_URLCONF = "bench.bench_urls"
