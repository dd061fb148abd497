"""The API's routes of supervised tasks (``task_views``), put into ``waishi.api.urls``
before its catch-all 404. Names start with ``task-``; a task is named by ``outcome_pk``
(a task is an outcome on the supervision track, registered so in scoping)."""

from django.urls import path

from waishi.api import task_views as v

TASK = "v1/tasks/<int:outcome_pk>/"

urlpatterns = [
    path("v1/tasks/", v.TaskCollectionView.as_view(), name="task-list"),
    path("v1/tasks/board/", v.TaskBoardView.as_view(), name="task-board"),
    path("v1/tasks/on-time/", v.TaskOnTimeView.as_view(), name="task-on-time"),
    path(TASK, v.TaskView.as_view(), name="task-detail"),
    path(f"{TASK}assign/", v.TaskAssignView.as_view(), name="task-assign"),
    path(f"{TASK}accept/", v.TaskAcceptView.as_view(), name="task-accept"),
    path(f"{TASK}ask-redirect/", v.TaskAskRedirectView.as_view(), name="task-ask-redirect"),
    path(f"{TASK}redirect/", v.TaskRedirectView.as_view(), name="task-redirect"),
    path(f"{TASK}keep/", v.TaskKeepView.as_view(), name="task-keep"),
    path(f"{TASK}progress/", v.TaskProgressView.as_view(), name="task-progress"),
    path(f"{TASK}support/", v.TaskSupportView.as_view(), name="task-support"),
    path(f"{TASK}urge/", v.TaskUrgeView.as_view(), name="task-urge"),
    path(f"{TASK}feedback/", v.TaskFeedbackView.as_view(), name="task-feedback"),
    path(f"{TASK}close/", v.TaskCloseView.as_view(), name="task-close"),
    path(f"{TASK}return/", v.TaskReturnView.as_view(), name="task-return"),
    path(f"{TASK}archive/", v.TaskArchiveView.as_view(), name="task-archive"),
    path(f"{TASK}drop/", v.TaskDropView.as_view(), name="task-drop"),
    path(f"{TASK}extension/", v.TaskExtensionAskView.as_view(), name="task-extension-ask"),
    path(
        f"{TASK}extension/decide/",
        v.TaskExtensionDecideView.as_view(),
        name="task-extension-decide",
    ),
]
