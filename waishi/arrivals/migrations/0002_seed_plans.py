"""The plans the module starts with ("7+3" and "none"), one rule (everyone gets "7+3")
and the settings (48 hours' declaration lead time, 180 days' retention, weekly resident
declarations). The city command changes all of them in the app: they are data."""

from django.db import migrations

from waishi.arrivals.plans import NONE_PLAN, SEVEN_PLUS_THREE


def seed(apps, schema_editor):
    Plan = apps.get_model("arrivals", "ManagementPlan")
    Rule = apps.get_model("arrivals", "PlanRule")
    Settings = apps.get_model("arrivals", "ArrivalSettings")
    if not Plan.objects.filter(code="7+3").exists():
        Plan.objects.create(
            code="7+3",
            name="7+3（7天集中隔离+3天居家健康监测）",
            description="集中隔离第1、2、3、5、7天核酸检测；居家健康监测第3天核酸检测。",
            steps=SEVEN_PLUS_THREE,
            reason="初始方案",
        )
    if not Plan.objects.filter(code="none").exists():
        Plan.objects.create(
            code="none",
            name="无需隔离（登机前48小时内核酸检测）",
            description="核验登机前48小时内核酸检测阴性证明，落地查人后解除。",
            steps=NONE_PLAN,
            reason="初始方案",
        )
    if not Rule.objects.exists():
        Rule.objects.create(sequence=100, name="所有入境人员", plan_code="7+3")
    if not Settings.objects.exists():
        Settings.objects.create(reason="初始设置")


class Migration(migrations.Migration):
    dependencies = [("arrivals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
