"""The days each person was reminded, read-only: deleting today's row lets the next run send
that person's reminder again."""

from django.contrib import admin

from obcms.reminders.models import ReminderDay


@admin.register(ReminderDay)
class ReminderDayAdmin(admin.ModelAdmin):
    list_display = ("user", "day", "sent_at")
    list_filter = ("day",)
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "day", "sent_at")

    def has_add_permission(self, request: object) -> bool:
        return False
