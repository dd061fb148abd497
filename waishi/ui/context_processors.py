from __future__ import annotations

from django.conf import settings

from waishi.ui import navigation


def shell(request):
    user = getattr(request, "user", None)
    unread = 0
    if user is not None and user.is_authenticated:
        unread = user.notifications.filter(read_at__isnull=True).count()
    return {
        "nav_items": navigation.for_user(user),
        "demo_mode": settings.DEMO_BANNER,
        "unread_notifications": unread,
        "current_path": request.path,
    }
