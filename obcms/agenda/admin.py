"""Administrators may see who has a calendar feed and revoke one (delete it); the token's hash
is read-only and the token itself is nowhere to be seen."""

from django.contrib import admin

from obcms.agenda.models import CalendarFeed


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("user", "created_at", "last_used_at")
    search_fields = ("user__username", "user__email")
    readonly_fields = ("user", "token_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: object) -> bool:
        return False  # a feed is made by its owner, who alone sees its address
