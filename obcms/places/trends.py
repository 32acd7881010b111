"""Charts over time: communities registered and verified per month, assessments per quarter,
needs met per quarter. Plain data (JSON-ready) for a communities queryset: the dashboard keeps
it in its statistics snapshot, the place profiles compute it for their place."""

from __future__ import annotations

from datetime import date, datetime, time

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncQuarter
from django.utils import timezone

from obcms.assessments.models import Assessment
from obcms.communities.models import Community
from obcms.places import records
from obcms.records import history

MONTHS = 12
QUARTERS = 8


def months_back(today: date, count: int) -> list[date]:
    """First days of the last ``count`` months, the oldest first, this month last."""
    index = today.year * 12 + today.month - 1
    return [date((i // 12), i % 12 + 1, 1) for i in range(index - count + 1, index + 1)]


def quarters_back(today: date, count: int) -> list[date]:
    index = today.year * 4 + (today.month - 1) // 3
    return [date(i // 4, (i % 4) * 3 + 1, 1) for i in range(index - count + 1, index + 1)]


def start_of(day: date) -> datetime:
    """Midnight of ``day`` where the office is: compared as is, so indexes on the column work."""
    return timezone.make_aware(datetime.combine(day, time()))


def _day(start: date | datetime | None) -> date | None:
    """A truncated period's first day (datetimes truncate in the current time zone)."""
    if not hasattr(start, "date"):
        return start
    return timezone.localtime(start).date() if timezone.is_aware(start) else start.date()


def _per_period(queryset: QuerySet, trunc: type, field: str) -> dict[date, int]:
    rows = (
        queryset.annotate(period=trunc(field)).order_by().values("period").annotate(n=Count("pk"))
    )
    periods: dict[date, int] = {}
    for row in rows:
        start = _day(row["period"])
        periods[start] = periods.get(start, 0) + row["n"]
    return periods


AssessmentRow = tuple[str, date | None, date | None, int]


def assessment_rows(assessments: QuerySet[Assessment]) -> list[AssessmentRow]:
    """``assessments`` counted by status, quarter conducted and quarter validated: in one
    query, a place profile's assessments by status and the two assessment charts (each
    query over a region's assessments reads its communities again)."""
    rows = (
        assessments.order_by()
        .annotate(conducted=TruncQuarter("assessed_on"), validated=TruncQuarter("validated_at"))
        .values("status", "conducted", "validated")
        .annotate(n=Count("pk"))
        .values_list("status", "conducted", "validated", "n")
    )
    return [
        (status, _day(conducted), _day(validated), n) for status, conducted, validated, n in rows
    ]


def verified_per_month(communities: QuerySet[Community], since: date) -> dict[date, int]:
    """When communities became verified: the history's edits to "verified" (auditlog's
    entries, those carried over from the old history included), plus communities verified
    without any such edit (created, imported or seeded as verified), counted in the month
    they were registered."""
    verified = history.logged_values(Community, "verification", Community.Verification.VERIFIED)
    changes = records.profile_changes().filter(
        object_id__in=communities.values("pk"),
        timestamp__gte=start_of(since),
        changes__verification__1__in=verified,
    )
    periods = _per_period(changes, TruncMonth, "timestamp")
    never_changed = communities.filter(
        verification=Community.Verification.VERIFIED, created_at__gte=start_of(since)
    ).exclude(
        Exists(
            records.profile_changes().filter(
                object_id=OuterRef("pk"), changes__has_key="verification"
            )
        )
    )
    for start, count in _per_period(never_changed, TruncMonth, "created_at").items():
        periods[start] = periods.get(start, 0) + count
    return periods


def needs_met_per_quarter(communities: QuerySet[Community], since: date) -> dict[date, int] | None:
    """None while needs have no status of their own: nothing records that a need was met.
    Once needs have a lifecycle, count those completed per quarter here."""
    return None


def compute(
    communities: QuerySet[Community],
    today: date | None = None,
    assessments: list[AssessmentRow] | None = None,
) -> dict:
    """The three charts for ``communities``: {name: {"title", "labels", "series"}} (a chart
    whose data does not exist yet has a "missing" explanation instead of series).
    ``assessments``: their ``assessment_rows``, when the caller has read them already."""
    today = today or timezone.localdate()
    months = months_back(today, MONTHS)
    quarters = quarters_back(today, QUARTERS)
    registered = _per_period(
        communities.filter(created_at__gte=start_of(months[0])), TruncMonth, "created_at"
    )
    verified = verified_per_month(communities, months[0])
    if assessments is None:
        assessments = assessment_rows(
            records.assessments_of(communities).filter(
                Q(assessed_on__gte=quarters[0])
                | Q(status=Assessment.Status.VALIDATED, validated_at__gte=start_of(quarters[0]))
            )
        )
    conducted: dict[date, int] = {}
    validated: dict[date, int] = {}
    for status, conducted_in, validated_in, n in assessments:
        if conducted_in is not None and conducted_in >= quarters[0]:
            conducted[conducted_in] = conducted.get(conducted_in, 0) + n
        if status == Assessment.Status.VALIDATED and validated_in and validated_in >= quarters[0]:
            validated[validated_in] = validated.get(validated_in, 0) + n
    met = needs_met_per_quarter(communities, quarters[0])
    quarter_labels = [f"Q{(q.month - 1) // 3 + 1} {q.year}" for q in quarters]
    return {
        "communities": {
            "title": "Communities registered and verified per month",
            "labels": [m.strftime("%b %Y") for m in months],
            "series": [
                {"name": "Registered", "values": [registered.get(m, 0) for m in months]},
                {"name": "Verified", "values": [verified.get(m, 0) for m in months]},
            ],
        },
        "assessments": {
            "title": "Assessments per quarter",
            "labels": quarter_labels,
            "series": [
                {"name": "Conducted", "values": [conducted.get(q, 0) for q in quarters]},
                {"name": "Validated", "values": [validated.get(q, 0) for q in quarters]},
            ],
        },
        "needs_met": {
            "title": "Needs met per quarter",
            "labels": quarter_labels,
            "series": [{"name": "Needs met", "values": [met.get(q, 0) for q in quarters]}]
            if met is not None
            else [],
            "missing": ""
            if met is not None
            else "Not counted yet: needs do not yet record when they are met.",
        },
    }
