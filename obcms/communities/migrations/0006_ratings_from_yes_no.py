"""The yes/no answers about services become ratings, without inventing precision:

- "no"  -> "none" (no access), which is what it said;
- "yes" -> "available" ("Available, not rated"): it said the service exists, not how good it
  is, so it is not turned into excellent, good, fair or poor;
- unknown (never answered) stays unknown (empty).

school -> formal education, madrasah -> madrasah education, health facility -> health care,
potable water and electricity keep their names. Alternative learning, sanitation, roads and
transport and communication were never asked: they start unknown. Backwards, "available"
becomes yes, "none" no, and any other rating (entered after this release) yes, except unknown.
README.md, "Release notes", says the same to staff.
"""

from django.db import migrations
from django.db.models import Q

MAPPING = {
    "has_school": "access_formal_education",
    "has_madrasah": "access_madrasah",
    "has_health_facility": "access_health_care",
    "has_potable_water": "access_potable_water",
    "has_electricity": "access_electricity",
}
YES, NO, UNKNOWN = "available", "none", ""


def to_ratings(apps, schema_editor):
    Community = apps.get_model("communities", "Community")
    for old, new in MAPPING.items():
        Community.objects.filter(**{old: True}).update(**{new: YES})
        Community.objects.filter(**{old: False}).update(**{new: NO})
        Community.objects.filter(**{f"{old}__isnull": True}).update(**{new: UNKNOWN})


def to_yes_no(apps, schema_editor):
    Community = apps.get_model("communities", "Community")
    for old, new in MAPPING.items():
        Community.objects.filter(**{new: NO}).update(**{old: False})
        Community.objects.filter(**{new: UNKNOWN}).update(**{old: None})
        Community.objects.filter(~Q(**{new: NO}) & ~Q(**{new: UNKNOWN})).update(**{old: True})


class Migration(migrations.Migration):
    dependencies = [("communities", "0005_full_profile")]
    operations = [migrations.RunPython(to_ratings, to_yes_no, elidable=False)]
