"""The one place that turns (user, model) into what that user may see.

Every list, detail page, export, API endpoint and download starts here. A model is
scoped by registering the paths from it to its unit and, where it has one, its
district; a model nobody registered is visible to nobody (fail closed).

The rules, by role (``waishi.lib.roles``):
- unit clerk, unit leader: records of their own unit;
- FAO reviewer, FAO head, committee, auditor: every unit's records;
- district officer: records of their own district, for models that have one;
- system, security and audit administrators: no business record at all (三权分立);
  models registered as ``reference`` data (units, districts) are visible to everyone
  signed in, because their names are needed to fill in forms;
- a model registered with an ``owner`` path also shows each account its own rows;
- a model registered with ``also_units`` paths (a supervised task's supporting units) also
  shows the unit roles of those units the rows naming their unit there (to see, not to
  act: ``orgs.permissions`` answers for the ``unit`` path alone);
- a model registered with ``unit_only`` (a trip never submitted, say: a draft is the
  unit's until submitted) keeps the rows matching it to the unit's own roles and the
  roles named in ``unit_only_readers`` (the auditor, who reads every record): the FAO,
  the committee and the districts do not see them in any list, record, export or count.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from waishi.lib.roles import CITY_ROLES, DISTRICT_ROLES, UNIT_ROLES, Role


@dataclass(frozen=True)
class Scope:
    unit: str | None = None  # path to the unit's id, e.g. "unit_id" or "mission__unit_id"
    # Path to the district's id, for district officers; several paths (a hand-over is
    # seen by both districts) mean any of them.
    district: str | tuple[str, ...] | None = None
    reference: bool = False  # organisation reference data, visible to all signed-in users
    # The URL keyword that carries this model's primary key (e.g. "person_pk"); the
    # access-matrix test maps every URL argument to a model through it.
    url_kwarg: str | None = None
    # Roles beyond the defaults that see every row (e.g. account managers for users).
    see_all: frozenset[str] = frozenset()
    # Replace the defaults entirely: only these roles see every row, district officers
    # their district's rows where ``district`` is given, others nothing.
    only: frozenset[str] | None = None
    # Path to the id of the account that owns a row (e.g. "user_id" for API tokens): the
    # owner sees their own rows whatever the other rules say.
    owner: str | None = None
    # Rows that are their unit's alone (e.g. Q(state="draft") for a trip never submitted):
    # only the unit's roles, the owner and ``unit_only_readers`` see them.
    unit_only: Q | None = None
    unit_only_readers: frozenset[str] = frozenset()
    # Further paths to unit ids (a many-to-many such as "supporting_units"): the unit
    # roles of those units see the row too. Matched in a subquery, so that a row with
    # several such units is listed once.
    also_units: str | tuple[str, ...] | None = None


_REGISTRY: dict[type[Model], Scope] = {}


def register(model: type[Model], scope: Scope) -> None:
    _REGISTRY[model] = scope


def registry() -> dict[type[Model], Scope]:
    return dict(_REGISTRY)


def scope_of(model: type[Model]) -> Scope:
    try:
        return _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model._meta.label} is not registered in orgs.scoping") from None


def _condition(user, scope: Scope, model: type[Model] | None = None) -> Q | None:
    """A filter for the rows ``user`` may see; None means all rows; Q(pk__in=[]) none."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    condition = _by_role(user, scope)
    if condition is not None and scope.also_units and model is not None:
        condition = _also_units(user, scope, model, condition)
    if scope.unit_only is not None and user.role not in UNIT_ROLES | scope.unit_only_readers:
        # What the unit keeps to itself: hidden from the other roles, whatever they see.
        hidden = ~scope.unit_only
        condition = hidden if condition is None else condition & hidden
    if scope.owner and condition is not None:
        condition |= Q(**{scope.owner: user.pk})
    return condition


def _by_role(user, scope: Scope) -> Q | None:
    nothing = Q(pk__in=[])
    role = user.role
    if scope.only is not None:
        if role in scope.only:
            return None
        return _own_district(user, scope) or nothing
    if role in scope.see_all or scope.reference:
        return None
    if role in CITY_ROLES:
        return None
    if role in UNIT_ROLES and scope.unit and user.unit_id:
        return Q(**{scope.unit: user.unit_id})
    return _own_district(user, scope) or nothing


def _also_units(user, scope: Scope, model: type[Model], condition: Q) -> Q:
    """``condition`` widened to the rows naming the unit role's unit on an ``also_units``
    path."""
    if user.role not in UNIT_ROLES or not user.unit_id:
        return condition
    paths = (scope.also_units,) if isinstance(scope.also_units, str) else scope.also_units
    manager = model._default_manager
    if not scope.unit:
        matching = Q()
        for path in paths:
            matching |= Q(**{path: user.unit_id})
        return condition | Q(pk__in=manager.filter(matching).values("pk"))
    # The ids of the unit's own rows and of those naming it on each path, in one subquery:
    # a UNION each side of which reads its index ("unit = X OR pk IN (...)" reads every
    # row of the table).
    ids = manager.filter(**{scope.unit: user.unit_id}).order_by().values("pk")
    others = [manager.filter(**{path: user.unit_id}).order_by().values("pk") for path in paths]
    return Q(pk__in=ids.union(*others))


def _own_district(user, scope: Scope) -> Q | None:
    if user.role not in DISTRICT_ROLES or not scope.district or not user.district_id:
        return None
    paths = (scope.district,) if isinstance(scope.district, str) else scope.district
    condition = Q()
    for path in paths:
        condition |= Q(**{path: user.district_id})
    return condition


def visible(user, model_or_queryset: type[Model] | QuerySet) -> QuerySet:
    """The rows of a model (or of a queryset of it) that ``user`` may see."""
    if isinstance(model_or_queryset, QuerySet):
        queryset, model = model_or_queryset, model_or_queryset.model
    else:
        model = model_or_queryset
        queryset = model._default_manager.all()
    condition = _condition(user, scope_of(model), model)
    return queryset if condition is None else queryset.filter(condition)


def get_for_user(user, model_or_queryset: type[Model] | QuerySet, pk) -> Model:
    """(user, id) -> the object, or 404 whether it does not exist or is not theirs."""
    queryset = visible(user, model_or_queryset)
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def sees_all(user, model: type[Model]) -> bool:
    """True when ``user`` sees every row of ``model`` (no filter applies)."""
    return _condition(user, scope_of(model), model) is None


def is_business_record(model: type[Model]) -> bool:
    """Records that belong to a unit or a district (people, later missions ...), as
    opposed to reference data and accounts. 三权分立 keeps these from the administrators."""
    scope = scope_of(model)
    return bool(scope.unit or scope.district) and not scope.reference


def named_in_history(model: type[Model]) -> bool:
    """Whether the audit history names records of ``model`` to anybody who reads it:
    reference data and accounts (registered with ``waishi.audit.scope``)."""
    try:
        return scope_of(model).reference or model._meta.label_lower == "orgs.user"
    except LookupError:
        return False


def restricted_in_history(user, model: type[Model]) -> QuerySet | None:
    """None when ``user`` may read every record of ``model`` named in the audit history
    (not a business record, or one they see all of); else the records they may see.
    LookupError for a model nobody registered (registered with ``waishi.audit.scope``)."""
    if not is_business_record(model) or sees_all(user, model):
        return None
    return visible(user, model)


def can_see(user, obj: Model) -> bool:
    return visible(user, type(obj)).filter(pk=obj.pk).exists()


def is_reader_of_everything(user) -> bool:
    return getattr(user, "role", None) in CITY_ROLES


__all__ = [
    "Role",
    "Scope",
    "can_see",
    "get_for_user",
    "is_business_record",
    "register",
    "sees_all",
    "visible",
]
