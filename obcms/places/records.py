"""The records the map, the place profiles, the charts and the PDF reports count: one queryset
function per record type, and nothing in this app or in the PDF reports reads a model's
default manager directly.

Archived records (and what belongs to them: the assessments, needs and engagements of an
archived community) are left out here, once, and every map marker, profile figure, chart and
report follows; so is any state that later takes a record out of the figures. Each function
filters its own table (an assessment of an archived community is excluded by
``assessments()`` itself, through ``active()``'s joins), so queries stay joins rather than
nested subqueries."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.db.models import OuterRef, QuerySet

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community
from obcms.coordination.models import Engagement
from obcms.records import history
from obcms.records.archive import active_filter


def communities() -> QuerySet[Community]:
    return Community.objects.active()


def assessments() -> QuerySet[Assessment]:
    return Assessment.objects.active()


def needs() -> QuerySet[Need]:
    return Need.objects.active()


def engagements() -> QuerySet[Engagement]:
    return Engagement.objects.active()


# Of records known to be current (``communities()`` filtered further): the parent is matched by
# ``IN`` alone, not joined again to test its archive state, so a region's aggregates read the
# communities' table once instead of twice (issue 19).


def assessments_of(communities: QuerySet[Community] | OuterRef) -> QuerySet[Assessment]:
    """The current assessments of ``communities``, which are current themselves (or of the
    one community an ``OuterRef`` names, in a subquery)."""
    of = (
        {"community": communities}
        if isinstance(communities, OuterRef)
        else {"community__in": communities}
    )
    return Assessment.objects.filter(active_filter(Assessment, known="community"), **of)


def needs_of(assessments: QuerySet[Assessment]) -> QuerySet[Need]:
    """The needs of ``assessments`` (``assessments_of``), which are current themselves."""
    return Need.objects.filter(active_filter(Need, known="assessment"), assessment__in=assessments)


def engagements_of(communities: QuerySet[Community]) -> QuerySet[Engagement]:
    """The current engagements (current partners too) of ``communities``, which are current."""
    return Engagement.objects.filter(
        active_filter(Engagement, known="community"), community__in=communities
    )


def profile_changes() -> QuerySet[LogEntry]:
    """Edits of community profiles from the shared history (the charts read when a community
    was verified): ``object_id`` is the community, ``changes`` the fields' [before, after]."""
    return history.updates_of(Community)
