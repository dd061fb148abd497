"""Readable sentences for the audit actions of the arrivals' configuration (settings,
plans, plan rules), the retention purge, views of residents' health records and the demo
loader. Imported from ``ArrivalsConfig.ready``."""

from django.utils.translation import gettext_lazy as _

from waishi.audit.messages import register

register(
    {
        "arrivals.settings.change": _("{actor} changed the arrivals settings"),
        "arrivals.plan.create": _("{actor} created the management plan {object}"),
        "arrivals.plan.version": _("{actor} saved a new version of the management plan {object}"),
        "arrivals.plan.retire": _("{actor} retired the management plan {object}"),
        "arrivals.plan.restore": _("{actor} put the management plan {object} back in force"),
        "arrivals.rule.create": _("{actor} added the plan rule {object}"),
        "arrivals.rule.update": _("{actor} changed the plan rule {object}"),
        "arrivals.rule.delete": _("{actor} deleted the plan rule {object}"),
        "arrivals.health.purge": _(
            "Health details past the retention period purged: {declarations} declarations "
            "and {tests} test results (the counts are kept)"
        ),
        "arrivals.resident.health_view": _(
            "{actor} viewed the health declarations of the resident {object}"
        ),
        "arrivals.demo.seeded": _(
            "Demo arrivals loaded: {arrivals} arrivals, {residents} residents, "
            "{campaigns} campaigns"
        ),
    }
)
