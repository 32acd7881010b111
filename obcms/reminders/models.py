"""The days each person was reminded: the daily task may run more than once a day (a retry,
a second beat, an operator running it by hand), the email goes out once."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReminderDay(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_days"
    )
    day = models.DateField(help_text="The Philippine day the reminder email was sent for.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_reminder_per_user_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user} reminded on {self.day}"
