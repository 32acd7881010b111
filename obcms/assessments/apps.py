from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "obcms.assessments"
    verbose_name = "Needs assessments (MANA)"
