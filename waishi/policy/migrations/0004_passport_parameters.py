"""The passport parameters (``PASSPORT_OFFICIAL``, ``PASSPORT_RETURN``) added with their
shipped defaults and citations to every existing policy version, so that every version
stays complete (``params.validate_parameters``). A version that already has them keeps
its values."""

from __future__ import annotations

from django.db import migrations

DEFAULTS = {
    "PASSPORT_OFFICIAL": {"months_valid_after_return": 6},
    "PASSPORT_RETURN": {"days": 7, "lock_after_days": 30},
}
CITATIONS = {
    "PASSPORT_OFFICIAL": "外交部因公护照管理规定；出国团组须知（护照有效期须在回国之日起6个月以上）",
    "PASSPORT_RETURN": (
        "外交部（回国后7日内交回护照）；北京市做法（逾期超过30日暂停受理本单位新的出国申请）"
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
    dependencies = [("policy", "0003_policyset_budget_rows")]

    operations = [migrations.RunPython(add, remove)]
