"""Two rules added with their shipped defaults and citations to every existing policy
version, so that every version stays complete: ``ITINERARY_GAP`` (the first and last stops
meet the trip's dates) and ``PLAN_YEAR`` (the plan entry is of the trip's year). A version
that already has them keeps its values."""

from __future__ import annotations

from django.db import migrations

DEFAULTS = {
    "ITINERARY_GAP": {"applies_to": ["general", "econ_tech", "academic"], "travel_days": 1},
    "PLAN_YEAR": {"applies_to": ["general", "econ_tech", "academic"]},
}
CITATIONS = {
    "ITINERARY_GAP": "数据完整性（各站行程须衔接出访起止日期，出境、入境当天的路途除外）",
    "PLAN_YEAR": (
        "年度出国计划管理（按年度编制计划、总量控制：团组须列入出访当年的年度计划，"
        "占用当年的计划额度）"
    ),
}


def add(apps, schema_editor):
    PolicySet = apps.get_model("policy", "PolicySet")
    for row in PolicySet.objects.all():
        parameters = dict(row.parameters or {})
        citations = dict(row.citations or {}) if isinstance(row.citations, dict) else {}
        changed = False
        for code, values in DEFAULTS.items():
            if code not in parameters:
                parameters[code] = dict(values)
                changed = True
            if not citations.get(code):
                citations[code] = CITATIONS[code]
                changed = True
        if changed:
            PolicySet.objects.filter(pk=row.pk).update(parameters=parameters, citations=citations)


def remove(apps, schema_editor):
    PolicySet = apps.get_model("policy", "PolicySet")
    for row in PolicySet.objects.all():
        parameters = {k: v for k, v in (row.parameters or {}).items() if k not in DEFAULTS}
        citations = row.citations if isinstance(row.citations, dict) else {}
        citations = {k: v for k, v in citations.items() if k not in DEFAULTS}
        PolicySet.objects.filter(pk=row.pk).update(parameters=parameters, citations=citations)


class Migration(migrations.Migration):
    dependencies = [("policy", "0005_report_due")]

    operations = [migrations.RunPython(add, remove)]
