from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "obcms.reports"
    verbose_name = "Reports, exports and imports"
