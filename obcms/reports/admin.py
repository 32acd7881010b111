from django.contrib import admin

from obcms.reports.models import Export, Import, Report, StatisticsSnapshot


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
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
class ImportAdmin(admin.ModelAdmin):
    list_display = ("pk", "user", "status", "created_count", "total", "created_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in Import._meta.fields]


@admin.register(StatisticsSnapshot)
class StatisticsSnapshotAdmin(admin.ModelAdmin):
    list_display = ("computed_at",)
    readonly_fields = ("computed_at", "data")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("pk", "title", "user", "kind", "status", "processed", "total", "created_at")
    list_filter = ("status", "kind")
    search_fields = ("title",)
    readonly_fields = [f.name for f in Report._meta.fields]
