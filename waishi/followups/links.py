"""Where a person reads a supervised task: its page (``followups:task-detail``, made by the
task pages). Until the task pages are installed, no link (a notice without a link is
better than none)."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse


def task_url(task) -> str:
    pk = getattr(task, "pk", task)
    try:
        return reverse("followups:task-detail", kwargs={"outcome_pk": pk})
    except NoReverseMatch:
        return ""
