"""Load the PSGC fixture into the four tables: idempotent (upsert by PSGC code), in bulk.

Re-running updates names, parents, coordinates and census figures of existing rows."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.dispatch import Signal

from obcms.db.planner import analyze
from obcms.geography.models import Barangay, Municipality, Province, Region

FIXTURE = Path(__file__).parent / "data" / "psgc.json.gz"

# The regions OOBC serves by default: the Bangsamoro communities outside the BARMM.
DEFAULT_REGIONS = ("IX", "X", "XI", "XII")
ROMAN = ("I", "II", "III", "IV-A", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
BATCH = 2000
# Filled from the fixture on every level (see obcms/geography/data/build.py).
FACTS = ["latitude", "longitude", "population", "area_km2"]
# Sent inside the load's transaction once every level is written: records that copy a
# municipality's region or province (communities, for their lists) bring theirs up to date.
places_loaded = Signal()


@dataclass
class Place:
    code: str
    parent: str
    kind: str
    name: str
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    population: int | None = None
    area_km2: Decimal | None = None

    @property
    def facts(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in FACTS}


def read_fixture(path: Path = FIXTURE) -> dict[str, Place]:
    rows = json.loads(gzip.decompress(path.read_bytes()), parse_float=Decimal)
    return {row[0]: Place(*row) for row in rows}


def short_name(place: Place) -> str:
    """ "Region IX (Zamboanga Peninsula)" -> "IX"; "... (BARMM)" -> "BARMM"."""
    if place.name.startswith("Region "):
        return place.name.split()[1]
    if "(" in place.name:
        return place.name.rsplit("(", 1)[1].rstrip(")")
    return place.name


def region_codes(places: dict[str, Place], wanted: Iterable[str] | None) -> set[str]:
    """PSGC codes of the regions named by short name ("IX", "BARMM") or code; all when None."""
    regions = {code: p for code, p in places.items() if p.kind == "region"}
    if wanted is None:
        return set(regions)
    chosen = set()
    for item in wanted:
        matches = [
            code
            for code, p in regions.items()
            if item.upper() in (short_name(p).upper(), code, code[:2])
        ]
        if not matches:
            known = ", ".join(sorted(short_name(p) for p in regions.values()))
            raise ValueError(f"unknown region {item!r}; known: {known}")
        chosen.update(matches)
    return chosen


def load(
    regions: Iterable[str] | None = DEFAULT_REGIONS,
    progress: Callable[[str, int, int], None] = lambda level, done, total: None,
    path: Path = FIXTURE,
) -> dict[str, int]:
    """Create or update every place in ``regions``; returns how many rows each level has."""
    places = read_fixture(path)
    chosen = region_codes(places, regions)
    in_scope = [p for p in places.values() if p.code[:2] in {c[:2] for c in chosen}]
    has_lower_child = {p.parent for p in places.values() if p.kind in ("city", "municipality")}
    province_level = {
        p.code
        for p in in_scope
        if p.kind in ("province", "special_geographic_area")
        or (p.kind == "city" and p.code in has_lower_child)
    }
    municipal_level = {
        p.code
        for p in in_scope
        if p.kind in ("city", "municipality", "submunicipality") and p.code not in province_level
    }

    def province_of(place: Place) -> str | None:
        parent = places.get(place.parent)
        while parent is not None and parent.code not in province_level:
            parent = places.get(parent.parent)
        return parent.code if parent else None

    with transaction.atomic():
        region_ids = _upsert(
            Region,
            [
                Region(psgc_code=p.code, name=p.name, short_name=short_name(p), **p.facts)
                for p in in_scope
                if p.code in chosen
            ],
            ["name", "short_name", *FACTS],
            progress,
        )
        province_ids = _upsert(
            Province,
            [
                Province(
                    psgc_code=p.code,
                    name=p.name.removesuffix(" (Not a Province)"),
                    region_id=region_ids[p.code[:2] + "00000000"],
                    **p.facts,
                )
                for p in in_scope
                if p.code in province_level
            ],
            ["name", "region", *FACTS],
            progress,
        )
        municipality_ids = _upsert(
            Municipality,
            [
                Municipality(
                    psgc_code=p.code,
                    name=p.name,
                    kind=p.kind,
                    region_id=region_ids[p.code[:2] + "00000000"],
                    province_id=province_ids.get(province_of(p) or ""),
                    **p.facts,
                )
                for p in in_scope
                if p.code in municipal_level
            ],
            ["name", "kind", "region", "province", *FACTS],
            progress,
        )
        _upsert(
            Barangay,
            [
                Barangay(
                    psgc_code=p.code,
                    name=p.name,
                    municipality_id=municipality_ids[p.parent],
                    **p.facts,
                )
                for p in in_scope
                if p.kind == "barangay" and p.parent in municipality_ids
            ],
            ["name", "municipality", *FACTS],
            progress,
        )
        places_loaded.send(sender=Municipality)
    analyze(Region, Province, Municipality, Barangay)
    return {
        str(model._meta.verbose_name_plural): model.objects.count()
        for model in (Region, Province, Municipality, Barangay)
    }


def _upsert(model, objects: list, fields: list[str], progress) -> dict[str, int]:
    """Insert new codes, update existing ones; return code -> primary key."""
    total = len(objects)
    for start in range(0, total, BATCH):
        model.objects.bulk_create(
            objects[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["psgc_code"],
            update_fields=fields,
        )
        progress(model._meta.verbose_name_plural, min(start + BATCH, total), total)
    codes = [obj.psgc_code for obj in objects]
    ids: dict[str, int] = {}
    for start in range(0, len(codes), 5000):
        ids.update(
            model.objects.filter(psgc_code__in=codes[start : start + 5000]).values_list(
                "psgc_code", "id"
            )
        )
    return ids
