"""Demo data for the chain from need to PPA, called by ``seed_demo`` once its assessments
exist: the needs of validated assessments get validated, ranked, deferred or rejected; PPAs
and requests address them, with progress updates; each need's status agrees with its PPAs.

Bulk writes throughout (seed_demo must stay fast at 100,000 communities); the statuses follow
the same rule as ``chain.status_from``."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from obcms.assessments.models import Assessment, Need
from obcms.coordination.models import Partner
from obcms.db import bulk
from obcms.ppas.chain import status_from
from obcms.ppas.models import PPA, ProgressUpdate

TITLES = {
    "education": ["Madrasah classrooms", "Scholarship grants", "ALIVE teachers' training"],
    "health": ["Barangay health station", "Midwife deployment", "Medical mission"],
    "livelihood": ["Halal food processing", "Fishing boats and gear", "Farm inputs"],
    "infrastructure": ["Farm-to-market road", "Footbridge", "Solar street lights"],
    "wash": ["Level II water system", "Communal toilets", "Rainwater collectors"],
    "social_protection": ["Cash for work", "Senior citizens' pensions", "Relief packs"],
    "peace_order": ["Peace covenant dialogue", "Barangay tanod training", "Rido settlement"],
    "religious_cultural": ["Masjid repair", "Cultural heritage documentation", "Quran reading"],
}
FUNDING = ["GAA 2026 (OOBC)", "BARMM Block Grant", "Special Development Fund", "LGU 20% DF"]
PPA_PATHS = {  # statuses a seeded record may be in, by kind, weighted
    PPA.Kind.OBC_REQUEST: [
        "submitted",
        "under_review",
        "endorsed",
        "approved",
        "in_progress",
        "completed",
        "declined",
    ],
    PPA.Kind.OOBC_PPA: ["planned", "ongoing", "ongoing", "completed", "cancelled"],
    PPA.Kind.MOA_PPA: ["planned", "ongoing", "completed", "completed"],
}


def seed(rng: random.Random, users: dict) -> dict[str, int]:
    """Lifecycle for the needs, then PPAs with updates; returns counts for seed_demo's log."""
    admin, encoder = users["administrator"], users["encoder"]
    now, today = timezone.now(), timezone.localdate()
    needs = list(
        Need.objects.filter(assessment__status=Assessment.Status.VALIDATED)
        .select_related("assessment__community__municipality")
        .order_by("pk")
    )
    every = Need.objects.order_by("pk").only("pk", "beneficiaries")
    details = []
    for n in every.iterator(chunk_size=2000):
        n.urgency = rng.choice(Need.Urgency.values)
        people = n.beneficiaries or rng.randint(20, 500)
        n.households = max(1, people // rng.randint(4, 7))
        n.estimated_cost = Decimal(rng.randint(50, 5000) * 1000)
        details.append(n)
    bulk.update(details, ["urgency", "households", "estimated_cost"])

    validated: dict[tuple[int, str], list[Need]] = defaultdict(list)
    for n in needs:
        roll = rng.random()
        if roll < 0.15:
            continue  # still identified
        if roll < 0.22:
            n.status, n.status_reason = Need.Status.DEFERRED, "Wait for the next fiscal year."
            continue
        if roll < 0.27:
            n.status, n.status_reason = Need.Status.REJECTED, "Covered by the LGU's own plan."
            continue
        n.status, n.validated_by, n.validated_at = Need.Status.VALIDATED, admin, now
        validated[(n.assessment.community.municipality.region_id, n.sector)].append(n)
    for group in validated.values():
        for rank, n in enumerate(group[: max(1, len(group) // 2)], start=1):
            n.status, n.rank = Need.Status.PRIORITIZED, rank

    partners = list(Partner.objects.filter(is_active=True))
    ppas, links, updates = [], [], []
    for (region_id, sector), group in validated.items():
        for start in range(0, len(group), 3):
            addressed = group[start : start + rng.randint(1, 3)]
            if rng.random() < 0.3:
                continue  # some validated needs wait for a PPA
            kind = rng.choice(PPA.Kind.values)
            status = rng.choice(PPA_PATHS[kind])
            allocated = sum((n.estimated_cost or Decimal(0) for n in addressed), Decimal(0))
            year = rng.choice([today.year - 1, today.year, today.year + 1])
            first = addressed[0].assessment.community
            ppa = PPA(
                kind=kind,
                title=f"{rng.choice(TITLES[sector])}, {first.name}",
                sector=sector,
                region_id=region_id,
                requesting_community=first if kind == PPA.Kind.OBC_REQUEST else None,
                requester="Barangay chairperson" if kind == PPA.Kind.OBC_REQUEST else "",
                implementing_partner=rng.choice(partners) if partners else None,
                fiscal_year=year,
                funding_source=rng.choice(FUNDING),
                budget_allocated=allocated,
                budget_spent=(allocated * Decimal(rng.randint(0, 100)) / 100).quantize(
                    Decimal("0.01")
                )
                if status in (*PPA.STARTED, PPA.Status.COMPLETED)
                else Decimal(0),
                target_beneficiaries=sum(n.beneficiaries or 0 for n in addressed),
                start_date=today - timedelta(days=rng.randint(30, 300)),
                status=status,
                created_by=encoder,
            )
            ppas.append((ppa, addressed))
    bulk.insert([p for p, _ in ppas])
    statuses: dict[int, list[str]] = defaultdict(list)
    communities = []
    for ppa, addressed in ppas:
        for n in addressed:
            links.append(PPA.needs.through(ppa_id=ppa.pk, need_id=n.pk))
            statuses[n.pk].append(ppa.status)
        for community_id in {n.assessment.community_id for n in addressed}:
            communities.append(PPA.communities.through(ppa_id=ppa.pk, community_id=community_id))
        if ppa.status in (*PPA.STARTED, PPA.Status.COMPLETED):
            steps = [25, 60, 100] if ppa.status == PPA.Status.COMPLETED else [20, 45]
            for i, percent in enumerate(steps):
                updates.append(
                    ProgressUpdate(
                        ppa=ppa,
                        reported_on=ppa.start_date + timedelta(days=30 * (i + 1)),
                        percent=percent,
                        what_happened=rng.choice(
                            [
                                "Materials delivered.",
                                "Community consultation held.",
                                "Works started.",
                                "Beneficiaries listed and validated.",
                            ]
                        ),
                        next_steps="" if percent == 100 else "Monitor the works on site.",
                        follow_up_on=None
                        if percent == 100
                        else today + timedelta(days=rng.randint(-5, 30)),
                        created_by=encoder,
                    )
                )
    bulk.insert(links)
    bulk.insert(communities)  # distinct per PPA (a set above)
    bulk.insert(updates)
    for n in needs:
        if n.pk in statuses:
            n.status = status_from(statuses[n.pk]) or n.status
    bulk.update(needs, ["status", "status_reason", "validated_by", "validated_at", "rank"])
    return {"needs decided": len(needs), "PPAs": len(ppas), "updates": len(updates)}
