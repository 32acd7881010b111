"""Fill coordinates, census population and area into places already loaded, so an existing
deployment has them after its next release without anyone re-running load_geography.

Self-contained on purpose: it reads the fixture's first eight columns itself rather than
calling the loader, whose code may change later. Rows the fixture does not know are left as
they are; on a new, empty database it does nothing (load_geography fills everything)."""

import gzip
import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "data" / "psgc.json.gz"
FIELDS = ["latitude", "longitude", "population", "area_km2"]


def fill(apps, schema_editor):
    models = [apps.get_model("geography", name) for name in ("Region", "Province", "Municipality", "Barangay")]
    if not any(model.objects.exists() for model in models) or not FIXTURE.exists():
        return
    rows = json.loads(gzip.decompress(FIXTURE.read_bytes()), parse_float=Decimal)
    facts = {row[0]: row[4:8] for row in rows if len(row) >= 8}
    for model in models:
        changed = []
        for place in model.objects.only("id", "psgc_code", *FIELDS).iterator(chunk_size=2000):
            if place.psgc_code in facts:
                for name, value in zip(FIELDS, facts[place.psgc_code]):
                    setattr(place, name, value)
                changed.append(place)
        model.objects.bulk_update(changed, FIELDS, batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("geography", "0002_census_and_coordinates"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
