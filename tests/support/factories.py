"""Small builders for registry objects (no factory library needed for this much)."""

from __future__ import annotations

import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from obcms.communities.models import Community
from obcms.geography.models import Barangay, Municipality, Province, Region

_codes = itertools.count(1)


def code(prefix: str = "09") -> str:
    return f"{prefix}{next(_codes):08d}"


def place(region_short: str = "IX") -> Barangay:
    """A barangay in a new municipality in a (new or existing) region."""
    prefix = {"IX": "09", "X": "10", "XI": "11", "XII": "12"}[region_short]
    region, _ = Region.objects.get_or_create(
        psgc_code=f"{prefix}00000000",
        defaults={"name": f"Region {region_short}", "short_name": region_short},
    )
    province = Province.objects.create(
        psgc_code=code(prefix), name=f"Province {code()}", region=region
    )
    municipality = Municipality.objects.create(
        psgc_code=code(prefix),
        name=f"Town {code()}",
        kind="municipality",
        region=region,
        province=province,
    )
    spot = next(_codes) % 100  # somewhere in Mindanao, as the PSGC fixture would place it
    return Barangay.objects.create(
        psgc_code=code(prefix),
        name=f"Barangay {code()}",
        municipality=municipality,
        latitude=f"{7 + spot / 100:.6f}",
        longitude=f"{123 + spot / 100:.6f}",
    )


def community(name: str | None = None, barangay: Barangay | None = None, **fields) -> Community:
    barangay = barangay or place()
    return Community.objects.create(
        name=name or f"Sitio {code()}",
        barangay=barangay,
        municipality=barangay.municipality,
        **fields,
    )


def user(role: str, username: str | None = None, email: str | None = None):
    account = get_user_model().objects.create_user(
        username=username or f"{role}-{code()}",
        password="a-long-test-password",
        email=email or f"{role}@example.org",
        is_staff=role == "administrator",
    )
    account.groups.add(Group.objects.get(name=role))
    return account


def communities_in_one_barangay(n: int, region_short: str = "XII") -> None:
    """``n`` Maranao communities in one new barangay of ``region_short``."""
    from obcms.communities.models import EthnolinguisticGroup

    barangay = place(region_short)
    group = EthnolinguisticGroup.objects.get(name="Maranao")
    for i in range(n):
        community(name=f"Purok {i}", barangay=barangay).ethnolinguistic_groups.add(group)


def queries_for(client, url: str, params: dict | None = None) -> int:
    """How many queries one GET of ``url`` costs (it must answer 200), once the caches that
    the first request fills (sessions, permissions, the lists' choices) are warm."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url, params or {}).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def assessment(of: Community | None = None, **fields):
    """A draft assessment (survey) of ``of`` with one need, unless ``fields`` say otherwise."""
    from obcms.assessments.models import Assessment, Need

    made = Assessment.objects.create(
        community=of or community(),
        **{"assessed_on": "2026-01-05", "team": "A. Ampatuan", "method": "survey", **fields},
    )
    Need.objects.create(assessment=made, sector="health", description="A midwife")
    return made


def partner(name: str | None = None, **fields):
    from obcms.coordination.models import Partner

    return Partner.objects.create(name=name or f"Partner {code()}", **{"kind": "ngo", **fields})


def engagement(of: Community | None = None, by=None, **fields):
    """An engagement of partner ``by`` with community ``of`` (new ones when not given)."""
    from datetime import date

    from obcms.coordination.models import Engagement

    return Engagement.objects.create(
        community=of or community(),
        partner=by or partner(),
        **{"title": f"Visit {code()}", "engaged_on": date(2026, 1, 5), **fields},
    )


def meeting(starts_at=None, communities=(), partners=(), actions=(), **fields):
    """A coordination meeting of one hour (from ``starts_at``, aware) with its communities,
    partners and action items (dicts of ActionItem fields)."""
    from datetime import UTC, datetime, timedelta

    from obcms.meetings.models import ActionItem, Meeting

    starts_at = starts_at or datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    made = Meeting.objects.create(
        **{
            "title": f"Meeting {code()}",
            "kind": "coordination",
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=1),
            "venue": "OOBC office, Cotabato City",
            **fields,
        }
    )
    made.communities.set(communities)
    made.partners.set(partners)
    for action in actions:
        ActionItem.objects.create(meeting=made, **action)
    return made


def ppa(communities=(), needs=(), updates=0, **fields):
    """An OOBC PPA (planned) in region IX covering ``communities``, addressing ``needs``
    (linked as the page links them), with ``updates`` progress updates of 10 %."""
    from datetime import date

    from obcms.ppas import chain
    from obcms.ppas.models import PPA, ProgressUpdate

    made = PPA.objects.create(
        **{
            "kind": "oobc_ppa",
            "title": f"PPA {code()}",
            "sector": "health",
            "region": place().municipality.region,
            "fiscal_year": 2026,
            "budget_allocated": "1500000.50",
            **fields,
        }
    )
    made.communities.set(communities)
    for need in needs:
        chain.link(made, need)
    for _ in range(updates):
        ProgressUpdate.objects.create(
            ppa=made, reported_on=date(2026, 2, 1), percent=10, what_happened="Started"
        )
    return made


def policy(needs=(), changes=0, milestones=0, **fields):
    """A draft policy recommendation resting on ``needs``, with ``changes`` status-history
    rows and ``milestones`` milestones."""
    from datetime import date

    from obcms.policies.models import Milestone, Policy, StatusChange

    made = Policy.objects.create(
        **{
            "title": f"Policy {code()}",
            "category": "social",
            "scope": "regional",
            "agency_addressed": "MSSD",
            "problem": "No midwife",
            "recommendation": "Hire midwives",
            **fields,
        }
    )
    made.needs.set(needs)
    made.regions.set([place().municipality.region])
    for _ in range(changes):
        StatusChange.objects.create(policy=made, before="draft", after="under_review")
    for day in range(1, milestones + 1):
        Milestone.objects.create(policy=made, title="Step", due_on=date(2026, 3, day))
    return made


def form_data(form, **changes) -> dict:
    """What a browser posts for ``form`` as shown (every field's current value), plus
    ``changes``."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            value = ""
        data[form.add_prefix(name)] = value
    data.update(changes)
    return data
