"""The people and units a request names by id, found the one way every endpoint uses: a
person among those the caller may see (``orgs.scoping``), a unit among the active ones;
an id that finds nothing is a 400 on the field that named it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from waishi.orgs import scoping
from waishi.orgs.models import Person, Unit


def person(user, pk, field: str) -> Person | None:
    """The person ``pk`` if ``user`` may see it; None for no id."""
    if pk is None:
        return None
    found = scoping.visible(user, Person).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: _("No person with this id is visible to you.")})
    return found


def unit(pk, field: str) -> Unit | None:
    """The active unit ``pk``; None for no id."""
    if pk is None:
        return None
    found = Unit.objects.filter(pk=pk, is_active=True).first()
    if found is None:
        raise ValidationError({field: _("No active unit has this id.")})
    return found


def units(pks, field: str) -> list[Unit]:
    """The active units of ``pks``, every one of them."""
    wanted = set(pks)
    found = list(Unit.objects.filter(pk__in=wanted, is_active=True).order_by("pk"))
    if len(found) != len(wanted):
        raise ValidationError({field: _("No active unit has one of these ids.")})
    return found
