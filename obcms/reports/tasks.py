"""Background work of the registry: statistics, exports, imports, reminders, digest, quality.

Each task is idempotent: run twice, it leaves the same result (a job already done is not
redone; a reminder day is sent once)."""

from __future__ import annotations

import io
import logging
import tempfile
from datetime import timedelta

from auditlog.context import set_extra_data
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from obcms.assessments.models import Assessment
from obcms.communities.filters import CommunityFilter
from obcms.communities.models import Community
from obcms.records.history import IMPORT_MARK
from obcms.reminders import sending as reminders
from obcms.reports import imports, spreadsheets, statistics
from obcms.reports.models import Export, Import, Report, StatisticsSnapshot

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 500  # rows between progress saves
REPORT_PROGRESS_EVERY = 100  # a PDF draws some 2,000 rows a second: a bar that moves


@shared_task
def refresh_statistics() -> None:
    """Every 15 minutes: the dashboard reads the newest snapshot; older ones are dropped."""
    snapshot = StatisticsSnapshot.objects.create(data=statistics.compute())
    StatisticsSnapshot.objects.filter(
        computed_at__lt=snapshot.computed_at - timedelta(days=1)
    ).delete()


@shared_task
def build_export(export_id: int) -> None:
    export = Export.objects.get(pk=export_id)
    if export.finished:
        return
    # The list's filters as given: current communities only, unless it asked for archived ones.
    communities = CommunityFilter(export.filters, queryset=Community.objects.all()).qs
    export.status, export.total, export.processed = Export.Status.RUNNING, communities.count(), 0
    export.save(update_fields=["status", "total", "processed"])

    def on_row(count: int) -> None:
        if count % PROGRESS_EVERY == 0:
            Export.objects.filter(pk=export.pk).update(processed=count)

    try:
        with tempfile.TemporaryFile() as spool:
            rows = spreadsheets.community_rows(communities)
            if export.format == Export.Format.XLSX:
                written = spreadsheets.write_xlsx(rows, spool, on_row)
            else:
                text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
                written = spreadsheets.write_csv(rows, text, on_row)
                text.flush()
                text.detach()
            spool.seek(0)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            export.file.save(
                f"communities-{stamp}-{export.pk}.{export.format}", File(spool), save=False
            )
        export.status, export.processed = Export.Status.DONE, written
        logger.info(
            "export %s: %s rows written",
            export.pk,
            written,
            extra={"export_id": export.pk, "rows": written},
        )
    except Exception as exc:
        logger.exception("export %s failed", export.pk)
        export.status, export.message = Export.Status.FAILED, f"{type(exc).__name__}"
        raise
    finally:
        export.finished_at = timezone.now()
        export.save()


@shared_task
def process_import(import_id: int) -> None:
    job = Import.objects.get(pk=import_id)
    if job.finished:
        return
    job.status = Import.Status.RUNNING
    job.save(update_fields=["status"])

    def progress(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            Import.objects.filter(pk=job.pk).update(processed=done, total=total)

    try:
        with job.file.open("rb") as handle:
            raw = handle.read()
        # Each created community's history names the user who uploaded the file, and the import.
        with set_extra_data({"actor": job.user, "cid": f"{IMPORT_MARK}{job.pk}"}):
            outcome = imports.import_communities(raw, job.user, progress)
        job.status, job.total, job.processed = Import.Status.DONE, outcome.total, outcome.total
        job.created_count, job.errors = outcome.created, outcome.errors
        job.message = (
            f"{outcome.created} of {outcome.total} row(s) imported; "
            f"{len(outcome.errors)} with problems."
        )
    except imports.ImportRefused as exc:
        job.status, job.message = Import.Status.FAILED, str(exc)
    finally:
        job.finished_at = timezone.now()
        job.save()


@shared_task
def expire_exports() -> None:
    """Daily: exports and PDF reports older than a week are deleted, files first."""
    for model in (Export, Report):
        for job in model.objects.filter(expires_at__lt=timezone.now()):
            if job.file:
                job.file.delete(save=False)
            job.delete()


@shared_task
def send_reminders() -> None:
    """Daily: each user hears once a day about what is due (obcms/reminders/sources.py)."""
    reminders.send_reminders(timezone.localdate())


@shared_task
def send_weekly_digest() -> None:
    """Weekly: the figures of the week to every administrator with an email address."""
    week_ago = timezone.now() - timedelta(days=7)
    figures = statistics.compute()["totals"]
    lines = [
        f"Communities registered: {figures['communities']} "
        f"({Community.objects.active().filter(created_at__gte=week_ago).count()} new this week)",
        f"Population covered: {figures['population']}",
        f"Assessments submitted this week: "
        f"{Assessment.objects.active().filter(submitted_at__gte=week_ago).count()}",
        f"Assessments validated this week: "
        f"{Assessment.objects.active().filter(validated_at__gte=week_ago).count()}",
        f"Incomplete profiles: {figures['incomplete']}",
        *reminders.digest_lines(timezone.localdate()),
    ]
    recipients = list(
        get_user_model()
        .objects.filter(Q(groups__name="administrator") | Q(is_superuser=True), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    if recipients:
        send_mail("OBCMS weekly digest", "\n".join(lines), settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task
def check_data_quality() -> None:
    """Nightly: every profile's missing fields, for the list's "incomplete" filter."""
    communities = Community.objects.prefetch_related(*Community.PROFILE_RELATIONS)
    changed = []
    for community in communities.iterator(chunk_size=1000):
        missing = community.find_missing_fields()
        if missing != community.missing_fields:
            community.missing_fields = missing
            changed.append(community)
    Community.objects.bulk_update(changed, ["missing_fields"], batch_size=1000)


@shared_task
def build_report(report_id: int) -> None:
    """Draw a PDF report into its row's file. Safe to run twice (a worker killed mid-way gets
    its task again): a finished report is left alone, and the file has one name per report,
    replaced rather than added to, so a report never has two files."""
    from obcms.reports import documents  # the PDF library loads only in the worker

    report = Report.objects.filter(pk=report_id).first()
    if report is None or report.finished:
        return
    report.status, report.processed = Report.Status.RUNNING, 0
    report.save(update_fields=["status", "processed"])

    def progress(done: int, total: int) -> None:
        report.processed, report.total = done, total
        if done == 0 or done % REPORT_PROGRESS_EVERY == 0:
            Report.objects.filter(pk=report.pk).update(processed=done, total=total)

    try:
        content = documents.build(report, progress)
    except documents.ReportRefused as refused:
        report.status, report.message = Report.Status.FAILED, str(refused)
    except build_report.autoretry_for:
        raise  # a passing outage: the row stays running and the retry carries on
    except Exception as exc:
        logger.exception("report %s failed", report.pk)
        report.status, report.message = Report.Status.FAILED, type(exc).__name__
        report.finished_at = timezone.now()
        report.save()
        raise
    else:
        # One name per report: a second run (after a worker died) replaces, never adds.
        name = f"report-{report.pk}.pdf"
        stored = report.file.field.generate_filename(report, name)
        if report.file.storage.exists(stored):
            report.file.storage.delete(stored)
        report.file.save(name, ContentFile(content), save=False)
        report.status = Report.Status.DONE
        logger.info(
            "report %s: %s rows, %s bytes",
            report.pk,
            report.processed,
            len(content),
            extra={"report_id": report.pk, "rows": report.processed, "bytes": len(content)},
        )
    report.finished_at = timezone.now()
    report.save()
