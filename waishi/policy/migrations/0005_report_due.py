"""The trip report's deadline (``REPORT_DUE``) added with its shipped default and citation
to every existing policy version, so that every version stays complete. A version that
already has it keeps its values."""

from __future__ import annotations

from django.db import migrations

DEFAULTS = {"REPORT_DUE": {"amount": 1, "unit": "months", "escalate_after_days": 7}}
CITATIONS = {
    "REPORT_DUE": (
        "厦门外办2013（回国后1个月内报送出访报告并在本单位公示；各地另有15或20个工作日的做法）"
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
    dependencies = [("policy", "0004_passport_parameters")]

    operations = [migrations.RunPython(add, remove)]
