from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "waishi.policy"
    label = "policy"
    verbose_name = _("Policy")

    def ready(self) -> None:
        from waishi.audit.messages import register as register_messages
        from waishi.lib.roles import POLICY_READERS
        from waishi.orgs.scoping import Scope, register
        from waishi.policy.models import PolicySet

        # Reference data for those who review, approve and audit trips; units see the
        # findings a version produces, not the policy pages.
        readers = POLICY_READERS
        register(PolicySet, Scope(only=readers, url_kwarg="policy_pk"))
        register_messages(
            {
                "policy.version.create": _(
                    "{actor} created policy version {version}, changing {rule}"
                    " from {effective_from}: {reason}"
                ),
                "policy.allowance.import": _(
                    "{actor} imported the allowance table ({rows} rows, file {filename})"
                    " as policy version {version} from {effective_from}: {reason}"
                ),
            }
        )
        _register_parameter_words()


def _register_parameter_words() -> None:
    """A version's change in its history by the rule's title and the parameter's label
    and value in words ("提前报批天数：45 天 → 60 天"), never "LEAD_TIME.days"."""
    from waishi.audit.messages import register_data, register_fields
    from waishi.policy import labels

    fields = {}
    for rule, parameters in labels.PARAMETERS.items():
        for key, param in parameters.items():

            def words(value, rule=rule, key=key):
                return labels.value_text(rule, key, value)

            fields[f"{rule}.{key}"] = (param.label, words)
    register_fields("policy.policyset", fields)
    register_data("policy.version.create", "rule", labels.RULE_TITLES)
