from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "obcms.policies"
    verbose_name = "Policy recommendations"
