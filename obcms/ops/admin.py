from django.contrib import admin

from obcms.ops.models import TaskRun


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    """Read-only: the records are written by the tasks themselves."""

    list_display = ("name", "status", "started_at", "finished_at", "worker", "detail")
    list_filter = ("status", "name")
    search_fields = ("name", "task_id", "detail")
    date_hierarchy = "started_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
