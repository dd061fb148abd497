"""``waishi rotate-field-keys``: re-encrypt sensitive fields with the current key.

Rotation: put the new key first in ``WAISHI_FIELD_KEYS`` ("k2:new,k1:old"), run this
command, then drop the old key. Rows already under the current key are skipped, so an
interrupted run can simply be started again. Blind indexes do not change (they use
``WAISHI_BLIND_INDEX_KEY``)."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from waishi.audit.services import record
from waishi.lib import crypto

# (model label, ciphertext field, associated data). Apps with encrypted columns add theirs.
COLUMNS = [
    ("orgs.Person", "id_number_enc", "orgs.person.id_number"),
]
BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt every encrypted field with the first key of WAISHI_FIELD_KEYS."

    def handle(self, *args, **options):
        current = crypto.current_key_id()
        total = 0
        for label, field, aad in COLUMNS:
            model = apps.get_model(label)
            stale = model.objects.exclude(**{field: ""}).exclude(
                **{f"{field}__startswith": f"{crypto.PREFIX}:{current}:"}
            )
            todo = stale.count()
            done = 0
            while True:
                with transaction.atomic():
                    rows = list(stale.select_for_update().order_by("pk")[:BATCH])
                    if not rows:
                        break
                    for row in rows:
                        value = crypto.decrypt(getattr(row, field), associated=aad)
                        setattr(row, field, crypto.encrypt(value, associated=aad))
                    model.objects.bulk_update(rows, [field])
                done += len(rows)
                self.stderr.write(f"{label}.{field}: {done}/{todo}")
            total += done
        record(
            action="crypto.keys_rotated",
            actor_name="waishi rotate-field-keys",
            data={"key": current, "rows": total},
        )
        self.stdout.write(f"re-encrypted {total} value(s) with key {current}")
