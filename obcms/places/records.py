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
from django.db.models import QuerySet

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import Community
from obcms.coordination.models import Engagement
from obcms.records import history


def communities() -> QuerySet[Community]:
    return Community.objects.active()


def assessments() -> QuerySet[Assessment]:
    return Assessment.objects.active()


def needs() -> QuerySet[Need]:
    return Need.objects.active()


def engagements() -> QuerySet[Engagement]:
    return Engagement.objects.active()


def profile_changes() -> QuerySet[LogEntry]:
    """Edits of community profiles from the shared history (the charts read when a community
    was verified): ``object_id`` is the community, ``changes`` the fields' [before, after]."""
    return history.updates_of(Community)
