"""A URLconf for the error-page test: the project's URLs plus a view that fails."""

from __future__ import annotations

from django.urls import include, path

from waishi.urls import handler400, handler403, handler404, handler500  # noqa: F401


class Boom(RuntimeError):
    pass


def boom(request):
    raise Boom("secret detail 370101198001011234 must not reach the page")


urlpatterns = [
    path("boom/", boom),
    path("", include("waishi.urls")),
]
