"""URLs of departure, return and incidents (included by ``missions/urls.py``)."""

from __future__ import annotations

urlpatterns: list = []
