"""The first policy version: the shipped defaults of ``data/default_policy.json``, read
through the same loader as the database-free command line."""

from __future__ import annotations

from datetime import date

from django.db import migrations


def seed(apps, schema_editor):
    from waishi.policy.params import default_data, policy_from_data

    PolicySet = apps.get_model("policy", "PolicySet")
    data = default_data()
    policy = policy_from_data(data)  # validates, so a bad file stops the migration
    if PolicySet.objects.filter(name=policy.name).exists():
        return
    PolicySet.objects.create(
        name=policy.name,
        jurisdiction=data.get("jurisdiction", "default"),
        version=policy.version,
        effective_from=date.fromisoformat(data["effective_from"]),
        effective_to=None,
        parameters=data["parameters"],
        citations=data.get("citations", {}),
        reason="",
        created_by=None,
    )


def unseed(apps, schema_editor):
    from waishi.policy.params import default_data

    data = default_data()
    PolicySet = apps.get_model("policy", "PolicySet")
    PolicySet.objects.filter(
        name=data["name"], version=data["version"], created_by__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
