"""URLs of the trip report (included by ``missions/urls.py``)."""

from __future__ import annotations

urlpatterns: list = []
