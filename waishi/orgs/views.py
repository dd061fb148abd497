"""Pages for units, districts and people. Thin: parse, call a service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from waishi.audit.selectors import history
from waishi.lib import roles
from waishi.lib.decorators import step_up_challenge
from waishi.lib.forms import apply_errors
from waishi.lib.pages import client_ip, paginate
from waishi.orgs import forms, scoping, selectors, services
from waishi.orgs.models import District, Person, Unit


def _business_user(request) -> None:
    if not roles.has(request.user, roles.BUSINESS_ROLES):
        raise PermissionDenied


def _units_for_people_form(user):
    """The units a user may file people into: all for the FAO, their own for a clerk."""
    units = Unit.objects.filter(is_active=True)
    if not scoping.is_reader_of_everything(user):
        units = units.filter(pk=user.unit_id)
    return units


# --- districts ------------------------------------------------------------------------------


@login_required
def district_list(request):
    districts = scoping.visible(request.user, District)
    return render(request, "orgs/district_list.html", {"districts": districts})


# --- units ----------------------------------------------------------------------------------


@login_required
def unit_list(request):
    search = forms.UnitSearchForm(request.GET or None)
    q = kind = ""
    if search.is_valid():
        q, kind = search.cleaned_data["q"], search.cleaned_data["kind"]
    units = selectors.unit_search(request.user, q=q, kind=kind)
    return render(
        request,
        "orgs/unit_list.html",
        {
            "search": search,
            "can_add": request.user.has_perm("orgs.add_unit"),
            **paginate(request, units),
        },
    )


@login_required
def unit_detail(request, unit_pk: int):
    unit = scoping.get_for_user(
        request.user, Unit.objects.select_related("parent", "district"), unit_pk
    )
    people = scoping.visible(request.user, Person).filter(unit=unit, is_active=True)
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "children": unit.children.order_by("code"),
            "can_edit": request.user.has_perm("orgs.change_unit", unit),
            "can_see_people": roles.has(request.user, roles.BUSINESS_ROLES),
            "history": history(unit),
            **paginate(request, people.order_by("name_pinyin")),
        },
    )


@login_required
def unit_form(request, unit_pk: int | None = None):
    unit = scoping.get_for_user(request.user, Unit, unit_pk) if unit_pk else None
    perm = "orgs.change_unit" if unit else "orgs.add_unit"
    if not request.user.has_perm(perm, unit):
        raise PermissionDenied
    form = forms.UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in form.Meta.fields}
        try:
            if unit:
                unit = services.unit_update(
                    actor=request.user,
                    unit=Unit.objects.get(pk=unit.pk),
                    ip=client_ip(request),
                    **values,
                )
            else:
                unit = services.unit_create(actor=request.user, ip=client_ip(request), **values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The unit has been saved."))
            return redirect("orgs:unit-detail", unit_pk=unit.pk)
    return render(request, "orgs/unit_form.html", {"form": form, "unit": unit})


# --- people ---------------------------------------------------------------------------------


@login_required
def person_list(request):
    _business_user(request)
    search = forms.PersonSearchForm(
        request.GET or None,
        units=scoping.visible(request.user, Unit)
        if scoping.is_reader_of_everything(request.user)
        else Unit.objects.filter(pk=request.user.unit_id),
    )
    q, unit_id = "", None
    if search.is_valid():
        q = search.cleaned_data["q"]
        unit_id = search.cleaned_data["unit"].pk if search.cleaned_data["unit"] else None
    people = selectors.person_search(request.user, q=q, unit_id=unit_id)
    context = {
        "search": search,
        "can_add": request.user.has_perm("orgs.add_person"),
        "can_import": request.user.has_perm("orgs.import_people"),
        **paginate(request, people),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "orgs/_person_rows.html", context)
    return render(request, "orgs/person_list.html", context)


@require_POST
@login_required
def person_find(request):
    """Exact search by resident ID number (POST: the number never enters a URL)."""
    _business_user(request)
    form = forms.IdNumberSearchForm(request.POST)
    if form.is_valid():
        person = selectors.person_by_id_number(request.user, form.cleaned_data["id_number"])
        if person is not None:
            return redirect("orgs:person-detail", person_pk=person.pk)
        # The same answer whether nobody has the number or someone you may not see has it.
        form.add_error("id_number", _("Nobody you can see has this ID number."))
    search = forms.PersonSearchForm(units=Unit.objects.none())
    return render(
        request,
        "orgs/person_list.html",
        {
            "search": search,
            "id_search": form,
            "id_search_open": True,
            "can_add": request.user.has_perm("orgs.add_person"),
            "can_import": request.user.has_perm("orgs.import_people"),
            **paginate(request, Person.objects.none()),
        },
        status=200,
    )


@login_required
def person_detail(request, person_pk: int):
    _business_user(request)
    person = scoping.get_for_user(request.user, Person.objects.select_related("unit"), person_pk)
    return render(
        request,
        "orgs/person_detail.html",
        {
            "person": person,
            "can_edit": request.user.has_perm("orgs.change_person", person),
            "can_unmask": request.user.has_perm("orgs.unmask_person", person),
            "history": history(person),
        },
    )


@login_required
def person_form(request, person_pk: int | None = None):
    _business_user(request)
    person = scoping.get_for_user(request.user, Person, person_pk) if person_pk else None
    perm = "orgs.change_person" if person else "orgs.add_person"
    if not request.user.has_perm(perm, person):
        raise PermissionDenied
    initial = {} if person else {"unit": request.user.unit_id}
    form = forms.PersonForm(
        request.POST or None,
        instance=person,
        initial=initial,
        units=_units_for_people_form(request.user),
    )
    if request.method == "POST" and form.is_valid():
        values = {k: form.cleaned_data[k] for k in form.Meta.fields}
        id_number = form.cleaned_data["id_number"]
        try:
            if person:
                person = services.person_update(
                    actor=request.user,
                    person=Person.objects.get(pk=person.pk),
                    id_number=id_number,
                    ip=client_ip(request),
                    **values,
                )
            else:
                person = services.person_create(
                    actor=request.user, id_number=id_number, ip=client_ip(request), **values
                )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The person has been saved."))
            return redirect("orgs:person-detail", person_pk=person.pk)
    return render(request, "orgs/person_form.html", {"form": form, "person": person})


@require_POST
@login_required
def person_unmask(request, person_pk: int):
    """The full ID number, once, in the response; audited (security.md Z2, S2)."""
    _business_user(request)
    person = scoping.get_for_user(request.user, Person, person_pk)
    if not request.user.has_perm("orgs.unmask_person", person):
        raise PermissionDenied
    challenge = step_up_challenge(request)
    if challenge is not None:
        return challenge
    number = services.person_reveal_id_number(
        actor=request.user, person=person, ip=client_ip(request)
    )
    response = render(request, "orgs/_id_number.html", {"person": person, "number": number})
    response["Cache-Control"] = "no-store"
    return response
