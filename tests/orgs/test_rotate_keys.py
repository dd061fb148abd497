from django.core.management import call_command
from django.db import connection

from tests.factories import PersonFactory, make_id_number
from waishi.orgs.models import Person

OLD = "k1:00112233445566778899aabbccddeeff"
NEW = "k2:ffeeddccbbaa99887766554433221100"


def _raw(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number_enc FROM orgs_person WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_rotation_reencrypts_with_the_new_key_and_keeps_the_number(settings, home_unit):
    settings.FIELD_KEYS = OLD
    number = make_id_number(7)
    person = PersonFactory(unit=home_unit, id_number=number)
    assert _raw(person.pk).startswith("sm4gcm:k1:")

    settings.FIELD_KEYS = f"{NEW},{OLD}"
    call_command("rotate-field-keys")
    assert _raw(person.pk).startswith("sm4gcm:k2:")
    assert Person.objects.get(pk=person.pk).reveal_id_number() == number
    # The blind index does not depend on the field key: exact search still finds them.
    assert Person.objects.with_id_number(number).get().pk == person.pk

    settings.FIELD_KEYS = NEW  # the old key can now be dropped
    assert Person.objects.get(pk=person.pk).reveal_id_number() == number
