"""URLs of change requests and itinerary versions (included by ``missions/urls.py``)."""

from __future__ import annotations

urlpatterns: list = []
