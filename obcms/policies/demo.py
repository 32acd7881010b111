"""Demo policy recommendations for ``seed_demo``: a dozen, spread over the statuses with
their dated changes, citing seeded needs and assessments, with milestones."""

from __future__ import annotations

import random
from datetime import timedelta
from itertools import pairwise

from django.utils import timezone

from obcms.assessments.models import Assessment, Need
from obcms.geography.models import Region
from obcms.policies.models import Milestone, Policy, StatusChange

RECOMMENDATIONS = [
    ("Halal certification support for OBC food processors", "economic", "MTIT"),
    ("Madrasah teachers in public elementary schools", "cultural", "DepEd / MBHTE"),
    ("Birth registration drives in OBC barangays", "rights_welfare", "PSA"),
    ("OBC representation in municipal development councils", "governance", "DILG"),
    ("Community-based rido settlement mechanisms", "peace_security", "OPAPRU"),
    ("Scholarships for OBC youth in state universities", "social", "CHED"),
    ("Water systems as a priority of the 20% development fund", "social", "DILG"),
    ("Protection of ancestral fishing grounds", "economic", "BFAR"),
    ("Arabic language and Islamic values education", "cultural", "DepEd"),
    ("Health stations within an hour's walk of every OBC", "social", "DOH"),
    ("Disaster preparedness for coastal OBCs", "peace_security", "OCD"),
    ("OBC desks in provincial social welfare offices", "governance", "DSWD"),
]
PATH = ["draft", "under_review", "submitted", "adopted", "in_implementation", "implemented"]


def seed(rng: random.Random, users: dict) -> dict[str, int]:
    admin, encoder = users["administrator"], users["encoder"]
    today = timezone.localdate()
    regions = list(Region.objects.all())
    need_ids = list(Need.objects.order_by("pk").values_list("pk", flat=True)[:2000])
    assessment_ids = list(
        Assessment.objects.filter(status=Assessment.Status.VALIDATED).values_list("pk", flat=True)[
            :100
        ]
    )
    milestones = 0
    for index, (title, category, agency) in enumerate(RECOMMENDATIONS):
        if Policy.objects.filter(title=title).exists():
            continue
        steps = PATH[: 1 + index % len(PATH)]
        if index == 7:
            steps = [*PATH[:3], "not_adopted"]
        policy = Policy.objects.create(
            title=title,
            category=category,
            scope=rng.choice(Policy.Scope.values),
            agency_addressed=agency,
            problem="Consultations and MANA visits found the need in many OBCs.",
            recommendation=f"{title}, funded and monitored with OOBC.",
            expected_impact="Fewer unmet needs among OBCs in the regions concerned.",
            status=steps[-1],
            created_by=encoder,
        )
        policy.regions.set(rng.sample(regions, k=min(len(regions), rng.randint(1, 2))))
        if need_ids:
            policy.needs.set(rng.sample(need_ids, k=min(len(need_ids), rng.randint(1, 4))))
        if assessment_ids:
            policy.assessments.set(rng.sample(assessment_ids, k=min(2, len(assessment_ids))))
        when = timezone.now() - timedelta(days=20 * len(steps))
        for before, after in pairwise(steps):
            when += timedelta(days=rng.randint(5, 20))
            StatusChange.objects.create(
                policy=policy,
                before=before,
                after=after,
                changed_by=encoder if after == "under_review" else admin,
                changed_at=when,
            )
        if steps[-1] in ("adopted", "in_implementation", "implemented"):
            for number, label in enumerate(["Draft the issuance", "Budget proposal", "Rollout"]):
                due = today + timedelta(days=30 * number - 20)
                Milestone.objects.create(
                    policy=policy,
                    title=label,
                    due_on=due,
                    done_on=due if due < today and steps[-1] == "implemented" else None,
                    responsible=encoder,
                    created_by=admin,
                )
                milestones += 1
    return {"policies": Policy.objects.count(), "milestones": milestones}
