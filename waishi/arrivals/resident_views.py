"""Foreign residents (在滨外籍人员): who is registered, when each last declared, who is
overdue (issue 6, deliverable 5).

The FAO (reviewer, head) follows who is overdue across the city, as do the city command
and the auditor; a district officer sees the residents of their own district (the
scoping registration in ``arrivals/apps.py``). The registration is shown with the
passport number masked, and the dates of the declarations; what a declaration says
about health is shown only to the arrivals roles (security.md P2), and each such view
is audited."""

from __future__ import annotations

from django.db.models import BooleanField, Case, Q, Value, When
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from waishi.arrivals.config_forms import ResidentSearchForm
from waishi.arrivals.models import (
    PASSPORT_RE,
    HealthDeclaration,
    Resident,
    normalise_passport,
    passport_index,
)
from waishi.audit.selectors import history
from waishi.audit.services import record
from waishi.lib.decorators import role_required
from waishi.lib.pages import client_ip, paginate
from waishi.lib.roles import ARRIVALS_ROLES, RESIDENTS_READERS, has
from waishi.orgs import scoping
from waishi.orgs.models import District
from waishi.policy.reference import COUNTRIES

READERS = RESIDENTS_READERS
DATES_SHOWN = 100


def nationality_name(code: str) -> str:
    found = COUNTRIES.get(code or "")
    if found is None:
        return code or "—"
    return found.name_en if (get_language() or "").startswith("en") else found.name_zh


def resident_rows(user, *, q: str = "", show: str = "", district: District | None = None):
    """The residents ``user`` sees, overdue ones first (flagged ``overdue``), then by the
    date their next declaration is due."""
    today = timezone.localdate()
    rows = (
        scoping.visible(user, Resident)
        .select_related("district")
        .annotate(
            overdue=Case(
                When(active=True, next_due__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    if show == "overdue":
        rows = rows.filter(active=True, next_due__lt=today)
    elif show != "all":
        rows = rows.filter(active=True)
    if district is not None:
        rows = rows.filter(district=district)
    q = (q or "").strip()
    if q:
        condition = Q(name__icontains=q) | Q(employer__icontains=q)
        number = normalise_passport(q)
        if PASSPORT_RE.match(number):
            # Exact match on the blind index: the number itself is stored encrypted.
            condition |= Q(passport_index=passport_index(number))
        rows = rows.filter(condition)
    return rows.order_by("-overdue", "next_due", "name", "pk")


@role_required(READERS)
def resident_list(request):
    user = request.user
    districts = District.objects.all() if scoping.sees_all(user, Resident) else None
    search = ResidentSearchForm(request.GET or None, districts=districts)
    q, show, district = "", "", None
    if search.is_valid():
        q = search.cleaned_data["q"]
        show = search.cleaned_data["show"]
        district = search.cleaned_data.get("district")
    rows = resident_rows(user, q=q, show=show, district=district)
    page = paginate(request, rows)
    page["page_obj"].object_list = list(page["page_obj"].object_list)
    for resident in page["page_obj"].object_list:
        resident.nationality_name = nationality_name(resident.nationality)
    context = {
        "search": search,
        "today": timezone.localdate(),
        "overdue_count": resident_rows(user, show="overdue").count(),
        **page,
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "arrivals/_resident_rows.html", context)
    return render(request, "arrivals/resident_list.html", context)


def _symptoms(declaration: HealthDeclaration) -> str:
    labels = dict(HealthDeclaration.Symptom.choices)
    return "、".join(str(labels.get(s, s)) for s in declaration.symptoms or [])


@role_required(READERS)
def resident_detail(request, resident_pk: int):
    user = request.user
    resident = scoping.get_for_user(user, Resident.objects.select_related("district"), resident_pk)
    # When each declaration was made, for every reader of the resident: the dates say
    # nothing about health. The rows themselves are read through the scoping below.
    dates = list(
        HealthDeclaration.objects.filter(resident=resident)
        .order_by("-declared_at")
        .values_list("declared_at", flat=True)[:DATES_SHOWN]
    )
    declarations = None
    if has(user, ARRIVALS_ROLES):
        declarations = [
            {"declaration": d, "symptoms": _symptoms(d)}
            for d in scoping.visible(user, HealthDeclaration)
            .filter(resident=resident)
            .order_by("-declared_at", "-pk")[:DATES_SHOWN]
        ]
        # Every view of a person's health record is audited (issue 6, deliverable 7).
        record(
            action="arrivals.resident.health_view",
            actor=user,
            obj=resident,
            data={"declarations": len(declarations)},
            ip=client_ip(request),
        )
    today = timezone.localdate()
    return render(
        request,
        "arrivals/resident_detail.html",
        {
            "resident": resident,
            "nationality": nationality_name(resident.nationality),
            "today": today,
            "overdue": resident.active and resident.next_due < today,
            "days_overdue": (today - resident.next_due).days,
            "dates": dates,
            "declarations": declarations,
            "history": history(resident),
        },
    )
