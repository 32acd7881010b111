from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from obcms.reports.models import Export, Import, Report, StatisticsSnapshot


class MadeByTheAppAdmin(admin.ModelAdmin):
    """Jobs and snapshots are made by the pages and the worker, never typed in: the admin has
    no "add" (its empty form could only fail on a required column)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class OwnJobsAdmin(MadeByTheAppAdmin):
    """The pages' rule in the admin too: staff see their own jobs, superusers everyone's.
    Otherwise any staff member who may view exports would list other people's jobs and, with
    bucket storage, get a presigned link to their files (issue 21)."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        jobs = super().get_queryset(request)
        return jobs if request.user.is_superuser else jobs.filter(user=request.user)


@admin.register(Export)
class ExportAdmin(OwnJobsAdmin):
    list_display = (
        "pk",
        "user",
        "format",
        "status",
        "processed",
        "total",
        "created_at",
        "expires_at",
    )
    list_filter = ("status", "format")
    readonly_fields = [f.name for f in Export._meta.fields]


@admin.register(Import)
class ImportAdmin(OwnJobsAdmin):
    list_display = ("pk", "user", "status", "created_count", "total", "created_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Import._meta.fields]


@admin.register(StatisticsSnapshot)
class StatisticsSnapshotAdmin(MadeByTheAppAdmin):
    list_display = ("computed_at",)
    readonly_fields = ("computed_at", "data")


@admin.register(Report)
class ReportAdmin(OwnJobsAdmin):
    list_display = ("pk", "title", "user", "kind", "status", "processed", "total", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("title",)
    readonly_fields = [f.name for f in Report._meta.fields]
