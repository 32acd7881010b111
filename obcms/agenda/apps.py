from django.apps import AppConfig


class AgendaConfig(AppConfig):
    name = "obcms.agenda"
    verbose_name = "Calendar"
