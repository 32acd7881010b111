"""Background work of the registry: statistics, exports, imports, reminders, digest, quality.

Each task is idempotent: run twice, it leaves the same result (a job already done is not
redone; a reminder day is sent once)."""

from __future__ import annotations

import io
import logging
import tempfile
from collections import defaultdict
from datetime import timedelta

from auditlog.context import set_extra_data
from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from obcms.assessments.models import Assessment
from obcms.communities.filters import CommunityFilter
from obcms.communities.models import Community
from obcms.coordination.models import Engagement
from obcms.records.history import IMPORT_MARK
from obcms.reports import imports, spreadsheets, statistics
from obcms.reports.models import Export, Import, StatisticsSnapshot

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 500  # rows between progress saves
DRAFT_REMINDER_AGE = timedelta(days=14)


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
    """Daily: exports older than a week are deleted, files first."""
    for export in Export.objects.filter(expires_at__lt=timezone.now()):
        if export.file:
            export.file.delete(save=False)
        export.delete()


@shared_task
def send_reminders() -> None:
    """Daily: each user hears about their drafts older than 14 days and the follow-ups due."""
    today = timezone.localdate()
    todo: dict[int, list[str]] = defaultdict(list)
    stale = Assessment.objects.active().filter(
        status=Assessment.Status.DRAFT, created_at__lt=timezone.now() - DRAFT_REMINDER_AGE
    )
    for assessment in stale.select_related("community"):
        if assessment.created_by_id:
            todo[assessment.created_by_id].append(
                f"Draft assessment of {assessment.community} ({assessment.assessed_on}) is "
                f"still not submitted."
            )
    # Closing an engagement (completed, with its outcome) or archiving it stops its reminders.
    due = (
        Engagement.objects.active()
        .exclude(status=Engagement.Status.COMPLETED)
        .filter(follow_up_on__lte=today)
    )
    for engagement in due.select_related("community", "partner"):
        if engagement.created_by_id:
            todo[engagement.created_by_id].append(
                f"Follow-up due {engagement.follow_up_on}: {engagement.title} with "
                f"{engagement.partner} in {engagement.community}."
            )
    users = get_user_model().objects.filter(pk__in=todo, is_active=True).exclude(email="")
    for user in users:
        send_mail(
            "OBCMS reminders",
            "\n".join(f"- {line}" for line in todo[user.pk]),
            settings.DEFAULT_FROM_EMAIL,
            [user.email],
        )


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
