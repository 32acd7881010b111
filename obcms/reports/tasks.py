"""Background work of the registry: statistics, exports, imports, reminders, digest, quality.

Each task is idempotent: run twice, it leaves the same result (a job already done is not
redone; a reminder day is sent once)."""

from __future__ import annotations

import io
import logging
import tempfile
import time
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

from obcms.assessments.filters import NeedFilter
from obcms.assessments.models import Assessment, Need
from obcms.communities.filters import CommunityFilter
from obcms.communities.models import Community
from obcms.records.history import IMPORT_MARK
from obcms.reminders import sending as reminders
from obcms.reports import imports, jobs, spreadsheets, statistics
from obcms.reports.models import Export, Import, Report, StatisticsSnapshot

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 500  # rows between looks at the clock...
PROGRESS_SECONDS = 1.0  # ...and at least this long between progress saves (each a commit)
REPORT_PROGRESS_EVERY = 100  # a PDF draws some 2,000 rows a second: a bar that moves


@shared_task
def refresh_statistics() -> None:
    """Every 15 minutes: the dashboard reads the newest snapshot; older ones are dropped."""
    snapshot = StatisticsSnapshot.objects.create(data=statistics.compute())
    StatisticsSnapshot.objects.filter(
        computed_at__lt=snapshot.computed_at - timedelta(days=1)
    ).delete()


def _rows(model, pk: int, token: int):
    """Progress writes of the claim ``token`` (fenced: a worker that lost the job writes none)."""
    return jobs.fenced(model, pk, token)


@shared_task(autoretry_for=())
def build_export(export_id: int, held: int | None = None, window_ends: float | None = None) -> None:
    """Write the export's file under the job rules (obcms/reports/jobs.py). One file per
    claim; a delivery that lost its claim deletes the file it wrote."""

    def work(token: int) -> dict:
        export = Export.objects.get(pk=export_id)
        # The list's filters as given: current records only, unless it asked for archived.
        if export.filters.get("kind") == "needs":  # from the needs register (needs_export.py)
            records = NeedFilter(export.filters, queryset=Need.objects.all()).qs
            rows, columns, stem = (
                spreadsheets.need_rows(records),
                spreadsheets.NEED_COLUMNS,
                "needs",
            )
        else:
            records = CommunityFilter(export.filters, queryset=Community.objects.all()).qs
            rows, columns = spreadsheets.community_rows(records), spreadsheets.COLUMNS
            stem = "communities"
        _rows(Export, export.pk, token).update(total=records.count(), processed=0)

        saved = time.monotonic()

        def on_row(count: int) -> None:
            nonlocal saved
            if count % PROGRESS_EVERY == 0 and time.monotonic() - saved >= PROGRESS_SECONDS:
                _rows(Export, export.pk, token).update(processed=count)
                saved = time.monotonic()

        with tempfile.TemporaryFile() as spool:
            if export.format == Export.Format.XLSX:
                written = spreadsheets.write_xlsx(rows, spool, on_row, columns, stem.title())
            else:
                text = io.TextIOWrapper(spool, encoding="utf-8-sig", newline="")
                written = spreadsheets.write_csv(rows, text, on_row, columns)
                text.flush()
                text.detach()
            spool.seek(0)
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
            name = f"{stem}-{stamp}-{export.pk}-{token}.{export.format}"
            export.file.save(name, File(spool), save=False)
        logger.info(
            "export %s: %s rows written",
            export.pk,
            written,
            extra={"export_id": export.pk, "rows": written},
        )
        return {"status": Export.Status.DONE, "processed": written, "file": export.file.name}

    def drop_file(fields: dict) -> None:
        if fields.get("file"):
            Export.file.field.storage.delete(fields["file"])

    jobs.run(
        build_export,
        Export,
        export_id,
        work,
        held=held,
        window_ends=window_ends,
        on_lost=drop_file,
    )


IMPORT_SOFT_LIMIT, IMPORT_HARD_LIMIT = imports.time_limits()


# Its own limits, from the caps of the file (imports.py), not the deployment's for all tasks.
@shared_task(autoretry_for=(), soft_time_limit=IMPORT_SOFT_LIMIT, time_limit=IMPORT_HARD_LIMIT)
def process_import(
    import_id: int, held: int | None = None, window_ends: float | None = None
) -> None:
    """Import the file's rows under the job rules, committed in batches with the job's
    progress: a second delivery resumes after the last committed batch, so every row is
    saved once (one set of rows)."""
    created = False

    def work(token: int) -> dict:
        nonlocal created
        job = Import.objects.get(pk=import_id)
        with job.file.open("rb") as handle:
            raw = handle.read()
        try:
            rows = imports.read_rows(raw)
        except imports.ImportRefused as exc:
            return {"status": Import.Status.FAILED, "message": str(exc)}
        outcome = imports.Outcome(
            total=len(rows),
            created=job.created_count,
            updated=job.updated_count,
            unchanged=job.unchanged_count,
            errors=job.errors,
        )
        _rows(Import, job.pk, token).update(total=len(rows))

        def checkpoint(done: int) -> None:
            if not _rows(Import, job.pk, token).update(
                processed=done,
                created_count=outcome.created,
                updated_count=outcome.updated,
                unchanged_count=outcome.unchanged,
                errors=outcome.errors,
            ):
                raise jobs.LostClaim(f"import {job.pk}: claim {token} was taken over")

        # Each created community's history names the user who uploaded the file, and the import.
        with set_extra_data({"actor": job.user, "cid": f"{IMPORT_MARK}{job.pk}"}):
            imports.import_rows(rows, job.user, outcome, job.processed, checkpoint)
        created = outcome.created > 0
        return {
            "status": Import.Status.DONE,
            "processed": outcome.total,
            "message": imports.summary(outcome),
        }

    jobs.run(process_import, Import, import_id, work, held=held, window_ends=window_ends)
    if created:  # the job is done: the person has the rows; the planner catches up now
        imports.refresh_statistics()


@shared_task
def sweep_jobs() -> None:
    """Every JOB_SWEEP_INTERVAL: send again each job queued or running past its deadline."""
    jobs.sweep({Export: build_export, Import: process_import, Report: build_report})


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


@shared_task(autoretry_for=())
def build_report(report_id: int, held: int | None = None, window_ends: float | None = None) -> None:
    """Draw a PDF report into its row's file under the job rules (obcms/reports/jobs.py). The
    file has one name per report, replaced rather than added to, so a report never has two."""
    from obcms.reports import documents  # the PDF library loads only in the worker

    def work(token: int) -> dict:
        report = Report.objects.get(pk=report_id)
        _rows(Report, report.pk, token).update(processed=0)

        def progress(done: int, total: int) -> None:
            report.processed, report.total = done, total
            if done == 0 or done % REPORT_PROGRESS_EVERY == 0:
                _rows(Report, report.pk, token).update(processed=done, total=total)

        try:
            content = documents.build(report, progress)
        except documents.ReportRefused as refused:
            return {"status": Report.Status.FAILED, "message": str(refused)}
        name = f"report-{report.pk}.pdf"
        stored = report.file.field.generate_filename(report, name)
        if report.file.storage.exists(stored):
            report.file.storage.delete(stored)
        report.file.save(name, ContentFile(content), save=False)
        logger.info(
            "report %s: %s rows, %s bytes",
            report.pk,
            report.processed,
            len(content),
            extra={"report_id": report.pk, "rows": report.processed, "bytes": len(content)},
        )
        return {
            "status": Report.Status.DONE,
            "processed": report.processed,
            "total": report.total,
            "file": report.file.name,
        }

    jobs.run(build_report, Report, report_id, work, held=held, window_ends=window_ends)
