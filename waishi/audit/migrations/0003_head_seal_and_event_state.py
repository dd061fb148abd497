"""The head's seal (HMAC-SM3 under the audit key over its row number and hash) and the
events' recorded state of watched fields. The existing head is sealed here when it
names the chain's last row: a head that does not is left unsealed, so that ``waishi audit
verify`` reports it rather than this migration vouching for it."""

from django.db import migrations, models


def seal_head(apps, schema_editor):
    from waishi.audit.chain import head_seal

    AuditHead = apps.get_model("audit", "AuditHead")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:
        return
    last = AuditEvent.objects.filter(seq=head.seq).values_list("hash", flat=True).first()
    if head.seq == 0 or last == head.hash:
        head.seal = head_seal(head.seq, head.hash)
        head.save(update_fields=["seal"])


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_head_and_trigger")]

    operations = [
        migrations.AddField(
            model_name="audithead",
            name="seal",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="state",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(seal_head, migrations.RunPython.noop),
    ]
