"""The audit log filtered to one object: its history alone."""

from __future__ import annotations

from waishi.audit.services import record


def test_one_objects_history(as_user):
    for pk in (7, 70, 700):
        record(
            action="missions.mission.update",
            actor_name="clerk",
            object_type="missions.mission",
            object_id=pk,
            object_repr=f"团组标记{pk}号",
        )
    client = as_user("auditor")
    body = client.get("/audit/?object_type=missions.mission&object_id=70").content.decode()
    assert "团组标记70号" in body
    assert "团组标记7号" not in body and "团组标记700号" not in body
    every = client.get("/audit/?object_type=missions.mission").content.decode()
    assert all(f"团组标记{pk}号" in every for pk in (7, 70, 700))


def test_the_log_names_actions_in_words_and_filters_by_one(as_user):
    """The filter offers each action by its sentence, never its code; choosing one
    shows that action's events alone; the table has no code column."""
    record(action="auth.login", actor_name="clerk")
    record(
        action="missions.mission.update",
        actor_name="clerk",
        object_type="missions.mission",
        object_id=5,
        object_repr="团组标记5号",
    )
    client = as_user("auditor")
    page = client.get("/audit/")
    choices = dict(page.context["form"].fields["action"].choices)
    assert choices["auth.login"] == "…登录系统"
    assert "auth.login" not in page.content.decode().split("<tbody>")[1]
    only = client.get("/audit/", {"action": "missions.mission.update"}).content.decode()
    assert "团组标记5号" in only and "登录系统" not in only.split("<tbody>")[1]
