"""A URLconf with one write endpoint that takes an Idempotency-Key (for the tests)."""

from __future__ import annotations

import threading

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from waishi.api.idempotency import idempotent
from waishi.notify.models import Notification

# Lets a test hold the first request inside its transaction while a retry arrives.
HOLD = threading.Event()
HOLD.set()


class NoteView(APIView):
    @idempotent
    def post(self, request):
        text = str(request.data.get("text", ""))
        if not text:
            return Response({"error": {"code": "invalid", "message": "text", "fields": {}}}, 400)
        note = Notification.objects.create(recipient=request.user, kind="test", title=text)
        HOLD.wait(10)
        return Response({"id": note.pk, "text": text}, status=201)


urlpatterns = [
    path("test-note/", NoteView.as_view()),
    path("", include("waishi.urls")),
]
