"""The supervised tasks' numbers (``SUPERVISION``: deadlines by source in working days, the
monthly report of a major task, the colour warnings, extensions) added with their shipped
defaults and citation to every existing policy version, so that every version stays
complete. A version that already has them keeps its values."""

from __future__ import annotations

from django.db import migrations

DEFAULTS = {
    "SUPERVISION": {
        "minutes_days": 20,
        "document_days": 30,
        "instruction_urgent_days": 5,
        "instruction_ordinary_days": 15,
        "instruction_difficult_days": 30,
        "outcome_days": 30,
        "accept_days": 3,
        "monthly_report_day": 5,
        "blue_days": 3,
        "extensions_max": 2,
    }
}
CITATIONS = {
    "SUPERVISION": (
        "《政府督查工作条例》（国务院令第733号）；各地市委督查督办工作规定：会议纪要决"
        "定事项20个工作日、文件要求30个工作日、领导批示紧急件1至5个、一般件15个、"
        "复杂需协调件30个工作日内办结，承办单位3个工作日内签收，重大事项每月5日前报送"
        "进展，到期前3个工作日蓝色提示，延期须在期限届满前申请、一般不超过2次"
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
    dependencies = [("policy", "0006_itinerary_gap_plan_year")]

    operations = [migrations.RunPython(add, remove)]
