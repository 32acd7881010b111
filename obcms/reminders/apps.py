from django.apps import AppConfig


class RemindersConfig(AppConfig):
    name = "obcms.reminders"
    verbose_name = "Reminders"
