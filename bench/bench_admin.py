"""A bench-only admin site with stock ``ModelAdmin`` classes for the models behind the
main pages: the list a Django team would ship with a few columns and filters, and
Django's defaults for everything else (100 rows a page, the full COUNT, the FKs of
``list_display`` joined). The project has no superuser and its users hold no model
permissions: this site lets any signed-in account read (nothing else), which is all
the comparison needs."""

from __future__ import annotations

from django.contrib import admin

from waishi.arrivals.models import Arrival
from waishi.audit.models import AuditEvent
from waishi.followups.models import Outcome
from waishi.missions.models import Mission
from waishi.passports.models import Passport
from waishi.plans.models import PlanEntry


class BenchSite(admin.AdminSite):
    site_header = "bench"

    def has_permission(self, request):
        return request.user.is_active and request.user.is_authenticated


class ReadOnly(admin.ModelAdmin):
    def has_module_permission(self, request):
        return True

    def has_view_permission(self, request, obj=None):
        return True

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


site = BenchSite(name="bench_admin")


@admin.register(Mission, site=site)
class MissionAdmin(ReadOnly):
    list_display = ("id", "title", "unit", "state", "departure_date", "return_date", "created_at")
    list_filter = ("state", "category")
    search_fields = ("title",)


@admin.register(PlanEntry, site=site)
class PlanEntryAdmin(ReadOnly):
    list_display = ("title", "unit", "category", "state", "expected_month", "size")
    list_filter = ("state", "category")


@admin.register(Passport, site=site)
class PassportAdmin(ReadOnly):
    list_display = ("holder", "kind", "state", "issued_on", "expires_on")
    list_filter = ("state", "kind")


@admin.register(Outcome, site=site)
class OutcomeAdmin(ReadOnly):
    list_display = ("title", "responsible_unit", "responsible_person", "due_date", "state")
    list_filter = ("state", "kind")


@admin.register(Arrival, site=site)
class ArrivalAdmin(ReadOnly):
    list_display = ("name", "nationality", "arrival_date", "district", "state")
    list_filter = ("state",)


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(ReadOnly):
    list_display = ("seq", "at", "actor_name", "action", "object_type", "object_id")
