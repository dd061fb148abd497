from django.urls import path

from waishi.followups import task_views, views

app_name = "followups"

urlpatterns = [
    path("", views.outcome_list, name="list"),
    path("export.xlsx", views.outcome_export, name="export"),
    path("new/", views.outcome_create, name="create"),
    path("unit/", views.unit_obligations, name="unit"),
    path("<int:outcome_pk>/", views.outcome_detail, name="detail"),
    path("<int:outcome_pk>/edit/", views.outcome_edit, name="edit"),
    path("<int:outcome_pk>/progress/", views.outcome_progress, name="progress"),
    path("<int:outcome_pk>/complete/", views.outcome_complete, name="complete"),
    path("<int:outcome_pk>/drop/", views.outcome_drop, name="drop"),
    path("<int:outcome_pk>/reassign/", views.outcome_reassign, name="reassign"),
    path("updates/<int:update_pk>/evidence/", views.evidence_download, name="evidence"),
    # Supervised tasks (督办事项).
    path("tasks/", task_views.task_list, name="task-list"),
    path("tasks/export.xlsx", task_views.task_export, name="task-export"),
    path("tasks/new/", task_views.task_create, name="task-create"),
    path("tasks/board/", task_views.board, name="board"),
    path("tasks/unit/", task_views.unit_tasks, name="unit-tasks"),
    path("tasks/on-time/", task_views.on_time, name="on-time"),
    path("tasks/on-time/export.xlsx", task_views.on_time_export, name="on-time-export"),
    path("tasks/<int:outcome_pk>/", task_views.task_detail, name="task-detail"),
    path("tasks/<int:outcome_pk>/notice.docx", task_views.task_notice, name="task-notice"),
    path("tasks/<int:outcome_pk>/reminder.docx", task_views.task_reminder, name="task-reminder"),
    path(
        "tasks/<int:outcome_pk>/extension/decide/",
        task_views.extension_decide,
        name="task-extension-decide",
    ),
    *[
        path(f"tasks/<int:outcome_pk>/{name}/", view, name=f"task-{name}")
        for name, view in task_views.ACTION_VIEWS.items()
    ],
]
