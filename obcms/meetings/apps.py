from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "obcms.meetings"
    verbose_name = "Meetings"
