"""``python manage.py seed_demo``: realistic demo data for a laptop, a review app or a load test.

Geography for Regions IX-XII, a few hundred communities (``--communities N``), assessments with
needs, partners and engagements, and one user per role. Deterministic (same data each run).
Refuses to run with DEBUG off unless ``--force``: it creates users with known names.

Every phase writes in bulk (``obcms.db.bulk``: COPY, and UPDATE from a COPY), with the history
entries the one-by-one saves would have written, so the number of queries does not grow with
``--communities`` and 100,000 take under three minutes. Each phase's time is printed
(``bench/seed.py`` reads them).
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from obcms.assessments.models import Assessment, Need
from obcms.communities.models import (
    SERVICES,
    Community,
    Contact,
    EthnolinguisticGroup,
    Language,
    Livelihood,
    Rating,
)
from obcms.coordination.models import Engagement, Partner
from obcms.db.bulk import insert, insert_values, update
from obcms.db.planner import analyze
from obcms.geography.models import Barangay
from obcms.meetings.models import ActionItem, Meeting
from obcms.policies import demo as policy_demo
from obcms.ppas import demo as ppa_demo
from obcms.records import history
from obcms.reports.tasks import refresh_statistics

PLACES = [
    "Salam",
    "Kalilintad",
    "Darussalam",
    "Pagasa",
    "Kapayapaan",
    "Al-Barakah",
    "Nurul Huda",
    "Bagong Silang",
    "Masjid",
    "Tagumpay",
    "Rahmah",
    "Ittihad",
    "Bayanihan",
    "Mabuhay",
    "Sultan",
    "Datu",
    "Bangsamoro",
    "Pantay",
    "Dagat",
    "Lumad",
]
PREFIXES = ["Sitio", "Purok", "Zone", "Muslim Village", "Riverside", "Coastal"]
GROUP_LANGUAGES = {
    "Maranao": "Maranao",
    "Maguindanaon": "Maguindanaon",
    "Tausug": "Tausug",
    "Iranun": "Iranun",
    "Sama": "Sinama",
    "Sama-Bajau": "Sinama",
    "Yakan": "Yakan",
    "Teduray": "Teduray",
}
PARTNERS = [
    ("Ministry of Social Services and Development", "MSSD", "barmm"),
    ("Ministry of Basic, Higher and Technical Education", "MBHTE", "barmm"),
    ("Ministry of Health", "MOH-BARMM", "barmm"),
    ("Bangsamoro Planning and Development Authority", "BPDA", "barmm"),
    ("Ministry of Interior and Local Government", "MILG", "barmm"),
    ("National Commission on Muslim Filipinos", "NCMF", "national"),
    ("Department of Social Welfare and Development", "DSWD", "national"),
    ("Department of Education", "DepEd", "national"),
    ("Technical Education and Skills Development Authority", "TESDA", "national"),
    ("Provincial Government of Zamboanga del Sur", "", "lgu"),
    ("City Government of Davao", "", "lgu"),
    ("Provincial Government of Cotabato", "", "lgu"),
    ("Municipal Government of Kauswagan", "", "lgu"),
    ("United Nations Development Programme", "UNDP", "development"),
    ("United Nations Children's Fund", "UNICEF", "development"),
    ("Japan International Cooperation Agency", "JICA", "development"),
    ("Mindanao Community Development Foundation", "MCDF", "ngo"),
    ("Bangsamoro Women's Network", "BWN", "ngo"),
]
# Rough centres of each region's OBC areas, for demo coordinates (jittered around them).
REGION_CENTRES = {"IX": (7.6, 122.6), "X": (8.2, 124.4), "XI": (7.1, 125.5), "XII": (6.5, 124.7)}
CHALLENGES = [
    "No health station within walking distance; the midwife visits twice a year.",
    "Children walk two hours to the nearest school; few finish high school.",
    "Frequent flooding in the rainy season damages houses and crops.",
    "Land tenure is insecure: families do not hold titles to the land they farm.",
    "Little access to credit; traders set the price of the catch.",
]
ASPIRATIONS = [
    "A madrasah building and paid asatidz for the children.",
    "A farm-to-market road and a solar dryer for the harvest.",
    "Recognition of the community by the barangay and a seat in its council.",
    "Livelihood training for the women and the out-of-school youth.",
    "A protected water source and household toilets.",
]
LGU_NOTES = [
    "The barangay includes the community in its development plan.",
    "Occasional relief during floods; no regular programme.",
    "The community has a representative in the barangay council.",
    "Requests for a water system have gone unanswered for two years.",
]
OUTCOMES = [
    "Relief packs reached 120 households; a second round is planned.",
    "Twenty-five young people enrolled in the skills training.",
    "The needs were validated with the barangay and sent to the ministry.",
    "Medical mission saw 300 patients; referrals made for 12.",
]
NEEDS = {
    "education": "Classrooms and Arabic-language (madrasah) teachers for the children",
    "health": "Regular visits of a midwife and a stocked barangay health station",
    "livelihood": "Capital and training for fishing and small trading",
    "infrastructure": "A farm-to-market road passable in the rainy season",
    "wash": "A protected water source and household toilets",
    "social_protection": "Enrolment of poor households in social pension and 4Ps",
    "peace_order": "Mediation of a land dispute with a neighbouring community",
    "religious_cultural": "Repair of the community mosque and support to the madrasah",
}


class Command(BaseCommand):
    help = "Load demo data: geography, communities, assessments, partners, one user per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--communities", type=int, default=300, help="How many communities (default 300)."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when communities already exist."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off (review apps, load tests).",
        )

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time one phase: ``  phase <name>: <seconds>s`` (bench/seed.py reads these lines)."""
        started = time.monotonic()
        yield
        self.stdout.write(f"  phase {name}: {time.monotonic() - started:.1f}s")

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("seed_demo creates demo users; with DEBUG off add --force.")
        if options["if_empty"] and Community.objects.exists():
            self.stdout.write("seed_demo: communities exist already; nothing to do.")
            return
        started = time.monotonic()
        if not Barangay.objects.exists():
            self.stdout.write("seed_demo: loading geography (Regions IX-XII)")
            with self.phase("geography"):
                call_command("load_geography", verbosity=0)
        rng = random.Random(20260101)  # noqa: S311 - demo data, not secrets
        users = self.users()
        with transaction.atomic():
            with self.phase("communities"):
                communities = self.communities(rng, int(options["communities"]), users["encoder"])
            with self.phase("assessments"):
                self.assessments(rng, communities, users)
            with self.phase("engagements"):
                self.engagements(rng, communities, self.partners(), users["encoder"])
            with self.phase("archive"):
                self.archive_some(rng, communities, users["administrator"])
            with self.phase("chain"):
                self.stdout.write(f"  chain: {ppa_demo.seed(rng, users)}")
            with self.phase("policies"):
                self.stdout.write(f"  policies: {policy_demo.seed(rng, users)}")
            # Their own stream, so the communities, assessments and archive stay as before.
            with self.phase("meetings"):
                self.meetings(random.Random(20260102), communities, users)  # noqa: S311
        with self.phase("statistics"):
            analyze(Community, Contact, Assessment, Need, Partner, Engagement, Meeting, ActionItem)
            refresh_statistics()  # the 15-minute task, run now so pages show it
        self.stdout.write(
            self.style.SUCCESS(
                f"seed_demo: {len(communities)} communities in {time.monotonic() - started:.1f}s"
            )
        )

    def users(self) -> dict:
        users = {}
        for role in ("administrator", "encoder", "viewer"):
            username = "admin" if role == "administrator" else role
            user, created = get_user_model().objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@example.org", "first_name": role.title()},
            )
            if created:
                password = secrets.token_urlsafe(9)
                user.set_password(password)
                user.is_staff = user.is_superuser = role == "administrator"
                user.save()
                self.stdout.write(f"seed_demo: user {username!r} ({role}), password {password}")
            user.groups.add(Group.objects.get(name=role))
            users[role] = user
        return users

    def communities(self, rng: random.Random, count: int, encoder) -> list[Community]:
        barangays = list(Barangay.objects.select_related("municipality__region").order_by("pk"))
        groups = {g.name: g for g in EthnolinguisticGroup.objects.all()}
        livelihoods = list(Livelihood.objects.all())
        languages = {lang.name: lang for lang in Language.objects.all()}
        taken = set(Community.objects.values_list("name", "barangay_id"))
        # A third get coordinates of their own near their barangay's; the map places the
        # rest at it. A random source of its own, so the rest of the demo data stays as it was.
        near = random.Random(20260115)  # noqa: S311 - demo data, not secrets
        new = []
        while len(new) < count:
            barangay = rng.choice(barangays)
            name = f"{rng.choice(PREFIXES)} {rng.choice(PLACES)}"
            if (name, barangay.pk) in taken:
                name = f"{name} {rng.randint(2, 99)}"
            if (name, barangay.pk) in taken:
                continue
            taken.add((name, barangay.pk))
            new.append(
                Community(
                    name=name,
                    barangay=barangay,
                    municipality=barangay.municipality,
                    # bulk_create skips save(), which copies these from the municipality.
                    region_id=barangay.municipality.region_id,
                    province_id=barangay.municipality.province_id,
                    verification=rng.choice(Community.Verification.values),
                    created_by=encoder,
                    **self.profile(rng, name, barangay),
                    **self.near(near, barangay),
                )
            )
        created = insert(new)
        self.spread_over_time(created)  # written below, with the missing fields
        # (community, related) pairs, copied as they are: no model instance for each link.
        group_links, livelihood_links, language_links = [], [], []
        for index, community in enumerate(created, start=1):
            chosen = rng.sample(sorted(groups), k=rng.choice((1, 1, 1, 2)))
            group_links += [(community.pk, groups[g].pk) for g in chosen]
            earning = rng.sample(livelihoods, k=rng.randint(1, 3))
            livelihood_links += [(community.pk, item.pk) for item in earning]
            spoken = {GROUP_LANGUAGES.get(g, "Filipino") for g in chosen} | {"Filipino"}
            language_links += [
                (community.pk, languages[name].pk) for name in sorted(spoken) if name in languages
            ]
            # As if prefetched, for find_missing_fields() below (contacts added there).
            community._prefetched_objects_cache = {
                "ethnolinguistic_groups": [groups[g] for g in chosen],
                "livelihoods": earning,
                "languages": [languages[name] for name in sorted(spoken) if name in languages],
            }
            if index % 1000 == 0 or index == len(created):
                self.stdout.write(f"  communities: {index}/{len(created)}")
        leaders = [
            "Datu Ali",
            "Hadji Omar",
            "Bai Norhana",
            "Ustadz Karim",
            "Sittie Aisah",
            "Abdulrahman",
            "Fatima",
            "Jamal",
            "Normina",
            "Salic",
        ]
        contacts = insert(
            [
                Contact(
                    community=community,
                    name=f"{rng.choice(leaders)} {rng.choice(PLACES)}",
                    role=rng.choice(Contact.Role.values),
                    phone=f"+63 9{rng.randint(10, 99)} {rng.randint(100, 999)} "
                    f"{rng.randint(1000, 9999)}",
                )
                for community in created
                if rng.random() > 0.25
            ]
        )
        for field, links in (
            ("ethnolinguistic_groups", group_links),
            ("livelihoods", livelihood_links),
            ("languages", language_links),
        ):
            through = getattr(Community, field).through
            m2m = Community._meta.get_field(field)
            source, target = f"{m2m.m2m_field_name()}_id", f"{m2m.m2m_reverse_field_name()}_id"
            insert_values(through, ({source: one, target: other} for one, other in links))
        self.find_missing_fields(created, contacts)
        update(created, ["created_at", "missing_fields"])
        return created

    @staticmethod
    def find_missing_fields(communities: list[Community], contacts: list[Contact]) -> None:
        """What the nightly data-quality pass would find, from the rows just made (written
        by the caller), rather than the pass reading every profile back."""
        contacted: dict[int, list[Contact]] = {}
        for contact in contacts:
            contacted.setdefault(contact.community_id, []).append(contact)
        for community in communities:
            community._prefetched_objects_cache["contacts"] = contacted.get(community.pk, [])
            community.missing_fields = community.find_missing_fields()

    @staticmethod
    def near(rng: random.Random, barangay: Barangay) -> dict[str, Decimal]:
        if barangay.latitude is None or rng.random() > 0.33:
            return {}
        return {
            "latitude": round(barangay.latitude + Decimal(rng.uniform(-0.01, 0.01)), 6),
            "longitude": round(barangay.longitude + Decimal(rng.uniform(-0.01, 0.01)), 6),
        }

    def spread_over_time(self, communities: list[Community]) -> None:
        """Registered over the last eighteen months, so the charts over time have a history
        (created_at is set to now on insert: the caller writes these back)."""
        rng = random.Random(20260116)  # noqa: S311 - its own, so other demo data stays put
        now = timezone.now()
        for community in communities:
            community.created_at = now - timedelta(days=rng.randint(0, 540))

    def profile(self, rng: random.Random, name: str, barangay: Barangay) -> dict:
        """A plausible full profile; about one value in eight left unknown, as in the field."""

        def maybe(value: object, empty: object = None) -> object:
            return value if rng.random() > 0.12 else empty

        households = rng.randint(8, 400) if rng.random() > 0.1 else None
        population = households * rng.randint(4, 7) if households else None
        settlement = rng.choice(Community.Settlement.values)
        fields: dict = {
            "households": households,
            "population": population,
            "purok_sitio": maybe(f"Purok {rng.randint(1, 9)}", ""),
            "other_names": f"{name.split()[-1]} Village" if rng.random() < 0.1 else "",
            "settlement_type": maybe(settlement, ""),
            "proximity_to_barmm": maybe(rng.choice(Community.Proximity.values), ""),
            "mosques": maybe(rng.randint(0, 3)),
            "madrasahs": maybe(rng.randint(0, 2)),
            "cooperatives": maybe(rng.randint(0, 3)),
            "peoples_organizations": maybe(rng.randint(0, 4)),
            "lgu_relationship": maybe(rng.choice(Community.LguRelationship.values), ""),
            "lgu_relationship_notes": maybe(rng.choice(LGU_NOTES), ""),
            "challenges": maybe(rng.choice(CHALLENGES), ""),
            "aspirations": maybe(rng.choice(ASPIRATIONS), ""),
        }
        for service in SERVICES:
            fields[service] = maybe(
                rng.choice([Rating.GOOD, Rating.FAIR, Rating.FAIR, Rating.POOR, Rating.NONE]), ""
            )
        if population:
            shares = {
                "families": (0.17, 0.25),
                "women": (0.48, 0.52),
                "youth": (0.25, 0.35),
                "senior_citizens": (0.04, 0.09),
                "persons_with_disability": (0.01, 0.03),
                "solo_parents": (0.01, 0.04),
                "indigenous_people": (0.0, 0.1),
                "displaced_people": (0.0, 0.3) if rng.random() < 0.1 else (0.0, 0.0),
                "farmers": (0.05, 0.3) if settlement != "coastal" else (0.0, 0.05),
                "fisherfolk": (0.1, 0.3) if settlement in ("coastal", "island") else (0.0, 0.02),
                "unemployed": (0.05, 0.15),
                "overseas_workers": (0.01, 0.05),
            }
            for field, (low, high) in shares.items():
                fields[field] = maybe(round(population * rng.uniform(low, high)))
            fields["asatidz"] = maybe(min(population, rng.randint(0, 8)))
            fields["religious_leaders"] = maybe(min(population, rng.randint(1, 6)))
        # Without the barangays' own coordinates (geography loaded before they shipped), place
        # most communities around their region's centre; otherwise near() places a third.
        centre = REGION_CENTRES.get(barangay.municipality.region.short_name)
        if barangay.latitude is None and centre and rng.random() < 0.6:
            fields["latitude"] = round(Decimal(centre[0] + rng.uniform(-0.6, 0.6)), 6)
            fields["longitude"] = round(Decimal(centre[1] + rng.uniform(-0.6, 0.6)), 6)
        return fields

    def archive_some(self, rng: random.Random, communities: list[Community], admin) -> None:
        """A few archived records, so the archive filter shows something."""
        duplicates = rng.sample(communities, k=max(1, len(communities) // 100))
        # Each in the history, as archive() would write it.
        Community.archive_all(
            duplicates, admin, "Registered twice during the field validation; the other is kept."
        )

    def assessments(self, rng: random.Random, communities: list[Community], users: dict) -> None:
        today = timezone.localdate()
        assessments, needs = [], []
        for community in communities:
            if rng.random() < 0.4:
                continue
            status = rng.choice(Assessment.Status.values)
            returned = status == "draft" and rng.random() < 0.2
            assessments.append(
                Assessment(
                    returned_reason="Give the number of beneficiaries for each need."
                    if returned
                    else "",
                    returned_by=users["administrator"] if returned else None,
                    returned_at=timezone.now() if returned else None,
                    community=community,
                    assessed_on=today - timedelta(days=rng.randint(1, 400)),
                    team="A. Ampatuan, N. Hassan, R. Usman",
                    method=rng.choice(Assessment.Method.values),
                    status=status,
                    created_by=users["encoder"],
                    submitted_at=timezone.now() if status != "draft" else None,
                    validated_by=users["administrator"] if status == "validated" else None,
                    validated_at=timezone.now() if status == "validated" else None,
                )
            )
        insert(assessments)
        for assessment in assessments:
            for sector in rng.sample(sorted(NEEDS), k=rng.randint(1, 4)):
                needs.append(
                    Need(
                        assessment=assessment,
                        sector=sector,
                        description=NEEDS[sector],
                        priority=rng.choice(Need.Priority.values),
                        beneficiaries=rng.randint(10, 800),
                    )
                )
        insert(needs)
        self.stdout.write(f"  assessments: {len(assessments)} with {len(needs)} needs")

    def partners(self) -> list[Partner]:
        """The partners, the last one no longer active (so the filter shows something)."""
        return [
            Partner.objects.get_or_create(
                name=name,
                defaults={"acronym": acronym, "kind": kind, "is_active": index < len(PARTNERS)},
            )[0]
            for index, (name, acronym, kind) in enumerate(PARTNERS, start=1)
        ]

    def engagements(
        self, rng: random.Random, communities: list[Community], partners: list[Partner], encoder
    ) -> None:
        today = timezone.localdate()
        engagements = []
        for community in rng.sample(communities, k=len(communities) // 3):
            engaged_on = today - timedelta(days=rng.randint(0, 200))
            status = rng.choice(Engagement.Status.values)
            completed = status == Engagement.Status.COMPLETED
            engagements.append(
                Engagement(
                    outcome=rng.choice(OUTCOMES) if completed else "",
                    closed_at=timezone.now() if completed else None,
                    partner=rng.choice(partners),
                    community=community,
                    engaged_on=engaged_on,
                    title=rng.choice(
                        [
                            "Consultation on needs",
                            "Relief distribution",
                            "Livelihood training",
                            "Scholarship orientation",
                            "Health mission",
                        ]
                    ),
                    follow_up_on=engaged_on + timedelta(days=rng.randint(7, 60)),
                    status=status,
                    created_by=encoder,
                )
            )
        insert(engagements)
        self.stdout.write(f"  engagements: {len(engagements)} with {len(partners)} partners")

    def meetings(self, rng: random.Random, communities: list[Community], users: dict) -> None:
        """Meetings over the six weeks before and after today, at office hours in Manila, each
        with two action items (some overdue), so the calendar and reminders show something.
        Written in bulk, with the history entries their create and set() would have written."""
        current = [c for c in communities if c.archived_at is None]
        partners = list(Partner.objects.filter(is_active=True))
        today = timezone.localdate()
        count = max(12, len(current) // 20)
        meetings, attended, joined, items = [], {}, {}, []
        for index in range(count):
            day = today + timedelta(days=rng.randint(-42, 42))
            hour = rng.randint(8, 15)
            starts_at = timezone.make_aware(datetime(day.year, day.month, day.day, hour))
            kind = rng.choice(Meeting.Kind.values)
            meeting = Meeting(
                title=f"{Meeting.Kind(kind).label} {index + 1}",
                kind=kind,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=rng.choice([1, 2, 3])),
                venue=rng.choice(["OOBC office, Cotabato City", "Barangay hall", ""])
                or "https://meet.example.org/oobc",
                participants_female=rng.randint(5, 40) if kind == "consultation" else None,
                participants_male=rng.randint(5, 40) if kind == "consultation" else None,
                participants="" if kind == "consultation" else "Datu Ali, Barangay council",
                agenda="1. Needs of the community\n2. Next steps",
                created_by=users["encoder"],
            )
            meetings.append(meeting)
            attended[index] = rng.sample(current, k=min(len(current), rng.randint(1, 3)))
            joined[index] = rng.sample(partners, k=min(len(partners), 1))
            done = day + timedelta(days=7) < today and rng.random() < 0.5
            items += [
                ActionItem(
                    meeting=meeting,
                    what="Send the minutes to the participants",
                    assignee=users["encoder"],
                    due_on=day + timedelta(days=7),
                    done=done,
                    done_at=timezone.now() if done else None,
                ),
                ActionItem(
                    meeting=meeting,
                    what="Share the list of beneficiaries",
                    assignee_name="Barangay secretary",
                    due_on=day + timedelta(days=14),
                ),
            ]
        insert(meetings)
        for item in items:
            item.meeting_id = item.meeting.pk
        insert(items)
        related: dict[str, dict[int, list[int]]] = {"communities": {}, "partners": {}}
        links: dict[str, list] = {"communities": [], "partners": []}
        for index, meeting in enumerate(meetings):
            for name, chosen in (("communities", attended), ("partners", joined)):
                through = getattr(Meeting, name).through
                key = "community_id" if name == "communities" else "partner_id"
                related[name][meeting.pk] = [obj.pk for obj in chosen[index]]
                links[name] += [
                    through(meeting_id=meeting.pk, **{key: obj.pk}) for obj in chosen[index]
                ]
        for rows in links.values():
            insert(rows)
        history.log_created(meetings, history.links_in_order(meetings, related))
        self.stdout.write(f"  meetings: {count}, two action items each")
